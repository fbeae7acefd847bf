"""A survey's text in one language, with fallback to its default language."""

import dataclasses
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from contento.core.caching import LruCache
from contento.surveys.logic import evaluate
from contento.surveys.models import (
    Choice,
    ChoiceTranslation,
    Question,
    QuestionTranslation,
    Survey,
    SurveyTranslation,
)
from contento.surveys.questions import LocalQuestion, get_type


@dataclass
class LocalSurvey:
    survey: Survey
    language: str
    title: str
    description: str
    thank_you: str
    questions: list[LocalQuestion] = field(default_factory=list)

    @property
    def pages(self) -> list[int]:
        return sorted({lq.question.page for lq in self.questions})

    def on_page(self, page: int) -> list[LocalQuestion]:
        return [lq for lq in self.questions if lq.question.page == page]

    def by_key(self) -> dict[str, LocalQuestion]:
        return {lq.key: lq for lq in self.questions}

    def types(self) -> dict:
        return {lq.key: lq.kind for lq in self.questions}

    def visible(self, lq: LocalQuestion, values: dict) -> bool:
        return evaluate(lq.question.logic, values, self.types())

    def visible_pages(self, values: dict) -> list[int]:
        """Return the pages that have at least one question shown for these answers."""
        return [
            page
            for page in self.pages
            if any(self.visible(lq, values) for lq in self.on_page(page))
        ]


def pick_language(survey: Survey, requested: str | None, accept_language: str = "") -> str:
    """Return the language to show: the link's, else the browser's, else the survey default."""
    offered = survey.all_languages
    if requested and requested in offered:
        return requested
    for part in accept_language.split(","):
        code = part.split(";")[0].strip().lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in offered:
                return candidate
    return survey.default_language


def display_language(request, survey: Survey) -> str:
    """Return the language a member's page shows a survey in: ?lang=, else the interface's."""
    wanted = request.GET.get("lang") or get_language()
    return wanted if wanted in survey.all_languages else survey.default_language


# What this process builds from a survey version and keeps: the localized surveys here,
# (survey id, the survey's updated_at, language) -> LocalSurvey, and the caches made with
# `versioned_cache`, keyed by the same id and updated_at. Every change to a survey's questions,
# choices or texts saves the survey (`_write_survey`), which moves its updated_at, so no
# process serves an old version, whichever process made the change; and `connect_signals`
# empties them here when one of those rows changes by any other way.
_cache = LruCache(256)
_caches = [_cache]


def versioned_cache(size: int) -> LruCache:
    """A cache keyed by (survey id, updated_at, ...), emptied with the localized surveys."""
    cache = LruCache(size)
    _caches.append(cache)
    return cache


def forget(**_kwargs) -> None:
    """Empty every cache built from survey versions in this process (a receiver of model
    signals: edits are rare, and finding the survey of a choice's translation would cost a
    query)."""
    for cache in _caches:
        cache.clear()


def connect_signals() -> None:
    """Forget the localized surveys whenever a row they are built from changes here."""
    for model in (
        Survey,
        SurveyTranslation,
        Question,
        QuestionTranslation,
        Choice,
        ChoiceTranslation,
    ):
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=model, dispatch_uid=f"localize-{model.__name__}-{signal}")


def localize(survey: Survey, language: str) -> LocalSurvey:
    """Return a survey's questions and choices with their text in `language`.

    Built once per version and language, then shared: a LocalSurvey and its questions are
    never changed in place (piping and shuffling make copies).
    """
    if survey.pk is None or survey.updated_at is None:
        return _load(survey, language)
    key = (survey.pk, survey.updated_at, language)
    local = _cache.get(key)
    if local is None:
        local = _load(survey, language)
        _cache.put(key, local)
    # The caller's survey object: it carries the organization the caller loaded.
    return dataclasses.replace(local, survey=survey)


def _load(survey: Survey, language: str) -> LocalSurvey:
    questions = list(survey.questions.prefetch_related("choices"))
    q_tr, c_tr, s_tr = {}, {}, None
    if language != survey.default_language:
        s_tr = survey.translations.filter(language=language).first()
        q_tr = {
            t.question_id: t
            for t in QuestionTranslation.objects.filter(question__survey=survey, language=language)
        }
        c_tr = {
            t.choice_id: t.label
            for t in ChoiceTranslation.objects.filter(
                choice__question__survey=survey, language=language
            )
        }
    local = LocalSurvey(
        survey=survey,
        language=language,
        title=(s_tr and s_tr.title) or survey.title,
        description=(s_tr and s_tr.description) or survey.description,
        thank_you=(s_tr and s_tr.thank_you) or survey.thank_you,
    )
    for question in questions:
        tr = q_tr.get(question.id)
        labels = (tr.labels if tr else {}) or {}
        local.questions.append(
            LocalQuestion(
                question=question,
                text=(tr and tr.text) or question.text,
                help_text=(tr and tr.help_text) or question.help_text,
                choices=[(c.key, c_tr.get(c.id) or c.label) for c in question.choices.all()],
                min_label=labels.get("min_label") or question.settings.get("min_label", ""),
                max_label=labels.get("max_label") or question.settings.get("max_label", ""),
                # An unknown type in the database fails loudly here.
                kind=get_type(question.kind),
            )
        )
    return local
