"""Keep `ScoreCount` in step with the answers, and rebuild it from them.

Every write of scored answers goes through `record`, inside the transaction that writes the
answers, with the rows removed and the rows added; the difference is applied to the counts
by one `INSERT ... ON CONFLICT DO UPDATE` statement (the same SQL on SQLite and PostgreSQL),
so concurrent submissions add up without lost updates.
"""

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from contento.insights.models import ScoreCount

KEY_FIELDS = (
    "survey_id",
    "question_id",
    "item_key",
    "part",
    "day",
    "dimension",
    "dimension_value",
    "value",
)


def dimensions(language: str) -> list[tuple[str, str]]:
    """Return the slices an answer is counted in: all answers, and its language."""
    return [("all", ""), ("language", language)]


def _keys(survey_id: int, row: tuple) -> Iterable[tuple]:
    question_id, item_key, part, value, language, answered_at = row
    day = timezone.localdate(answered_at)
    for dimension, dimension_value in dimensions(language):
        yield (
            survey_id,
            question_id,
            item_key or "",
            part or "",
            day,
            dimension,
            dimension_value,
            value,
        )


def scored_rows(answers) -> list[tuple]:
    """Return the (question, item key, part, value, language, time) of the scored answers."""
    rows = []
    for a in answers:
        if a.value is not None:
            item_key = a.item.key if a.item_id else ""
            rows.append((a.question_id, item_key, a.part, a.value, a.language, a.answered_at))
    return rows


def scored_rows_of(queryset) -> list[tuple]:
    """The same for answers still in the database (read before they are deleted)."""
    return list(
        queryset.exclude(value=None).values_list(
            "question_id", "item__key", "part", "value", "language", "answered_at"
        )
    )


def record(survey_id: int, removed: list[tuple], added: list[tuple]) -> None:
    """Apply the answers removed and added to the counts (call inside their transaction)."""
    delta: Counter = Counter()
    for row in added:
        for key in _keys(survey_id, row):
            delta[key] += 1
    for row in removed:
        for key in _keys(survey_id, row):
            delta[key] -= 1
    changes = [(*key, n) for key, n in delta.items() if n]
    if changes:
        _upsert(changes)


def _upsert(changes: list[tuple]) -> None:
    table = connection.ops.quote_name(ScoreCount._meta.db_table)
    columns = [*KEY_FIELDS, "n"]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Batches keep each statement under SQLite's limit on bound parameters.
    for start in range(0, len(changes), 500):
        batch = changes[start : start + 500]
        # Only constant names and placeholders are interpolated; every value is a parameter.
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            + ", ".join([placeholders] * len(batch))
            + f" ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET n = {table}.n + excluded.n"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for change in batch for value in change])


def rebuild(survey) -> int:
    """Recount a survey's answers from scratch; return how many counts were written."""
    from contento.surveys.models import Answer

    with transaction.atomic():
        ScoreCount.objects.filter(survey=survey).delete()
        delta: Counter = Counter()
        answers = (
            Answer.objects.filter(survey=survey)
            .exclude(value=None)
            .values_list("question_id", "item__key", "part", "value", "language", "answered_at")
        )
        for row in answers.iterator(chunk_size=5000):
            for key in _keys(survey.id, row):
                delta[key] += 1
        changes = [(*key, n) for key, n in delta.items()]
        if changes:
            _upsert(changes)
    return len(changes)
