"""Time the overview and the drivers over millions of answers: Contento's path, SQL and numpy.

For SQLite and for PostgreSQL, one workspace with one live survey of 10 scored questions (an
NPS 0-10, a CSAT 1-5, a CES 1-7 and 7 attribute ratings 1-5, all on one page) gets N complete
responses (1,000,000 by default: 10 million answers) spread over the last 24 calendar months,
in 6 languages and 20 customer segments. Scores are drawn with numpy from one latent
satisfaction per response (plus a segment effect and a trend over time), so the items are
correlated as real answers are and key-driver analysis has something to find.

The rows are written straight to the tables, not through `do_submit_response`:
PostgreSQL's binary `COPY` (psycopg) and `executemany` in one transaction for SQLite
(synchronous=OFF, journal_mode=OFF during the load only), with the tables' non-unique
indexes (and, on PostgreSQL, their foreign keys) dropped before and created again after.
Production keeps `surveys.ScoreCount` in step answer by answer (`rollups.record`, in the
transaction of the answers); the bench seeds it in bulk instead, with one
`INSERT ... SELECT ... GROUP BY` over the answers per dimension: `all`, `language` and
`segment`. The segment stands for a slice kept in the rollups as of the answer, as `language`
is: the bench stores each response's segment ("s01".."s20") in a bench-only side table
`bench_response_segment(response_id, segment)` and writes the `segment` dimension of the counts
itself, since production keeps no such dimension. (The overview's customer-attribute slices,
`insights.slices`, are grouped scans over the answers joined to their customer, because those
attributes change after the answer; they are not timed here.)

The overview is NPS by month over the last 12 months and CSAT by segment (all time), each
with its intervals. It is computed three ways, in one Django process, on the same data:

* Contento: `insights.overview.by_month(org, "nps")` and `by_dimension(org, "csat",
  "segment")`, ORM included: grouped sums over `ScoreCount`.
* plain SQL: `GROUP BY` over the answers table (joined to the questions and the survey; the
  segment comes from a join to `bench_response_segment`), through the DB-API driver; the
  figures from the counts with `metrics.estimate`, i.e. `contento.stats`.
* numpy: the answers already in memory as flat arrays (question, value, month, segment), one
  mask and one `bincount` per figure set: the practical floor for a pass over the answers.

The drivers are those of NPS among the 7 attribute ratings over all time (Shapley R², relative
weights, IPA quadrants), from the pairwise count and sums of the 8 variables: Contento reads
them from `PairMoment` (`insights.drivers.analyse`), which the bench writes in bulk from numpy
as `rollups.record_pairs` would; plain SQL joins the answers to themselves on the response and
groups by the pair of questions; numpy pivots the in-memory answers to responses x items and
takes four matrix products. All three end in `drivers.from_summary`.

Each path runs once to warm up, then `--repeat` times; the medians are printed with the
ratios. The three must agree exactly (counts and figures), or the run fails. Timings are on
whatever machine runs this; compare the ratios, and run it on an otherwise idle machine.

Run from the repository root (PostgreSQL at 127.0.0.1:5432 with trust auth; the database
`contento_bench_insights` is dropped and created again, and dropped at the end unless --keep):

    .venv/bin/python bench/insights.py [--responses 1000000] [--db both] [--repeat 5] [--keep]
"""

import argparse
import contextlib
import datetime as dt
import functools
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import astuple, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
CONTENTO = [sys.executable, "-m", "contento.cli"]
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench_insights"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
KEEP_DIR = ROOT / "var" / "bench-insights"
SEED = 20261123
MONTHS = 24
SEGMENTS = [f"s{k:02d}" for k in range(1, 21)]
LANGUAGES = ["en", "es", "fr", "ru", "vi", "id"]
LANGUAGE_SHARES = [0.45, 0.18, 0.12, 0.10, 0.08, 0.07]
# The 10 scored items: key, type, scale, and the share of each score (low to high).
QUESTIONS = [
    ("nps", "nps", (0, 10), [2, 1, 2, 3, 3, 6, 7, 14, 20, 18, 24]),
    ("csat", "csat", (1, 5), [4, 7, 15, 40, 34]),
    ("ces", "ces", (1, 7), [3, 4, 8, 15, 25, 25, 20]),
    # Attribute ratings, each with its own mean: price and billing rated lowest.
    ("price", "rating", (1, 5), [10, 18, 30, 27, 15]),
    ("quality", "rating", (1, 5), [3, 7, 20, 38, 32]),
    ("delivery", "rating", (1, 5), [5, 10, 25, 35, 25]),
    ("support", "rating", (1, 5), [6, 9, 22, 33, 30]),
    ("website", "rating", (1, 5), [4, 10, 30, 36, 20]),
    ("onboarding", "rating", (1, 5), [7, 12, 28, 32, 21]),
    ("billing", "rating", (1, 5), [9, 15, 30, 28, 18]),
]
ITEMS = len(QUESTIONS)
NPS, CSAT = 0, 1  # their positions in QUESTIONS
PATHS = ("contento", "sql", "numpy")
TARGET_MS, TARGET_RATIO = 100.0, 50.0
PG_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z, where PostgreSQL's timestamps count from
run = functools.partial(subprocess.run, cwd=ROOT, check=True)


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


@dataclass
class Database:
    """One database under test, and how to reach it without Django."""

    key: str  # "sqlite" or "postgres"
    label: str
    url: str | None  # None: SQLite at `sqlite_path`
    sqlite_path: Path

    def connect(self, **options):
        if self.url is not None:
            return psycopg.connect(self.url, **options)
        # What contento.settings gives Django.
        conn = sqlite3.connect(self.sqlite_path, timeout=20, **options)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def execute(self, conn, sql: str, params=()):
        return conn.execute(sql.replace("%s", "?") if self.url is None else sql, params)


# The data ------------------------------------------------------------------------------------


def month_start(months_since_epoch: int) -> dt.date:
    year, month = divmod(months_since_epoch, 12)
    return dt.date(1970 + year, month + 1, 1)


def generate(n: int, now: dt.datetime) -> dict[str, np.ndarray]:
    """Draw n responses: time, language, segment and 10 correlated scores each."""
    rng = np.random.default_rng(SEED)
    this_month = (now.year - 1970) * 12 + now.month - 1
    first_month = this_month - (MONTHS - 1)
    start = dt.datetime.combine(month_start(first_month), dt.time(), dt.UTC)
    end = now - dt.timedelta(hours=1)
    completed = np.sort(rng.integers(int(start.timestamp()), int(end.timestamp()), n))
    started = completed - rng.integers(60, 900, n)
    month = completed.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    month -= first_month
    language = rng.choice(len(LANGUAGES), n, p=LANGUAGE_SHARES).astype(np.int8)
    shares = 1 / np.arange(1, len(SEGMENTS) + 1) ** 0.7  # a few large segments, many small
    segment = rng.choice(len(SEGMENTS), n, p=shares / shares.sum()).astype(np.int8)

    # One latent satisfaction per response: segment effect, a slow improvement, noise.
    segment_effect = rng.normal(0, 0.3, len(SEGMENTS))
    trend = 0.3 * month / (MONTHS - 1) + 0.08 * np.sin(2 * np.pi * month / 12)
    overall = segment_effect[segment] + trend + rng.standard_normal(n)
    # 7 attribute ratings load on it; NPS, CSAT and CES depend on some of them (the drivers).
    loadings = np.array([0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5])
    ratings = overall[:, None] * loadings + 0.8 * rng.standard_normal((n, 7))
    latent = np.empty((n, ITEMS))
    weights = np.array([0.30, 0.22, 0.16, 0.10, 0.06, 0.03, 0.0])
    latent[:, NPS] = ratings @ weights + 0.5 * overall + 0.7 * rng.standard_normal(n)
    latent[:, CSAT] = ratings[:, :3] @ [0.2, 0.15, 0.1] + 0.6 * overall + rng.standard_normal(n)
    latent[:, 2] = 0.4 * ratings[:, 3] + 0.4 * overall + rng.standard_normal(n)
    latent[:, 3:] = ratings
    scores = np.empty((n, ITEMS), dtype=np.int8)
    for j, (_key, _type, (low, _high), shares_pct) in enumerate(QUESTIONS):
        cuts = np.quantile(latent[:, j], np.cumsum(shares_pct)[:-1] / sum(shares_pct))
        scores[:, j] = low + np.searchsorted(cuts, latent[:, j], side="right")
    return {
        "completed": completed,
        "started": started,
        "month": month.astype(np.int8),
        "first_month": np.array(first_month),
        "language": language,
        "segment": segment,
        "scores": scores,
        "codes": np.frombuffer(rng.bytes(16 * n), dtype="V16"),
    }


def sqlite_times(seconds: np.ndarray) -> np.ndarray:
    """Format epoch seconds as Django stores datetimes in SQLite: naive UTC, a space."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").tolist()
    return np.array([t.replace("T", " ") for t in text], dtype=object)


def pg_binary(n: int, columns: list[tuple[str | None, object]]) -> bytes:
    """Return n rows in PostgreSQL's binary COPY format, built column by column with numpy.

    Each column is (numpy format, values): ">i8" bigint, ">i4" integer, ">i2" smallint,
    "u1" boolean, "S<k>" text of k bytes, "V16" uuid; (None, None) is the empty string.
    """
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, (fmt, _values) in enumerate(columns):
        fields.append((f"len{i}", ">i4"))
        if fmt:
            fields.append((f"val{i}", fmt))
    rows = np.empty(n, np.dtype(fields))
    rows["count"] = len(columns)
    for i, (fmt, values) in enumerate(columns):
        rows[f"len{i}"] = np.dtype(fmt).itemsize if fmt else 0
        if fmt:
            rows[f"val{i}"] = values
    return rows.tobytes()


PG_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, no header extension
PG_TRAILER = b"\xff\xff"


# Loading -------------------------------------------------------------------------------------

RESPONSE_COLUMNS = (
    "id, survey_id, code, language, status, source, page, request_hash,"
    " started_at, updated_at, completed_at, is_test"
)
ANSWER_COLUMNS = (
    "id, response_id, survey_id, question_id, part, value, text, language, answered_at,"
    " angry, sentiment, text_language, is_test"  # no text: nothing to read
)
SEGMENT_TABLE = "CREATE TABLE bench_response_segment (response_id {} PRIMARY KEY, segment {})"
# The score counts of the bench's answers, one statement per dimension: (value, join).
SLICES = {
    "all": ("''", ""),
    "language": ("a.language", ""),
    "segment": ("g.segment", "JOIN bench_response_segment g ON g.response_id = a.response_id"),
}
# The tables the load writes: their secondary indexes and constraints are dropped before it and
# created again after it, which is much faster than maintaining them row by row.
LOADED_TABLES = (
    "surveys_response",
    "surveys_answer",
    "insights_scorecount",
    "insights_monthlyscorecount",
)
DAY = {
    "sqlite": "substr(a.answered_at, 1, 10)",
    "postgres": "(a.answered_at AT TIME ZONE 'UTC')::date",
}


def score_count_sql(db: Database, dimension: str) -> str:
    value, join = SLICES[dimension]
    day = DAY[db.key]
    group = ["a.survey_id", "a.question_id", "a.part", day, "a.value"]
    group += [] if value == "''" else [value]  # PostgreSQL refuses a constant in GROUP BY
    return (
        "INSERT INTO insights_scorecount (survey_id, question_id, item_key, part, day,"
        " dimension, dimension_value, value, n)"
        f" SELECT a.survey_id, a.question_id, '', a.part, {day}, '{dimension}', {value},"
        f" a.value, count(*) FROM surveys_answer a {join}"
        " WHERE a.survey_id = %s AND a.value IS NOT NULL AND a.item_id IS NULL"
        f" GROUP BY {', '.join(group)}"
    )


MONTH = {
    "sqlite": "substr(s.day, 1, 7) || '-01'",
    "postgres": "date_trunc('month', s.day)::date",
}


def monthly_count_sql(db: Database) -> str:
    """Sum the daily counts per month, as `rollups.record` keeps them in production."""
    month = MONTH[db.key]
    columns = "survey_id, question_id, item_key, part, dimension, dimension_value, value"
    return (
        f"INSERT INTO insights_monthlyscorecount ({columns}, month, n)"
        f" SELECT {', '.join('s.' + c.strip() for c in columns.split(','))}, {month}, sum(s.n)"
        " FROM insights_scorecount s WHERE s.survey_id = %s"
        f" GROUP BY {', '.join('s.' + c.strip() for c in columns.split(','))}, {month}"
    )


PAIR_COLUMNS = (
    "survey_id, month, dimension, dimension_value, var_a, var_b,"
    " n, sum_a, sum_b, sum_aa, sum_bb, sum_ab"
)


def pair_moment_rows(data: dict, ids: dict) -> list[tuple]:
    """Return the `PairMoment` rows of the responses, as `rollups.record_pairs` keeps them.

    Per month of the response's start (UTC) and per slice (`all`, and the response's language:
    every answer of a bench response has its language), the count and the sums of every pair of
    the 10 scored variables, the variable named "<question id>::" and each pair in name order.
    """
    names = [f"{ids['questions'][q[0]]}::" for q in QUESTIONS]
    order = sorted(range(ITEMS), key=lambda j: names[j])
    month = data["started"].astype("datetime64[s]").astype("datetime64[M]")
    months, month_index = np.unique(month, return_inverse=True)
    rows = []
    for m, label in enumerate(months.astype("datetime64[D]").astype(object)):
        in_month = month_index == m
        slices = [("all", "", in_month)]
        slices += [
            ("language", code, in_month & (data["language"] == k))
            for k, code in enumerate(LANGUAGES)
        ]
        for dimension, value, keep in slices:
            scores = data["scores"][keep].astype(np.int64)
            n = len(scores)
            if not n:
                continue
            sums, products = scores.sum(axis=0), scores.T @ scores
            for x, i in enumerate(order):
                for j in order[x:]:
                    rows.append(
                        (
                            ids["survey"], label.isoformat(), dimension, value, names[i], names[j],
                            n, int(sums[i]), int(sums[j]), int(products[i, i]),
                            int(products[j, j]), int(products[i, j]),
                        )
                    )  # fmt: skip
    return rows


class Steps:
    """Time named steps of the load, printing each as it ends."""

    def __init__(self, label: str):
        self.label, self.seconds = label, {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        print(f"{self.label}: {name}...", flush=True)
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start


def chunks(data: dict, per_chunk: int):
    """Yield (first, end) ranges over the responses, per_chunk responses each."""
    n = len(data["completed"])
    for first in range(0, n, per_chunk):
        yield first, min(n, first + per_chunk)


def load_sqlite(db: Database, data: dict, ids: dict, steps: Steps) -> None:
    conn = sqlite3.connect(db.sqlite_path, isolation_level=None)
    # Fast and unsafe during the load only: no journal, no fsync, a big cache for the sorts.
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=2"):
        conn.execute(f"PRAGMA {pragma}")
    n, survey, base = len(data["completed"]), ids["survey"], ids["response_base"]
    answer_base = ids["answer_base"]
    question_ids = np.array([ids["questions"][q[0]] for q in QUESTIONS], dtype=np.int64)
    languages = np.array(LANGUAGES, dtype=object)[data["language"]]
    with steps("drop indexes"):
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ("
            + ", ".join("?" * len(LOADED_TABLES))
            + ")",
            LOADED_TABLES,
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
    with steps("responses"):
        completed = sqlite_times(data["completed"])
        started = sqlite_times(data["started"])
        codes = data["codes"].tobytes().hex()
        rows = zip(
            range(base, base + n),
            [codes[32 * i : 32 * i + 32] for i in range(n)],
            languages.tolist(),
            started.tolist(),
            completed.tolist(),
            completed.tolist(),
            strict=True,
        )
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO surveys_response ({RESPONSE_COLUMNS})"
            f" VALUES (?, {survey}, ?, ?, 'complete', 'link', 1, '', ?, ?, ?, 0)",
            rows,
        )
        conn.execute("COMMIT")
    with steps("answers"):
        conn.execute("BEGIN")
        for first, end in chunks(data, 100_000):
            k = end - first
            rows = zip(
                range(answer_base + first * ITEMS, answer_base + end * ITEMS),
                np.repeat(np.arange(base + first, base + end), ITEMS).tolist(),
                np.tile(question_ids, k).tolist(),
                data["scores"][first:end].ravel().tolist(),
                np.repeat(languages[first:end], ITEMS).tolist(),
                np.repeat(completed[first:end], ITEMS).tolist(),
                strict=True,
            )
            conn.executemany(
                f"INSERT INTO surveys_answer ({ANSWER_COLUMNS})"
                f" VALUES (?, ?, {survey}, ?, '', ?, '', ?, ?, 0, '', '', 0)",
                rows,
            )
        conn.execute("COMMIT")
    with steps("segment side table"):
        conn.execute(SEGMENT_TABLE.format("INTEGER", "text NOT NULL"))  # the rowid
        segments = np.array(SEGMENTS, dtype=object)[data["segment"]].tolist()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO bench_response_segment VALUES (?, ?)",
            zip(range(base, base + n), segments, strict=True),
        )
        conn.execute("COMMIT")
    with steps("score counts"):
        conn.execute("BEGIN")
        for dimension in SLICES:
            db.execute(conn, score_count_sql(db, dimension), (survey,))
        db.execute(conn, monthly_count_sql(db), (survey,))
        conn.execute("COMMIT")
    with steps("pair sums"):
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO insights_pairmoment ({PAIR_COLUMNS}) VALUES ({', '.join('?' * 12)})",
            pair_moment_rows(data, ids),
        )
        conn.execute("COMMIT")
    with steps("create indexes"):
        for _name, sql in indexes:
            conn.execute(sql)
    # What `PRAGMA optimize` would do, with its sampling limit, so the planner has statistics.
    with steps("ANALYZE"):
        conn.execute("PRAGMA analysis_limit=1000")
        conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()


def load_postgres(db: Database, data: dict, ids: dict, steps: Steps) -> None:
    n, survey, base = len(data["completed"]), ids["survey"], ids["response_base"]
    answer_base = ids["answer_base"]
    question_ids = np.array([ids["questions"][q[0]] for q in QUESTIONS], dtype=np.int64)
    languages = np.array([code.encode() for code in LANGUAGES], dtype="S2")[data["language"]]
    completed = (data["completed"] - PG_EPOCH) * 1_000_000
    with db.connect() as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET work_mem = '256MB'")
        with steps("drop indexes and constraints"):
            # Indexes of their own (not a constraint's), then unique and foreign-key constraints.
            indexes = conn.execute(
                "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                " JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                " WHERE t.relname = ANY(%s) AND NOT x.indisprimary AND NOT EXISTS"
                " (SELECT FROM pg_constraint k WHERE k.conindid = x.indexrelid"
                " AND k.conrelid = x.indrelid)",
                (list(LOADED_TABLES),),
            ).fetchall()
            constraints = conn.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype IN ('u', 'f')"
                " AND conrelid::regclass::text = ANY(%s) ORDER BY contype DESC",
                (list(LOADED_TABLES),),
            ).fetchall()  # foreign keys first
            for table, name, _definition in constraints:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            conn.commit()
        with steps("responses"):
            rows = pg_binary(
                n,
                [
                    (">i8", np.arange(base, base + n)),
                    (">i8", survey),
                    ("V16", data["codes"]),
                    ("S2", languages),
                    ("S8", b"complete"),
                    ("S4", b"link"),
                    (">i2", 1),
                    (None, None),
                    (">i8", (data["started"] - PG_EPOCH) * 1_000_000),
                    (">i8", completed),
                    (">i8", completed),
                    ("u1", 0),
                ],
            )
            sql = f"COPY surveys_response ({RESPONSE_COLUMNS}) FROM STDIN (FORMAT BINARY)"
            with conn.cursor().copy(sql) as copy:
                copy.write(PG_HEADER + rows + PG_TRAILER)
            conn.commit()
        with steps("answers"):
            sql = f"COPY surveys_answer ({ANSWER_COLUMNS}) FROM STDIN (FORMAT BINARY)"
            with conn.cursor().copy(sql) as copy:
                copy.write(PG_HEADER)
                for first, end in chunks(data, 100_000):
                    k = end - first
                    rows = pg_binary(
                        k * ITEMS,
                        [
                            (
                                ">i8",
                                np.arange(answer_base + first * ITEMS, answer_base + end * ITEMS),
                            ),
                            (">i8", np.arange(base + first, base + end).repeat(ITEMS)),
                            (">i8", survey),
                            (">i8", np.tile(question_ids, k)),
                            (None, None),
                            (">i4", data["scores"][first:end].ravel()),
                            (None, None),
                            ("S2", languages[first:end].repeat(ITEMS)),
                            (">i8", completed[first:end].repeat(ITEMS)),
                            ("u1", 0),
                            (None, None),
                            (None, None),
                            ("u1", 0),
                        ],
                    )
                    copy.write(rows)
                copy.write(PG_TRAILER)
            conn.commit()
        with steps("segment side table"):
            conn.execute(SEGMENT_TABLE.format("bigint", "varchar(3) NOT NULL"))
            segments = np.array([s.encode() for s in SEGMENTS], dtype="S3")[data["segment"]]
            rows = pg_binary(n, [(">i8", np.arange(base, base + n)), ("S3", segments)])
            with conn.cursor().copy("COPY bench_response_segment FROM STDIN (FORMAT BINARY)") as c:
                c.write(PG_HEADER + rows + PG_TRAILER)
            conn.commit()
        with steps("score counts"):
            conn.execute("ANALYZE surveys_answer, bench_response_segment")  # for the plans
            for dimension in SLICES:
                conn.execute(score_count_sql(db, dimension), (survey,))
            conn.execute("ANALYZE insights_scorecount")
            conn.execute(monthly_count_sql(db), (survey,))
            conn.commit()
        with steps("pair sums"):
            conn.cursor().executemany(
                f"INSERT INTO insights_pairmoment ({PAIR_COLUMNS})"
                f" VALUES ({', '.join(['%s'] * 12)})",
                pair_moment_rows(data, ids),
            )
            conn.commit()
        with steps("create indexes and constraints"):
            for _name, definition in indexes:
                conn.execute(definition)
            for table, name, definition in reversed(constraints):  # unique ones first
                conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table in LOADED_TABLES:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
            conn.commit()
    with db.connect(autocommit=True) as conn, steps("VACUUM ANALYZE"):
        conn.execute("VACUUM ANALYZE")


# Inside a Django process: this file run with --child -----------------------------------------


def setup() -> None:
    """Create the workspace and its live survey; print their ids as JSON."""
    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.surveys.actions import do_create_survey, do_set_survey_status
    from contento.surveys.models import Answer, Response

    questions = []
    for key, qtype, (low, high), _shares in QUESTIONS:
        question = {"key": key, "type": qtype, "page": 1, "required": True}
        question["text"] = {"en": f"{key.title()}?"}
        if qtype == "rating":
            question.update(min=low, max=high)
        questions.append(question)
    document = {
        "format": "contento.survey/1",
        "title": {"en": "Relationship survey"},
        "default_language": "en",
        "languages": LANGUAGES,
        "questions": questions,
    }
    owner = do_create_user(email="bench@example.test", password=None, name="Bench")
    org = do_create_organization(name="Bench", owner=owner)
    survey = do_set_survey_status(do_create_survey(org, document, user=owner), "live")
    last = {
        m: m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for m in (Answer, Response)
    }
    ids = {
        "organization": org.pk,
        "survey": survey.pk,
        "questions": {q.key: q.pk for q in survey.questions.all()},
        "response_base": last[Response] + 1,  # the ids the loaded rows start from
        "answer_base": last[Answer] + 1,
    }
    print(json.dumps(ids))


@dataclass
class Window:
    """The overview's period: the last 12 calendar months, as `by_month` counts them."""

    first: dt.date  # first day of the first month shown
    labels: list[str]  # "YYYY-MM", oldest first
    first_index: int  # position of `first` among the generated months (0 = oldest)


class Overview:
    """NPS by month (last 12 months) and CSAT by segment (all time), three ways.

    Each path is a list of functions, one per part; a function returns
    [(label, counts, figure)] (Contento's returns its `Slice`s).
    """

    parts = ("NPS by month", "CSAT by segment")
    paths = {
        "contento": "Contento: score counts via the ORM",
        "sql": "plain SQL: GROUP BY over answers",
        "numpy": "numpy: bincount over arrays",
    }

    @staticmethod
    def comparable(rows) -> list:
        """Turn a part's result into something == can compare across paths: sorted, plain ints."""
        out = []
        for row in rows:
            label, counts, figure = (
                (row.label, row.counts, row.figure) if hasattr(row, "label") else row
            )
            counts = {int(k): int(v) for k, v in counts.items()}
            out.append((label, counts, astuple(figure) if figure else None))
        return sorted(out, key=lambda row: row[0])

    @staticmethod
    def describe(results: list) -> str:
        return ", ".join(
            f"{len(rows)} slices over {sum(sum(c.values()) for _l, c, _f in rows):,} answers"
            for rows in results
        )

    def __init__(self, db: Database, ids: dict, arrays: dict, window: Window):
        from contento.accounts.models import Organization

        self.db, self.window, self.arrays = db, window, arrays
        self.org = Organization.objects.get(pk=ids["organization"])
        self.raw = db.connect(autocommit=True) if db.url else db.connect()

    def contento(self):
        from contento.insights.overview import by_dimension, by_month

        return [
            lambda: by_month(self.org, "nps"),
            lambda: by_dimension(self.org, "csat", "segment"),
        ]

    # Plain SQL: the answers table, grouped by month or by segment and by score.
    SQL = (
        "SELECT {group}, a.value, count(*) FROM surveys_answer a"
        " JOIN surveys_question q ON q.id = a.question_id"
        " JOIN surveys_survey s ON s.id = a.survey_id {join}"
        " WHERE s.organization_id = %s AND q.kind = %s AND a.item_id IS NULL AND a.part = ''"
        " AND a.value IS NOT NULL {where} GROUP BY 1, 2"
    )
    MONTH = {
        "sqlite": "substr(a.answered_at, 1, 7)",
        "postgres": "date_trunc('month', a.answered_at AT TIME ZONE 'UTC')",
    }

    def sql(self):
        from contento.surveys.metrics import estimate

        db, org, window = self.db, self.org, self.window
        by_month = self.SQL.format(
            group=self.MONTH[db.key], join="", where="AND a.answered_at >= %s"
        )
        by_segment = self.SQL.format(
            group="g.segment",
            join="JOIN bench_response_segment g ON g.response_id = a.response_id",
            where="",
        )
        since = dt.datetime.combine(window.first, dt.time(), dt.UTC)
        since = since.replace(tzinfo=None).isoformat(" ") if db.url is None else since

        def nps_by_month():
            counts = {label: {} for label in window.labels}
            for month, value, n in db.execute(self.raw, by_month, (org.pk, "nps", since)):
                counts[month if db.url is None else month.strftime("%Y-%m")][value] = n
            return [(label, c, estimate("nps", c)) for label, c in counts.items()]

        def csat_by_segment():
            counts: dict[str, dict[int, int]] = {}
            for segment, value, n in db.execute(self.raw, by_segment, (org.pk, "csat")):
                counts.setdefault(segment, {})[value] = n
            rows = [(label, c, estimate("csat", c)) for label, c in counts.items()]
            return sorted(rows, key=lambda row: -sum(row[1].values()))

        return [nps_by_month, csat_by_segment]

    def numpy(self):
        from contento.surveys.metrics import estimate

        a, window = self.arrays, self.window
        months, segments = len(window.labels), len(SEGMENTS)

        def nps_by_month():
            keep = (a["question"] == NPS) & (a["month"] >= window.first_index)
            cells = (a["month"][keep] - window.first_index).astype(np.intp) * 11
            table = np.bincount(cells + a["value"][keep], minlength=months * 11).reshape(-1, 11)
            result = []
            for label, row in zip(window.labels, table.tolist(), strict=True):
                counts = {score: n for score, n in enumerate(row) if n}
                result.append((label, counts, estimate("nps", counts)))
            return result

        def csat_by_segment():
            keep = a["question"] == CSAT
            cells = a["segment"][keep].astype(np.intp) * 6 + a["value"][keep]
            table = np.bincount(cells, minlength=segments * 6).reshape(-1, 6)
            rows = []
            for label, row in zip(SEGMENTS, table.tolist(), strict=True):
                counts = {score: n for score, n in enumerate(row) if n}
                if counts:
                    rows.append((label, counts, estimate("csat", counts)))
            return sorted(rows, key=lambda row: -sum(row[1].values()))

        return [nps_by_month, csat_by_segment]


class Drivers:
    """The drivers of NPS among the 7 attribute ratings over all time, three ways.

    Shapley R² (LMG), relative weights and the IPA quadrants of `insights.drivers`, as the
    drivers page computes them, from the pairwise count and sums of every pair of the 8
    variables: Contento reads them from `PairMoment` (`drivers.analyse`, the survey's
    variables and ORM included); plain SQL joins the answers to themselves on the response and
    groups by the pair of questions; numpy pivots the answers in memory to responses × items
    and takes the sums with four matrix products. Both then call `drivers.from_summary`.
    """

    parts = ("NPS drivers",)
    paths = {
        "contento": "Contento: pair sums via the ORM",
        "sql": "plain SQL: self-join GROUP BY",
        "numpy": "numpy: pivot, matrix products",
    }

    def __init__(self, db: Database, ids: dict, arrays: dict, window: Window):
        from contento.surveys.models import Survey

        self.db, self.arrays = db, arrays
        self.survey = Survey.objects.get(pk=ids["survey"])
        self.raw = db.connect(autocommit=True) if db.url else db.connect()
        questions = [ids["questions"][q[0]] for q in QUESTIONS]
        self.columns = [*questions[3:], questions[NPS]]  # the items, then the outcome
        self.names = [f"{q}::" for q in self.columns]
        self.labels = [f"{q[0].title()}?" for q in QUESTIONS[3:]]

    def contento(self):
        from contento.insights import drivers
        from contento.surveys.localize import localize

        def nps_drivers():
            outcomes, items = drivers.variables(localize(self.survey, "en"))
            outcome = next(o for o in outcomes if o.name == self.names[-1])
            chosen = [v for v in items if v.question_id != outcome.question_id]
            return drivers.analyse(self.survey, outcome, chosen)

        return [nps_drivers]

    SQL = (
        "SELECT a.question_id, b.question_id, count(*), sum(a.value), sum(b.value),"
        " sum(a.value * a.value), sum(b.value * b.value), sum(a.value * b.value)"
        " FROM surveys_answer a JOIN surveys_answer b ON b.response_id = a.response_id"
        " AND b.question_id >= a.question_id AND b.item_id IS NULL AND b.part = ''"
        " AND b.value IS NOT NULL AND b.question_id IN ({ids})"
        " WHERE a.survey_id = %s AND a.item_id IS NULL AND a.part = '' AND a.value IS NOT NULL"
        " AND a.question_id IN ({ids}) GROUP BY 1, 2"
    )

    def sql(self):
        from contento.insights import drivers

        db, sql = self.db, self.SQL.format(ids=", ".join(map(str, self.columns)))

        def nps_drivers():
            sums = {
                (f"{a}::", f"{b}::"): values
                for a, b, *values in db.execute(self.raw, sql, (self.survey.pk,))
            }
            summary = drivers.summary_from_pair_sums(self.names, sums)
            return drivers.from_summary(summary, self.labels)

        return [nps_drivers]

    def numpy(self):
        from contento.insights import drivers

        a = self.arrays
        wanted = [*range(3, ITEMS), NPS]  # positions in QUESTIONS, in the order of self.names
        column = np.full(ITEMS, -1)
        column[wanted] = np.arange(len(wanted))

        def nps_drivers():
            keep = column[a["question"]] >= 0
            table = np.full((a["responses"], len(wanted)), np.nan)
            table[a["response"][keep], column[a["question"][keep]]] = a["value"][keep]
            answered = ~np.isnan(table)
            observed, values = answered.astype(float), np.where(answered, table, 0.0)
            counts, sums = observed.T @ observed, values.T @ observed
            squares, products = (values * values).T @ observed, values.T @ values
            k = len(wanted)
            pairs = {
                (self.names[i], self.names[j]): (
                    counts[i, j], sums[i, j], sums[j, i], squares[i, j], squares[j, i],
                    products[i, j],
                )
                for i in range(k)
                for j in range(i, k)
            }  # fmt: skip
            summary = drivers.summary_from_pair_sums(self.names, pairs)
            return drivers.from_summary(summary, self.labels)

        return [nps_drivers]

    @staticmethod
    def comparable(result) -> list:
        """The figures the page shows, per item, and the count behind them."""
        return [
            (r.label, r.importance, r.weight_percent, r.performance, r.quadrant)
            for r in result.rows
        ] + [("R²", result.shapley.r_squared, result.responses)]

    @staticmethod
    def describe(results: list) -> str:
        (rows,) = results
        *items, (_r2, r_squared, responses) = rows
        top = sorted(items, key=lambda row: -row[1])[:3]
        named = ", ".join(f"{label} {100 * share / r_squared:.0f}%" for label, share, *_ in top)
        return f"R² = {r_squared:.3f} over {responses:,} responses; top drivers: {named}"


COMPUTATIONS = {"overview": Overview, "drivers": Drivers}


def measure(functions: list, repeat: int, comparable) -> dict:
    """Run the parts once (the warm-up, whose results are kept), then `repeat` timed times."""
    results = [fn() for fn in functions]
    parts, totals = [[] for _ in functions], []
    for _ in range(repeat):
        total = 0.0
        for i, fn in enumerate(functions):
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            parts[i].append(elapsed)
            total += elapsed
        totals.append(total)
    return {
        "results": [comparable(r) for r in results],
        "parts": [statistics.median(p) for p in parts],
        "total": statistics.median(totals),
        "all_totals": totals,
    }


def timings(spec: dict) -> None:
    """Time every computation three ways; print the medians and the agreement as JSON."""
    from django.utils import timezone

    db = Database(**{**spec["db"], "sqlite_path": Path(spec["db"]["sqlite_path"])})
    saved = np.load(spec["arrays"])
    n = len(saved["month"])
    arrays = {  # one entry per answer, as a scan would see them
        "question": np.tile(np.arange(ITEMS, dtype=np.int8), n),
        "value": saved["scores"].ravel(),
        "month": saved["month"].repeat(ITEMS),
        "segment": saved["segment"].repeat(ITEMS),
        "response": np.arange(n).repeat(ITEMS),
        "responses": n,
    }
    today = timezone.localdate()
    this_month = (today.year - 1970) * 12 + today.month - 1
    first = this_month - 11
    window = Window(
        month_start(first),
        [month_start(m).strftime("%Y-%m") for m in range(first, this_month + 1)],
        first - int(saved["first_month"]),
    )
    out = {}
    for name, computation in COMPUTATIONS.items():
        paths = computation(db, spec["ids"], arrays, window)
        measured = {
            path: measure(getattr(paths, path)(), spec["repeat"], computation.comparable)
            for path in PATHS
        }
        reference = measured["contento"]["results"]
        out[name] = {
            "parts": computation.parts,
            "paths": computation.paths,
            "agree": {path: m["results"] == reference for path, m in measured.items()},
            "what": computation.describe(reference),
            **{
                path: {k: m[k] for k in ("parts", "total", "all_totals")}
                for path, m in measured.items()
            },
        }
    print(json.dumps(out))


def child(mode: str, spec_path: str | None) -> None:
    import django

    django.setup()
    if mode == "setup":
        setup()
    else:
        timings(json.loads(Path(spec_path).read_text()))


def django_child(env: dict, mode: str, spec: Path | None = None) -> dict:
    args = ["--child", mode] + (["--spec", str(spec)] if spec else [])
    out = run([sys.executable, __file__, *args], env=env, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# The run -------------------------------------------------------------------------------------


def environment(db: Database, var_dir: Path) -> dict:
    """Return the environment for Django processes on this database (UTC, no Redis)."""
    unset = {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "TASKS_IMMEDIATE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="contento.settings",
        CONTENTO_VAR_DIR=str(var_dir),
        SECRET_KEY=f"bench-{uuid.uuid4().hex}",
        TIME_ZONE="UTC",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    if db.url is None:
        env["SQLITE_PATH"] = str(db.sqlite_path)
    else:
        env["DATABASE_URL"] = db.url
    return env


def pg_admin(db: Database, sql: str) -> None:
    with psycopg.connect(db.url, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.format(name=urlsplit(db.url).path.lstrip("/")))


def kept(db: Database, env: dict, token: str) -> dict | None:
    """Return the ids of a database this script loaded with the same data, if it is intact."""
    try:
        with contextlib.closing(db.connect()) as conn:
            row = db.execute(conn, "SELECT token, ids FROM bench_meta").fetchone()
    except (sqlite3.Error, psycopg.Error):
        return None
    if not row or row[0] != token:
        return None
    check = subprocess.run([*CONTENTO, "migrate", "--check", "-v0"], cwd=ROOT, env=env)
    return json.loads(row[1]) if check.returncode == 0 else None


def prepare(db: Database, env: dict, data: dict, token: str) -> tuple[dict, dict]:
    """Create a fresh database, migrate it, create the survey and load the data."""
    if db.url is None:
        db.sqlite_path.unlink(missing_ok=True)
    else:
        pg_admin(db, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(db, 'CREATE DATABASE "{name}"')
    steps = Steps(db.label)
    with steps("migrate and create the survey"):
        run([*CONTENTO, "migrate", "-v0"], env=env)
        ids = django_child(env, "setup")
    (load_sqlite if db.url is None else load_postgres)(db, data, ids, steps)
    with contextlib.closing(db.connect()) as conn:
        db.execute(conn, "CREATE TABLE bench_meta (token text, ids text)")
        db.execute(conn, "INSERT INTO bench_meta VALUES (%s, %s)", (token, json.dumps(ids)))
        conn.commit()
    return ids, steps.seconds


def sizes(db: Database) -> dict:
    with contextlib.closing(db.connect()) as conn:
        count = lambda sql: db.execute(conn, sql).fetchone()[0]  # noqa: E731
        return {
            "answers": count("SELECT count(*) FROM surveys_answer"),
            "score counts": count("SELECT count(*) FROM insights_scorecount"),
        }


def report(db: Database, n: int, run_info: dict, measured: dict, size: dict) -> bool:
    """Print the load steps and the timings; return whether the paths agreed."""
    steps, repeat = run_info["steps"], run_info["repeat"]
    print(f"\n{db.label}: {n:,} responses x {ITEMS} items = {size['answers']:,} answers,")
    print(f"  {len(SEGMENTS)} segments, {MONTHS} months; {size['score counts']:,} ScoreCount rows")
    if run_info["generated"] is not None:
        print(f"generate with numpy (once, for every database): {run_info['generated']:.1f} s")
    if steps:
        print(f"{'load step':<36}{'seconds':>10}")
        for name, seconds in steps.items():
            print(f"{name:<36}{seconds:>10.1f}")
        print(f"{'total':<36}{sum(steps.values()):>10.1f}")
    else:
        print("load: reused the database kept by an earlier run (--keep)")
    ok = True
    for name, m in measured.items():
        print(f"\n{db.label}: {name}, ms, median of {repeat} after a warm-up")
        before, after = run_info["load"]
        print(f"  {os.cpu_count()} CPUs, load average {before:.1f} -> {after:.1f} (1 min)")
        parts = m["parts"]
        header = "".join(f"{p:>17}" for p in parts)
        print(f"{'path':<36}{header}{name:>10}{'x Contento':>12}")
        contento = m["contento"]["total"]
        for path, label in m["paths"].items():
            cells = "".join(f"{ms(s):>17}" for s in m[path]["parts"])
            ratio = m[path]["total"] / contento
            print(f"{label:<36}{cells}{ms(m[path]['total']):>10}{ratio:>12.2f}")
        print(f"  {m['what']}")
        sql_ratio = m["sql"]["total"] / contento
        print(
            f"  SQL / Contento = {sql_ratio:.1f}x;"
            f" Contento / numpy = {contento / m['numpy']['total']:.2f}x"
        )
        if all(m["agree"].values()):
            print("  check: the three paths give identical counts and figures")
        else:
            ok = False
            print(f"  MISMATCH: agreement with Contento's results: {m['agree']}")
        if name == "overview":
            fast, ratio_ok = 1000 * contento < TARGET_MS, sql_ratio >= TARGET_RATIO
            verdict = "HOLDS" if fast and ratio_ok else "MISSED"
            print(
                f"  target at {size['answers']:,} answers: overview < {TARGET_MS:.0f} ms:"
                f" {'yes' if fast else 'no'} ({ms(contento)} ms);"
                f" >= {TARGET_RATIO:.0f}x faster than SQL: {'yes' if ratio_ok else 'no'}"
                f" ({sql_ratio:.1f}x) -> {verdict}"
            )
    return ok


def bench(db: Database, args, var_dir: Path, data: dict, arrays: Path, token: str, generated):
    env = environment(db, var_dir)
    ids = kept(db, env, token) if args.keep else None
    steps: dict = {}
    if ids is None:
        print(f"\n{db.label}: preparing a fresh database...", flush=True)
        ids, steps = prepare(db, env, data, token)
    spec = var_dir / f"spec-{db.key}.json"
    db_spec = {"key": db.key, "label": db.label, "url": db.url, "sqlite_path": str(db.sqlite_path)}
    spec.write_text(
        json.dumps({"db": db_spec, "ids": ids, "arrays": str(arrays), "repeat": args.repeat})
    )
    print(f"{db.label}: timing {', '.join(COMPUTATIONS)} three ways...", flush=True)
    before = os.getloadavg()[0]
    measured = django_child(env, "time", spec)
    run_info = {
        "steps": steps,
        "repeat": args.repeat,
        "generated": generated,
        "load": (before, os.getloadavg()[0]),
    }
    return report(db, args.responses, run_info, measured, sizes(db))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000, help="10 answers each")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs after the warm-up")
    parser.add_argument(
        "--keep",
        action="store_true",
        help=f"keep the data and databases ({KEEP_DIR.relative_to(ROOT)}/, the PostgreSQL"
        " database) and reuse them when they hold the same number of responses",
    )
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to recreate")
    parser.add_argument("--child", choices=["setup", "time"], help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.spec)
        return 0
    if urlsplit(args.pg_url).hostname not in LOOPBACK:
        parser.error("--pg-url must point at a loopback address")
    ok = True
    with contextlib.ExitStack() as stack:
        if args.keep:
            var_dir = KEEP_DIR
            var_dir.mkdir(parents=True, exist_ok=True)
        else:
            var_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="contento-")))
        n = args.responses
        databases = {
            "sqlite": Database("sqlite", "SQLite", None, var_dir / f"contento-{n}.sqlite3"),
            "postgres": Database("postgres", "PostgreSQL", args.pg_url, var_dir / "unused"),
        }
        arrays, meta = var_dir / f"answers-{n}.npz", var_dir / f"answers-{n}.json"
        if args.keep and arrays.exists() and meta.exists():
            token = json.loads(meta.read_text())["token"]
            print(f"reusing the {n:,} generated responses in {arrays}")
            data, generated = None, None
        else:
            print(f"generating {n:,} responses ({n * ITEMS:,} answers) with numpy...", flush=True)
            start = time.perf_counter()
            data = generate(n, dt.datetime.now(dt.UTC))
            generated = time.perf_counter() - start
            print(f"generated in {generated:.1f} s", flush=True)
            np.savez(arrays, **data)
            token = uuid.uuid4().hex
            meta.write_text(json.dumps({"token": token}))
        for key in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            db = databases[key]
            if data is None and not kept(db, environment(db, var_dir), token):
                data = dict(np.load(arrays))
            ok = bench(db, args, var_dir, data, arrays, token, generated) and ok
            if db.url and not args.keep:
                pg_admin(db, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
