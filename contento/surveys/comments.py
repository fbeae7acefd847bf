"""The open-text answers of a survey as the dashboard lists them, with what was read in them.

`Filters` (dates, response language) narrow every figure of the dashboard; `CommentFilters`
narrow only the comments, by what `contento.text` read in them: the language the comment is
written in, its sentiment, anger and theme.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from contento.surveys.localize import LocalSurvey
from contento.surveys.metrics import Filters
from contento.surveys.models import Question, SurveyTheme

SENTIMENTS = ("positive", "neutral", "negative")


@dataclass(frozen=True)
class CommentFilters:
    """What the comment list is restricted to (all optional)."""

    language: str | None = None
    sentiment: str | None = None
    angry: bool = False
    theme: str | None = None  # a SurveyTheme code


def text_question_ids(local: LocalSurvey) -> list[int]:
    return [lq.question.id for lq in local.questions if lq.question.kind == Question.Kind.TEXT]


def comments(local: LocalSurvey, filters: Filters, comment_filters: CommentFilters) -> QuerySet:
    """Return the survey's comments matching both filters, newest first."""
    qs = (
        filters.answers(local.survey)
        .filter(question_id__in=text_question_ids(local))
        .exclude(text="")
    )
    if comment_filters.language:
        qs = qs.filter(text_language=comment_filters.language)
    if comment_filters.sentiment:
        qs = qs.filter(sentiment=comment_filters.sentiment)
    if comment_filters.angry:
        qs = qs.filter(angry=True)
    if comment_filters.theme:
        qs = qs.filter(theme__code=comment_filters.theme)
    return qs.select_related("theme").order_by("-answered_at", "-id")


def comment_languages(local: LocalSurvey) -> list[str]:
    """Return the languages the survey's comments were found to be written in: the survey's
    own languages first, then the others, then "other" and "unknown"."""
    found = set(
        Filters()
        .answers(local.survey)
        .filter(question_id__in=text_question_ids(local))
        .exclude(text_language="")
        .order_by()
        .values_list("text_language", flat=True)
        .distinct()
    )
    own = local.survey.all_languages
    last = {"other": 1, "unknown": 2}
    return sorted(found, key=lambda code: (code not in own, last.get(code, 0), code))


def survey_themes(local: LocalSurvey) -> list[SurveyTheme]:
    """Return the survey's themes, largest first."""
    return list(SurveyTheme.objects.filter(survey=local.survey).order_by("position", "pk"))
