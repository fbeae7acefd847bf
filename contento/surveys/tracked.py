"""Tracked themes: the workspace's own taxonomy, assigned to every open-text answer by meaning.

A business names the themes it wants to follow ("Delivery", "Billing"), each with names per
language, a few example phrases in any language and optional keywords, or starts from a
starter list of its industry (`contento.text.taxonomy.starter_taxonomies`), or accepts a
theme that discovery proposed from the comments. Every analysed answer is then assigned to
zero, one or several tracked themes with a confidence and the sentence that carries each
(`AnswerTheme`), when the drain reads it, and again for all answers whenever the taxonomy
changes. The sentiment of that sentence, not of the whole comment, is the theme's: a comment
can praise the staff and blame the bill.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contento.core import queues
from contento.surveys.models import Answer, AnswerTheme, Survey, SurveyTheme, TrackedTheme

log = logging.getLogger(__name__)
LANGUAGES = {code for code, _name in settings.LANGUAGES}
MAX_EXAMPLES = 20
MAX_KEYWORDS = 20
ASSIGN_BATCH = 200


def _taxonomy(text, organization_id: int):
    return [
        text.TaxonomyTheme(
            key=str(theme.pk),
            names=dict(theme.names),
            examples=tuple(theme.examples or ()),
            keywords={lang: tuple(words) for lang, words in (theme.keywords or {}).items()},
        )
        for theme in TrackedTheme.objects.filter(organization_id=organization_id, is_active=True)
    ]


def assign_answers(text, answers: list[Answer]) -> int:
    """Assign these analysed answers to their workspace's tracked themes (replacing what they
    had); return how many assignments were made."""
    return save_assignments(find_assignments(text, answers))


def find_assignments(text, answers: list[Answer]) -> list[tuple[list[int], list[AnswerTheme]]]:
    """Find the tracked themes of these analysed answers: the model's work, no writes (so no
    transaction need be open meanwhile). Return, per workspace, the answers and their rows."""
    if not answers:
        return []
    organization_of = dict(
        Survey.objects.filter(pk__in={a.survey_id for a in answers}).values_list(
            "pk", "organization_id"
        )
    )
    by_organization: dict[int, list[Answer]] = {}
    for answer in answers:
        by_organization.setdefault(organization_of[answer.survey_id], []).append(answer)
    found_rows = []
    for organization_id, group in by_organization.items():
        taxonomy = _taxonomy(text, organization_id)
        rows = []
        if taxonomy:
            found = text.assign([a.text for a in group], taxonomy)
            sentences = list({x.sentence for xs in found for x in xs if x.sentence})
            tone = dict(
                zip(
                    sentences,
                    (r.sentiment_score for r in text.analyze_many(sentences)),
                    strict=True,
                )
            )
            rows = [
                AnswerTheme(
                    answer=answer,
                    theme_id=int(x.key),
                    confidence=round(float(x.confidence), 4),
                    sentence=x.sentence[:500],
                    sentiment_score=tone.get(x.sentence),
                )
                for answer, xs in zip(group, found, strict=True)
                for x in xs
            ]
        found_rows.append(([a.pk for a in group], rows))
    return found_rows


def save_assignments(found: list[tuple[list[int], list[AnswerTheme]]]) -> int:
    """Store what `find_assignments` found, replacing the answers' earlier rows; return how
    many assignments were made."""
    made = 0
    with transaction.atomic():
        for answer_ids, rows in found:
            AnswerTheme.objects.filter(answer__in=answer_ids).delete()
            # An answer deleted meanwhile (a page saved again) takes its rows with it.
            alive = set(Answer.objects.filter(pk__in=answer_ids).values_list("pk", flat=True))
            AnswerTheme.objects.bulk_create(
                [r for r in rows if r.answer.pk in alive], ignore_conflicts=True
            )
            made += len(rows)
    return made


# Re-assigning a workspace's answers after its taxonomy changed -----------------------------


def _flag(organization_id: int) -> str:
    return f"contento:tracked-themes-assign:{organization_id}"


def request_reassign(organization) -> None:
    """Queue the assignment of all the workspace's answers to its themes (once the current
    transaction commits), unless one is already waiting."""
    if cache.add(_flag(organization.pk), True, timeout=3600):
        queues.enqueue_on_commit(
            "contento.surveys.tasks.assign_tracked_themes", str(organization.code)
        )


def reassign(organization, batch_size: int = ASSIGN_BATCH) -> int:
    """Assign every analysed answer of the workspace to its themes again; return how many
    answers were read."""
    # The flag falls first: a change made while this runs queues a run of its own.
    cache.delete(_flag(organization.pk))
    try:
        import contento.text as text
    except ImportError:
        return 0
    answers = (
        Answer.objects.filter(
            survey__organization=organization, analysis__isnull=False, question__kind="text"
        )
        .exclude(text="")
        .only("pk", "survey_id", "text")
    )
    last, done = 0, 0
    while True:
        batch = list(answers.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return done
        assign_answers(text, batch)
        done += len(batch)
        last = batch[-1].pk


# Keeping the taxonomy ------------------------------------------------------------------------


def _clean_names(names: dict) -> dict[str, str]:
    cleaned = {
        lang: " ".join(str(name or "").split())[:100]
        for lang, name in (names or {}).items()
        if lang in LANGUAGES
    }
    cleaned = {lang: name for lang, name in cleaned.items() if name}
    if not cleaned:
        raise ValidationError({"names": _("Give the theme a name in at least one language.")})
    return cleaned


def _clean_examples(examples) -> list[str]:
    lines = [" ".join(str(e or "").split())[:300] for e in (examples or [])]
    return list(dict.fromkeys(e for e in lines if e))[:MAX_EXAMPLES]


def _clean_keywords(keywords: dict) -> dict[str, list[str]]:
    out = {}
    for lang, words in (keywords or {}).items():
        if lang not in LANGUAGES:
            continue
        kept = list(dict.fromkeys(" ".join(str(w).split()).lower()[:50] for w in words or []))
        kept = [w for w in kept if w][:MAX_KEYWORDS]
        if kept:
            out[lang] = kept
    return out


def do_save_tracked_theme(
    organization, *, names, examples=(), keywords=None, theme: TrackedTheme | None = None
) -> TrackedTheme:
    """Create a tracked theme, or change one (it keeps its identity and its history)."""
    theme = theme or TrackedTheme(organization=organization)
    theme.names = _clean_names(names)
    theme.examples = _clean_examples(examples)
    theme.keywords = _clean_keywords(keywords or {})
    with transaction.atomic():
        theme.save()
        request_reassign(organization)
    return theme


def do_set_tracked_theme_active(theme: TrackedTheme, active: bool) -> TrackedTheme:
    theme.is_active = active
    with transaction.atomic():
        theme.save(update_fields=["is_active", "updated_at"])
        if not active:
            AnswerTheme.objects.filter(theme=theme).delete()
        request_reassign(theme.organization)
    return theme


def do_import_starter(organization, industry: str) -> list[TrackedTheme]:
    """Add a starter list's themes to the workspace (those it has under the same English
    name are left as they are); return the themes added."""
    import contento.text as text

    starter = text.starter_taxonomies().get(industry)
    if starter is None:
        raise ValidationError(_("There is no such starter list."))
    have = {
        (t.names or {}).get("en", "").lower()
        for t in TrackedTheme.objects.filter(organization=organization)
    }
    added = []
    with transaction.atomic():
        for item in starter["themes"]:
            names = _clean_names(item.get("names") or {})
            if names.get("en", "").lower() in have:
                continue
            added.append(
                TrackedTheme.objects.create(
                    organization=organization,
                    names=names,
                    examples=_clean_examples(item.get("examples")),
                    keywords=_clean_keywords(item.get("keywords") or {}),
                    origin=TrackedTheme.Origin.STARTER,
                )
            )
        if added:
            request_reassign(organization)
    return added


def do_accept_discovered(survey_theme: SurveyTheme) -> TrackedTheme:
    """Track a theme that discovery proposed: its labels become its names, its examples its
    examples; rename it afterwards as the team likes."""
    organization = survey_theme.survey.organization
    labels = dict(survey_theme.labels or {}) or {
        survey_theme.survey.default_language: survey_theme.label
    }
    with transaction.atomic():
        theme = TrackedTheme.objects.create(
            organization=organization,
            names=_clean_names(labels),
            examples=_clean_examples(survey_theme.examples),
            origin=TrackedTheme.Origin.DISCOVERED,
        )
        request_reassign(organization)
    return theme


def do_merge_tracked_themes(keep: TrackedTheme, other: TrackedTheme) -> TrackedTheme:
    """Merge `other` into `keep`: its examples and keywords join `keep`'s, its answers are
    `keep`'s from now on, and `other` is gone."""
    if keep.organization_id != other.organization_id or keep.pk == other.pk:
        raise ValidationError(_("Choose another theme of this workspace to merge."))
    keep.examples = _clean_examples([*keep.examples, *other.examples])
    keywords = {lang: list(words) for lang, words in (keep.keywords or {}).items()}
    for lang, words in (other.keywords or {}).items():
        keywords[lang] = [*keywords.get(lang, []), *words]
    keep.keywords = _clean_keywords(keywords)
    with transaction.atomic():
        keep.save()
        other.delete()
        request_reassign(keep.organization)
    return keep


def do_split_tracked_theme(theme: TrackedTheme, *, names, examples) -> TrackedTheme:
    """Split a theme in two: the chosen examples (at least one, not all) leave it for a new
    theme with these names; both are assigned again."""
    chosen = [e for e in _clean_examples(examples) if e in (theme.examples or [])]
    if not chosen or len(chosen) == len(theme.examples or []):
        raise ValidationError(_("Choose some of the theme's examples for the new theme, not all."))
    with transaction.atomic():
        theme.examples = [e for e in theme.examples if e not in chosen]
        theme.save(update_fields=["examples", "updated_at"])
        new = TrackedTheme.objects.create(
            organization=theme.organization,
            names=_clean_names(names),
            examples=chosen,
            origin=theme.origin,
        )
        request_reassign(theme.organization)
    return new
