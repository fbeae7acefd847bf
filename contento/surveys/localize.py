"""A survey's text in one language, with fallback to its default language."""

from dataclasses import dataclass, field

from django.utils.translation import get_language

from contento.surveys.logic import evaluate
from contento.surveys.models import ChoiceTranslation, QuestionTranslation, Survey
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


def localize(survey: Survey, language: str) -> LocalSurvey:
    """Load a survey's questions and choices with their text in `language`."""
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
