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

from contento.surveys.models import Answer, MonthlyScoreCount, PairMoment, ScoreCount

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


MONTH_KEY_FIELDS = tuple("month" if f == "day" else f for f in KEY_FIELDS)


def _upsert(changes: list[tuple]) -> None:
    """Add daily count changes to `ScoreCount` and, summed per month, to `MonthlyScoreCount`."""
    _upsert_add(ScoreCount, KEY_FIELDS, ("n",), changes)
    day_index = KEY_FIELDS.index("day")
    monthly: Counter = Counter()
    for change in changes:
        key = list(change[:-1])
        key[day_index] = key[day_index].replace(day=1)
        monthly[tuple(key)] += change[-1]
    _upsert_add(
        MonthlyScoreCount,
        MONTH_KEY_FIELDS,
        ("n",),
        [(*key, n) for key, n in monthly.items() if n],
    )


def _upsert_add(model, key_fields: tuple, sum_fields: tuple, changes: list[tuple]) -> None:
    """Add `changes` (key values then amounts) to `model`'s rows, creating missing ones."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [*key_fields, *sum_fields]
    updates = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in sum_fields)
    conflict = f" ON CONFLICT ({', '.join(key_fields)}) DO UPDATE SET {updates}"
    if connection.vendor == "postgresql":
        # One array per column: the statement is the same whatever the number of rows, so the
        # driver does not parse a thousand placeholders on every submission.
        types = {f.column: f.db_type(connection) for f in model._meta.concrete_fields}
        arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}){conflict}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(column) for column in zip(*changes, strict=True)])
        return
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    # Batches keep each statement under SQLite's limit on bound parameters.
    per_batch = max(1, 900 // len(columns))
    for start in range(0, len(changes), per_batch):
        batch = changes[start : start + per_batch]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            + ", ".join([placeholders] * len(batch))
            + conflict
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for change in batch for value in change])


PAIR_KEYS = ("survey_id", "month", "dimension", "dimension_value", "var_a", "var_b")
PAIR_SUMS = ("n", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab")


def variable(row: tuple) -> str:
    """Name the variable a scored answer row belongs to: question id, item key and part."""
    question_id, item_key, part = row[0], row[1] or "", row[2] or ""
    return f"{question_id}:{item_key}:{part}"


def _pair_sums(survey_id: int, month, rows: list[tuple], sign: int, into: dict) -> None:
    observations = sorted((variable(r), r[3], r[4]) for r in rows)
    for i, (var_a, a, lang_a) in enumerate(observations):
        for var_b, b, lang_b in observations[i:]:
            # A pair's slice must be a function of the two answers alone, so that taking an
            # answer back removes exactly what adding it added.
            for dimension, dimension_value in dimensions(min(lang_a, lang_b)):
                key = (survey_id, month, dimension, dimension_value, var_a, var_b)
                sums = into.setdefault(key, [0] * len(PAIR_SUMS))
                for index, amount in enumerate((1, a, b, a * a, b * b, a * b)):
                    sums[index] += sign * amount


def record_pairs(response, before: list[tuple], after: list[tuple]) -> None:
    """Move a response's pair sums from its scored answers `before` to those `after`."""
    month = _month(response.started_at)
    delta: dict = {}
    _pair_sums(response.survey_id, month, before, -1, delta)
    _pair_sums(response.survey_id, month, after, +1, delta)
    changes = [(*key, *sums) for key, sums in delta.items() if any(sums)]
    if changes:
        _upsert_add(PairMoment, PAIR_KEYS, PAIR_SUMS, changes)


def rebuild(survey) -> int:
    """Recount a survey's answers from scratch; return how many rows were written."""
    with transaction.atomic():
        ScoreCount.objects.filter(survey=survey).delete()
        MonthlyScoreCount.objects.filter(survey=survey).delete()
        PairMoment.objects.filter(survey=survey).delete()
        delta: Counter = Counter()
        pairs: dict = {}
        answers = (
            Answer.objects.filter(survey=survey)
            .exclude(value=None)
            .order_by("response_id")
            .values_list(
                "question_id",
                "item__key",
                "part",
                "value",
                "language",
                "answered_at",
                "response_id",
                "response__started_at",
            )
        )
        current, started, rows = None, None, []
        for row in answers.iterator(chunk_size=5000):
            for key in _keys(survey.id, row[:6]):
                delta[key] += 1
            if row[6] != current:
                if rows:
                    _pair_sums(survey.id, _month(started), rows, +1, pairs)
                current, started, rows = row[6], row[7], []
            rows.append(row[:6])
        if rows:
            _pair_sums(survey.id, _month(started), rows, +1, pairs)
        changes = [(*key, n) for key, n in delta.items()]
        if changes:
            _upsert(changes)
        pair_changes = [(*key, *sums) for key, sums in pairs.items()]
        if pair_changes:
            _upsert_add(PairMoment, PAIR_KEYS, PAIR_SUMS, pair_changes)
    return len(changes) + len(pair_changes)


def _month(moment):
    return timezone.localdate(moment).replace(day=1)
