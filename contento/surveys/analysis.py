"""Reading open-text answers with `contento.text`: language, sentiment, anger and themes.

Answers are queued when the transaction that saved them commits, a few hundred per task, so a
response, a page of the public form or a bulk load of thousands of responses each cost one
or a few tasks. The worker stores each answer's analysis with it, then recomputes the survey's
themes when enough has changed since the last time (see `themes_due`).
"""

import logging
import threading
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from contento.core import queues
from contento.surveys.models import Answer, Question, Survey, SurveyTheme
from contento.surveys.signals import angry_comments

log = logging.getLogger(__name__)

# Answers per queued task: small enough for a task to finish in seconds (about 20 texts/s
# on two cores), large enough that a bulk load does not flood the queue.
ENQUEUE_BATCH = 200
# Themes are recomputed at most this often while answers trickle in ...
THEMES_EVERY = timedelta(minutes=10)
# ... or as soon as the analysed answers grew by this share since the last computation.
THEMES_GROWTH = 0.10
# Fewer comments than this do not make themes worth showing.
MIN_THEME_ANSWERS = 5

ANALYSIS_FIELDS = ["analysis", "text_language", "sentiment", "sentiment_score", "anger", "angry"]

_pending = threading.local()


def _text_library():
    try:
        import contento.text as text
    except ImportError:  # the library is optional: without it answers are just not analysed
        return None
    return text


def text_answers():
    """Return every open-text answer that has text (the rows `contento.text` reads)."""
    return Answer.objects.filter(question__kind=Question.Kind.TEXT).exclude(text="")


def unread_answers():
    """Return the open-text answers `analyze_answers` reads that it has not read yet."""
    if _text_library() is None:
        return Answer.objects.none()
    return text_answers().filter(analysis__isnull=True)


# Queueing --------------------------------------------------------------------------------------


def schedule_analysis(answer_ids: list[int]) -> None:
    """Queue these answers for analysis once the current transaction commits.

    Every call in one transaction adds to the same list, flushed by one callback at commit in
    tasks of `ENQUEUE_BATCH` answers: loading a thousand responses in one transaction queues a
    few tasks, not a thousand.
    """
    answer_ids = [i for i in answer_ids if i is not None]
    if not answer_ids:
        return
    waiting = transaction.get_connection().run_on_commit
    if not any(callback is _flush for _sids, callback, _robust in waiting):
        # No flush is waiting: any ids left were saved by a transaction that rolled back.
        _pending.ids = []
    _pending.ids = getattr(_pending, "ids", []) + answer_ids
    # The first callback to run takes every id; the others find nothing left to do.
    transaction.on_commit(_flush, robust=True)


def _flush() -> None:
    ids, _pending.ids = getattr(_pending, "ids", []), []
    if not ids:
        return
    # Rows saved in a savepoint that rolled back since are gone; their ids are dropped here.
    unique = sorted(set(ids))
    ids = [
        pk
        for start in range(0, len(unique), 5000)
        for pk in Answer.objects.filter(pk__in=unique[start : start + 5000])
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    for start in range(0, len(ids), ENQUEUE_BATCH):
        queues.enqueue("contento.surveys.tasks.analyze_answers", ids[start : start + ENQUEUE_BATCH])


def schedule_themes(survey: Survey, *, force: bool = False) -> None:
    """Queue a computation of the survey's themes once the current transaction commits.

    Without `force`, the worker computes them only if they are due, and a survey has at most
    one computation waiting in the queue.
    """
    if not force and not cache.add(_queued_key(survey.pk), True, timeout=3600):
        return
    queues.enqueue_on_commit("contento.surveys.tasks.compute_themes", str(survey.code), force=force)


def _queued_key(survey_id: int) -> str:
    return f"contento:survey-themes-queued:{survey_id}"


# Analysis --------------------------------------------------------------------------------------


def analyze_answers(
    answer_ids: list[int], batch_size: int = 64, *, force: bool = False, themes: bool = True
) -> int:
    """Analyse these open-text answers (skipping those the current model read); return how many.

    `force` reads them again even so. With `themes`, queue the themes of the surveys whose
    answers changed when they are due.
    """
    text = _text_library()
    if text is None:
        return 0
    answers = list(
        text_answers()
        .filter(pk__in=answer_ids)
        .only("pk", "survey_id", "response_id", "text", "analysis")
    )
    version = text.model_version()
    todo = [
        a
        for a in answers
        if force or not (a.analysis and a.analysis.get("model_version") == version)
    ]
    if not todo:
        return 0
    results = text.analyze_many([a.text for a in todo], batch_size=batch_size)
    for answer, result in zip(todo, results, strict=True):
        answer.analysis = result.to_dict()
        answer.text_language = result.language
        answer.sentiment = result.sentiment
        answer.sentiment_score = result.sentiment_score
        answer.anger = result.anger
        answer.angry = result.angry
    # A row deleted meanwhile (a respondent re-saved the page) is simply not updated.
    Answer.objects.bulk_update(todo, ANALYSIS_FIELDS, batch_size=500)
    angry = {a.response_id for a in todo if a.angry}
    if angry:
        angry_comments.send(sender=Answer, response_ids=angry)
    if themes:
        for survey in Survey.objects.filter(pk__in={a.survey_id for a in todo}):
            if themes_due(survey, version):
                schedule_themes(survey)
    return len(todo)


# Themes ----------------------------------------------------------------------------------------


def _analysed(survey: Survey):
    return text_answers().filter(survey=survey, analysis__isnull=False)


def themes_due(survey: Survey, version: str, now=None) -> bool:
    """Return whether the survey's themes should be computed again.

    They are due when there are none yet, when they were computed by another model, when the
    analysed answers grew by `THEMES_GROWTH`, or when `THEMES_EVERY` has passed and any
    answer was added or removed.
    """
    analysed = _analysed(survey).count()
    if analysed < MIN_THEME_ANSWERS:
        return False
    last = (
        SurveyTheme.objects.filter(survey=survey)
        .order_by("-computed_at")
        .values("computed_at", "basis", "model_version")
        .first()
    )
    if last is None or last["model_version"] != version:
        return True
    if analysed >= last["basis"] * (1 + THEMES_GROWTH):
        return True
    now = now or timezone.now()
    return analysed != last["basis"] and now - last["computed_at"] >= THEMES_EVERY


def compute_themes(survey: Survey, *, force: bool = False) -> int | None:
    """Compute the survey's themes and tag each answer with its theme; return how many.

    Return None when they were not due (or `contento.text` is missing). The old themes are
    replaced as a whole, in one transaction, so the dashboard never shows half of each.
    """
    text = _text_library()
    if text is None:
        return None
    version = text.model_version()
    if not force and not themes_due(survey, version):
        return None
    rows = list(_analysed(survey).order_by("pk").values_list("pk", "text", "analysis"))
    found = []
    if len(rows) >= MIN_THEME_ANSWERS:
        found = text.themes(
            [row[1] for row in rows],
            language=survey.default_language,
            analyses=[text.Analysis.from_dict(row[2]) for row in rows],
        )
    now = timezone.now()
    with transaction.atomic():
        # Two workers computing the same survey's themes write one after the other.
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        Answer.objects.filter(survey=survey, theme__isnull=False).update(theme=None)
        SurveyTheme.objects.filter(survey=survey).delete()
        created = SurveyTheme.objects.bulk_create(
            SurveyTheme(
                survey=survey,
                position=position,
                label=theme.label[:200],
                labels={k: v[:200] for k, v in theme.labels.items()},
                terms=list(theme.terms),
                examples=list(theme.examples),
                size=theme.size,
                share=theme.share,
                sentiment=theme.sentiment,
                basis=len(rows),
                model_version=version,
                computed_at=now,
            )
            for position, theme in enumerate(found)
        )
        for theme, row in zip(found, created, strict=True):
            members = [rows[i][0] for i in theme.indices]
            for start in range(0, len(members), 500):
                Answer.objects.filter(pk__in=members[start : start + 500]).update(theme=row)
    log.info("survey themes computed", extra={"survey": str(survey.code), "themes": len(created)})
    return len(created)


def finish_themes(survey_id: int) -> None:
    """Let the survey's themes be queued again (called when a queued computation ends)."""
    cache.delete(_queued_key(survey_id))
