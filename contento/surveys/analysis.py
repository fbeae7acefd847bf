"""Reading open-text answers with `contento.text`: language, sentiment, anger and themes.

The answers themselves are the queue: an answer with text and no analysis is unread. Saving
answers asks for a drain (`request_drain`) when its transaction commits; at most one drain
task waits in the analysis queue at a time, however many answers arrive, so 50 responses a
second queue one task, not 50. The drain takes the oldest unread answers from the database
in batches, reads them (identical texts once), stores each analysis with its answer, and goes
on until none is left or its time is up, when it hands over to a fresh task. A worker killed
mid-batch loses nothing: the batch's transaction rolls back and its answers stay unread, for
the next drain (or the minute's sweep) to take. The worker then recomputes a survey's themes
when enough has changed since the last time (see `themes_due`).
"""

import logging
import re
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from contento.core import queues
from contento.surveys import tracked
from contento.surveys.models import Answer, Question, Survey, SurveyTheme
from contento.surveys.signals import angry_comments

log = logging.getLogger(__name__)

# Answers per queued task of `analyze_answers` (a list of ids, as the sweep queues them).
ENQUEUE_BATCH = 200
# Answers a drain reads per transaction: a second or two of the model's time.
DRAIN_BATCH = 64
# A drain hands over to a fresh task after this long, so the lane's other work and the
# worker's lease checks get their turn.
DRAIN_SECONDS = 20
# How long "a drain is queued or running" is believed without the drain renewing it (a
# killed worker's flag expires; the sweep also asks for a drain when answers wait too long).
DRAIN_FLAG_SECONDS = 120
DRAIN_FLAG = "contento:answers-drain"
# A process that asked for a drain (or found one asked for) does not ask again for
# settings.ANALYSIS_REQUEST_MEMO_SECONDS: under a burst of submissions, one look at the shared
# cache a second per process instead of one per submission (on PostgreSQL without Redis, that
# look is four statements). So a drain that runs out of answers keeps looking for twice as
# long before it ends, and an answer saved meanwhile is read by it (`drain`).
LINGER_POLL_SECONDS = 0.2
# Themes are recomputed at most this often while answers trickle in ...
THEMES_EVERY = timedelta(minutes=10)
# ... or as soon as the analysed answers grew by this share since the last computation.
THEMES_GROWTH = 0.10
# Fewer comments than this do not make themes worth showing.
MIN_THEME_ANSWERS = 5

# The languages a comment is read as (the interface's); any other is "other".
WORKSPACE_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

ANALYSIS_FIELDS = ["analysis", "text_language", "sentiment", "sentiment_score", "anger", "angry"]


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
    """Ask for these answers to be read once the current transaction commits.

    The answers need not be named: unread ones are found in the database. One request per
    transaction, however many answers it saved; none when it rolls back.
    """
    if not any(i is not None for i in answer_ids):
        return
    waiting = transaction.get_connection().run_on_commit
    if not any(callback is _request_drain_soon for _sids, callback, _robust in waiting):
        transaction.on_commit(_request_drain_soon, robust=True)


_last_request = -float("inf")  # when this process last asked for a drain (monotonic)


def _request_drain_soon() -> None:
    """Ask for a drain, unless this process asked within the last `memo_seconds()`: the
    drain asked for then is still running or queued, and it keeps looking at least that long
    after the last answer it read."""
    global _last_request
    now = time.monotonic()
    if now - _last_request < memo_seconds():
        return
    _last_request = now
    request_drain()


def memo_seconds() -> float:
    return float(settings.ANALYSIS_REQUEST_MEMO_SECONDS)


def request_drain(*, force: bool = False) -> bool:
    """Queue a drain unless one is already queued or running; return whether one was queued.

    `force` queues one even so (the sweep's cure for a flag that outlived its drain): two
    drains at once only share the work.
    """
    if not cache.add(DRAIN_FLAG, True, timeout=DRAIN_FLAG_SECONDS) and not force:
        return False
    queues.enqueue("contento.surveys.tasks.drain_answers")
    return True


def drain(
    seconds: float = DRAIN_SECONDS, batch_size: int = DRAIN_BATCH, *, themes: bool = True
) -> int:
    """Read unread answers, oldest first, batch by batch, until none is left or `seconds`
    have passed (then a fresh drain is queued); return how many were read."""
    text = _text_library()
    if text is None:
        cache.delete(DRAIN_FLAG)
        return 0
    started, done, surveys = time.monotonic(), 0, set()
    while True:
        read, touched = _read_batch(text, batch_size)
        if not read:
            read, touched = _linger(text, batch_size, 2 * memo_seconds())
        done += read
        surveys |= touched
        if not read:
            # Lower the flag, then look once more: an answer committed before it was lowered
            # is seen here; one committed after finds no flag and queues a drain of its own.
            cache.delete(DRAIN_FLAG)
            read, touched = _read_batch(text, batch_size)
            done += read
            surveys |= touched
            if not read:
                break
            cache.set(DRAIN_FLAG, True, timeout=DRAIN_FLAG_SECONDS)
        else:
            cache.touch(DRAIN_FLAG, timeout=DRAIN_FLAG_SECONDS)
        if time.monotonic() - started >= seconds:
            queues.enqueue("contento.surveys.tasks.drain_answers")
            break
    if themes and surveys:
        version = text.model_version()
        for survey in Survey.objects.filter(pk__in=surveys):
            if themes_due(survey, version):
                schedule_themes(survey)
    return done


def _linger(text, batch_size: int, seconds: float) -> tuple[int, set[int]]:
    """Look for unread answers now and then for `seconds`; read a batch as soon as one is
    found. A process that asked for this drain lately may have saved answers since without
    asking again (`_request_drain_soon`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(min(LINGER_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        if unread_answers().exists():
            return _read_batch(text, batch_size)
    return 0, set()


def _read_batch(text, batch_size: int) -> tuple[int, set[int]]:
    """Read one batch of unread answers and store what was read; return how many and their
    surveys.

    Where the database can (PostgreSQL), the batch's rows are locked and rows another drain
    holds are skipped, so several workers share the backlog; the batch is saved in the same
    transaction. SQLite has one writer at a time: there the batch is read without a lock and
    written in a short transaction of its own, so no survey submission waits on the model.
    """
    rows = unread_answers().order_by("pk").only("pk", "survey_id", "response_id", "text")
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            batch = list(rows.select_for_update(skip_locked=True, of=("self",))[:batch_size])
            _store(text, batch)
    else:
        batch = list(rows[:batch_size])
        _store(text, batch)
    return len(batch), {a.survey_id for a in batch}


def _store(text, answers: list[Answer], batch_size: int = 64) -> None:
    """Read the answers with the model, then save the readings in one short transaction.

    The model runs before the transaction opens: on SQLite a transaction holds the only write
    lock from its start (IMMEDIATE), and every survey submission and thank-you would wait
    for the model's seconds, behind a lane that runs niced.
    """
    if not answers:
        return
    results = text.analyze_many(
        [a.text for a in answers], batch_size=batch_size, languages=WORKSPACE_LANGUAGES
    )
    for answer, result in zip(answers, results, strict=True):
        answer.analysis = result.to_dict()
        answer.text_language = result.language
        answer.sentiment = result.sentiment
        answer.sentiment_score = result.sentiment_score
        answer.anger = result.anger
        answer.angry = result.angry
    themes = tracked.find_assignments(text, answers)
    with transaction.atomic():
        # A row deleted meanwhile (a respondent re-saved the page) is simply not updated.
        Answer.objects.bulk_update(answers, ANALYSIS_FIELDS, batch_size=500)
        tracked.save_assignments(themes)
        angry = {a.response_id for a in answers if a.angry}
        if angry:
            angry_comments.send(sender=Answer, response_ids=angry)


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
    _store(text, todo, batch_size)
    if themes:
        for survey in Survey.objects.filter(pk__in={a.survey_id for a in todo}):
            if themes_due(survey, version):
                schedule_themes(survey)
    return len(todo)


# Themes ----------------------------------------------------------------------------------------


def _analysed(survey: Survey):
    return text_answers().filter(survey=survey, analysis__isnull=False)


def _unread_in(survey: Survey) -> bool:
    return unread_answers().filter(survey=survey).exists()


def themes_due(survey: Survey, version: str, now=None) -> bool:
    """Return whether the survey's themes should be computed again.

    They are due when there are none yet, when they were computed by another model, when the
    analysed answers grew by `THEMES_GROWTH` and none is left unread, or when `THEMES_EVERY`
    has passed and any answer was added or removed.
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
    # While comments wait unread, growth alone does not recompute: each computation embeds a
    # sample of up to a thousand comments, model time taken from the backlog, for themes that
    # the next minutes of reading change again. THEMES_EVERY still refreshes them meanwhile.
    if analysed >= last["basis"] * (1 + THEMES_GROWTH) and not _unread_in(survey):
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
            # Customers name the business in every theme: its name is never a label.
            exclude=re.findall(r"\w+", survey.organization.name.lower()),
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
