"""Measure the public survey submit against inserting the same rows straight into the database.

For SQLite and for PostgreSQL, each in a fresh database with a live one-page survey (an NPS
question and an open-text question), three paths write the same number of complete responses
with the same number of concurrent clients:

* web: `contento serve` (gunicorn, production settings, rate limit off) on a loopback port.
  Each response is the real respondent flow: GET /s/<code>/ for the CSRF token and the signed
  `rt` field, then POST the page; a 302 is success. Latency is the POST alone; responses/s
  counts whole responses (GET + POST). Clients are threads, each with its own httpx.Client.
* direct ORM: `do_submit_response` (one transaction each), from one process per client.
* direct SQL, the floor: one INSERT of the response and one of its two answers, in one
  transaction, with the DB-API driver (sqlite3, psycopg), from one process per client.

"x web" is a path's throughput over the web path's: what HTTP, gunicorn, middleware, CSRF, the
page's reads and its template cost. Clients, server and database share the machine, so the
absolute figures depend on it; compare the ratios. Each client first answers a separate warm-up
survey once, to keep start-up costs out of the figures. At the end the bench survey must hold
exactly one complete response per successful submission, or the run fails.

Run from the repository root (PostgreSQL at 127.0.0.1:5432 with trust auth; the database
`contento_bench` is dropped and created again):

    .venv/bin/python bench/submit.py [--responses 1000] [--concurrency 8] [--db both]
"""

import argparse
import contextlib
import functools
import json
import multiprocessing
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
CONTENTO = [sys.executable, "-m", "contento.cli"]
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFINITION = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": ["en"],
    "questions": [
        {"key": "nps", "type": "nps", "page": 1, "required": True, "text": {"en": "Recommend?"}},
        {"key": "why", "type": "text", "page": 1, "text": {"en": "Why?"}},
    ],
}
FIELDS = {n: re.compile(rf'name="{n}" value="([^"]*)"') for n in ("csrfmiddlewaretoken", "rt")}
INSERT_RESPONSE = (
    "INSERT INTO surveys_response (code, survey_id, language, status, source, page,"
    " request_hash, started_at, updated_at, completed_at, is_test)"
    " VALUES (%s, %s, 'en', 'complete', 'link', 1, '', %s, %s, %s, FALSE) RETURNING id"
)
# The analysis columns are filled later by the worker; a new answer has them blank.
INSERT_ANSWERS = (
    "INSERT INTO surveys_answer (response_id, survey_id, question_id, part, value, text,"
    " language, answered_at, text_language, sentiment, angry, is_test)"
    " VALUES (%s, %s, %s, '', %s, '', 'en', %s, '', '', FALSE, FALSE),"
    " (%s, %s, %s, '', NULL, %s, 'en', %s, '', '', FALSE, FALSE)"
)
COUNT_BY_STATUS = "SELECT status, count(*) FROM surveys_response WHERE survey_id = %s GROUP BY 1"
COUNT_ANSWERS = "SELECT count(*) FROM surveys_answer WHERE survey_id = %s"
COUNT_TEXTS = (
    "SELECT count(*), count(DISTINCT text) FROM surveys_answer"
    " WHERE survey_id = %s AND text LIKE %s"
)
run = functools.partial(subprocess.run, cwd=ROOT, check=True)


@dataclass
class Database:
    """One database under test, and how to reach it without Django."""

    label: str
    url: str | None  # None: SQLite at `sqlite_path`
    sqlite_path: Path

    def connect(self):
        if self.url is not None:
            return psycopg.connect(self.url, autocommit=True)
        # What contento.settings gives Django: IMMEDIATE transactions and these pragmas.
        conn = sqlite3.connect(self.sqlite_path, isolation_level="IMMEDIATE", timeout=20)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            conn.execute(f"PRAGMA {pragma}")
        return conn

    def execute(self, conn, sql: str, params=()):
        return conn.execute(sql.replace("%s", "?") if self.url is None else sql, params)

    def transaction(self, conn):
        return conn if self.url is None else conn.transaction()  # sqlite3: `with conn` commits


@dataclass
class Result:
    """What one path measured: each success's latency in seconds, errors, wall time."""

    path: str
    latencies: list[float]
    errors: int
    wall: float
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def ms(self, q: float) -> float:
        """Return the q-quantile latency in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[round(q * (len(ordered) - 1))] if ordered else float("nan")


# Clients -------------------------------------------------------------------------------------


def _client(make_task, indices, barrier, put) -> None:
    """Run one client: warm up, wait for the others, then call `task(i)` for each index."""
    latencies, errors, first_error, start = [], 0, "", time.monotonic()
    try:
        with make_task() as task:
            barrier.wait()
            start = time.monotonic()
            for i in indices:
                try:
                    latencies.append(task(i))  # a task returns the latency it measured
                except Exception as error:  # noqa: BLE001 - counted and reported, not fatal
                    errors += 1
                    first_error = first_error or repr(error)
    except Exception as error:  # noqa: BLE001 - a client that cannot start fails its share
        barrier.abort()
        errors, first_error = len(indices), repr(error)
    put((start, time.monotonic(), latencies, errors, first_error))


def run_clients(path: str, make_task, n: int, concurrency: int, processes: bool) -> Result:
    """Spread n tasks over `concurrency` clients (threads or forked processes) and time them."""
    if processes:
        ctx = multiprocessing.get_context("fork")
        barrier, results, start = ctx.Barrier(concurrency), ctx.Queue(), ctx.Process
    else:
        barrier, results, start = threading.Barrier(concurrency), queue.Queue(), threading.Thread
    workers = [
        start(target=_client, args=(make_task, range(k, n, concurrency), barrier, results.put))
        for k in range(concurrency)
    ]
    for worker in workers:
        worker.daemon = True  # Ctrl-C ends them with us
        worker.start()
    done = [results.get(timeout=900) for _ in workers]
    starts, ends, latencies, errors, first_errors = zip(*done, strict=True)
    for worker in workers:
        worker.join()
    wall = max(ends) - min(starts)
    latencies = [x for client in latencies for x in client]
    return Result(path, latencies, sum(errors), wall, next(filter(None, first_errors), ""))


def web_task(base_url: str, surveys: dict):
    """Answer the survey as a respondent does: GET the page, POST it; time the POST."""

    @contextlib.contextmanager
    def make():
        with httpx.Client(base_url=base_url, timeout=60) as client:

            def respond(code: str, i: int, prefix: str) -> float:
                client.cookies.clear()  # a new respondent, with no remembered response
                page = client.get(f"/s/{code}/")
                page.raise_for_status()
                data = {name: rx.search(page.text).group(1) for name, rx in FIELDS.items()}
                data.update({"page": "1", "lang": "en", "q-nps": i % 11, "q-why": f"{prefix} {i}"})
                start = time.perf_counter()
                post = client.post(f"/s/{code}/", data=data)
                elapsed = time.perf_counter() - start
                if post.status_code != 302:
                    raise RuntimeError(f"POST answered {post.status_code}: {post.text[:200]}")
                return elapsed

            respond(surveys["warmup"]["code"], 0, "warmup")
            yield lambda i: respond(surveys["bench"]["code"], i, "web")

    return make


def sql_task(db: Database, surveys: dict):
    """Insert a complete response and its two answers in one transaction, as Django would."""

    @contextlib.contextmanager
    def make():
        conn = db.connect()

        def insert(survey: dict, i: int, prefix: str) -> float:
            start = time.perf_counter()
            now, code, sid, q = datetime.now(UTC), uuid.uuid4(), survey["id"], survey["questions"]
            if db.url is None:  # Django keeps SQLite UUIDs as hex and datetimes as naive UTC
                now, code = now.replace(tzinfo=None).isoformat(" "), code.hex
            with db.transaction(conn):
                rid = db.execute(conn, INSERT_RESPONSE, (code, sid, now, now, now)).fetchone()[0]
                answers = (rid, sid, q["nps"], i % 11, now, rid, sid, q["why"], f"{prefix} {i}")
                db.execute(conn, INSERT_ANSWERS, (*answers, now))
            return time.perf_counter() - start

        try:
            insert(surveys["warmup"], 0, "warmup")
            yield lambda i: insert(surveys["bench"], i, "sql")
        finally:
            conn.close()

    return make


# Inside a Django process: this file run with --child -----------------------------------------


def child(mode: str, n: int, concurrency: int) -> None:
    """Create the surveys (`setup`) or time `do_submit_response` (`orm`); print JSON."""
    import django

    django.setup()
    from django.db import connections

    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response
    from contento.surveys.models import Response, Survey

    if mode == "setup":
        owner = do_create_user(email="bench@example.test", password=None, name="Bench")
        org = do_create_organization(name="Bench", owner=owner)
        surveys = {}
        for name in ("bench", "warmup"):
            document = {**DEFINITION, "title": {"en": f"{name} survey"}}
            survey = do_set_survey_status(do_create_survey(org, document, user=owner), "live")
            questions = {q.key: q.pk for q in survey.questions.all()}
            surveys[name] = {"code": str(survey.code), "id": survey.pk, "questions": questions}
        print(json.dumps(surveys))
        return
    bench, warmup = (Survey.objects.get(title=f"{name} survey") for name in ("bench", "warmup"))
    connections.close_all()  # each forked client opens its own connection

    @contextlib.contextmanager
    def make():
        def submit(survey, i: int, prefix: str) -> float:
            start = time.perf_counter()
            answers = {"nps": i % 11, "why": f"{prefix} {i}"}
            do_submit_response(survey, answers=answers, source=Response.Source.LINK)
            return time.perf_counter() - start

        submit(warmup, 0, "warmup")
        yield lambda i: submit(bench, i, "orm")

    print(json.dumps(run_clients("orm", make, n, concurrency, processes=True).__dict__))


def django_child(env: dict, mode: str, n: int = 0, concurrency: int = 1) -> dict:
    args = f"--child {mode} --responses {n} --concurrency {concurrency}".split()
    out = run([sys.executable, __file__, *args], env=env, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# The run -------------------------------------------------------------------------------------


def prepare(db: Database, var_dir: Path) -> dict:
    """Create a fresh database, migrate it and return the environment for Django processes."""
    # No Redis and no immediate tasks: the in-process cache and the database task queue.
    unset = {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "TASKS_IMMEDIATE"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="contento.settings",
        CONTENTO_VAR_DIR=str(var_dir),
        SECRET_KEY=f"bench-{uuid.uuid4().hex}",
        RATELIMIT_ENABLE="0",
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    if db.url is None:
        env["SQLITE_PATH"] = str(db.sqlite_path)
        db.sqlite_path.unlink(missing_ok=True)
    else:
        env["DATABASE_URL"] = db.url
        name = urlsplit(db.url).path.lstrip("/")
        with psycopg.connect(db.url, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    run([*CONTENTO, "migrate", "-v0"], env=env)
    if not (var_dir / "static" / "staticfiles.json").exists():  # the production static storage
        run([*CONTENTO, "collectstatic", "--noinput", "-v0"], env=env)
    return env


@contextlib.contextmanager
def server(env: dict, workers: int, log: Path):
    """Run `contento serve --no-worker --no-mail` on a free loopback port; yield its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = f"serve --host 127.0.0.1 --port {port} --workers {workers} --no-worker --no-mail".split()
    with log.open("w") as out:  # gunicorn's access log
        # A session of its own: Ctrl-C reaches only us, and we stop the server cleanly.
        options = dict(cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc = subprocess.Popen([*CONTENTO, *args], env=env, **options)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz in 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()  # gunicorn shuts down gracefully on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def verify(db: Database, survey: dict, results: list[Result]) -> list[str]:
    """Return what is wrong with the stored rows: one complete response per success, no more."""
    sid, problems, expected = survey["id"], [], sum(len(r.latencies) for r in results)
    conn = db.connect()
    try:
        by_status = dict(db.execute(conn, COUNT_BY_STATUS, (sid,)).fetchall())
        answers = db.execute(conn, COUNT_ANSWERS, (sid,)).fetchone()[0]
        if by_status != {"complete": expected}:
            problems.append(f"expected {expected} complete responses, found {by_status}")
        if answers != 2 * expected:
            problems.append(f"expected {2 * expected} answers, found {answers}")
        for r in results:
            total, distinct = db.execute(conn, COUNT_TEXTS, (sid, f"{r.path} %")).fetchone()
            if not total == distinct == len(r.latencies):
                problems.append(
                    f"{r.path}: {len(r.latencies)} submitted, {total} stored, {distinct} distinct"
                )
    finally:
        conn.close()
    return problems


def bench(db: Database, args, var_dir: Path) -> bool:
    """Measure the three paths on one database, print their table; return whether all held."""
    n, c = args.responses, args.concurrency
    print(f"\n{db.label}: preparing a fresh database...", flush=True)
    env = prepare(db, var_dir)
    surveys = django_child(env, "setup")
    with server(env, args.workers, var_dir / f"serve-{db.label}.log") as base_url:
        print(f"{db.label}: web path, {n} responses via {base_url}...", flush=True)
        web = run_clients("web", web_task(base_url, surveys), n, c, processes=False)
    print(f"{db.label}: direct paths...", flush=True)
    orm = Result(**django_child(env, "orm", n, c))
    sql = run_clients("sql", sql_task(db, surveys), n, c, processes=True)
    names = {
        "web": "web: GET + POST /s/<code>/",
        "orm": "direct: do_submit_response",
        "sql": f"direct: raw SQL ({'sqlite3' if db.url is None else 'psycopg'})",
    }
    print(
        f"\n{db.label}: {n} responses per path, {c} concurrent clients, "
        f"server: {args.workers} gunicorn workers x 4 threads"
    )
    print(f"{'path':<32}{'responses/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'x web':>8}")
    for r in (web, orm, sql):
        ratio = r.rate / web.rate if web.rate else float("nan")
        print(
            f"{names[r.path]:<32}{r.rate:>12.1f}{r.ms(0.50):>9.1f}{r.ms(0.99):>9.1f}"
            f"{r.errors:>8}{ratio:>8.1f}"
        )
        if r.first_error:
            print(f"  first error: {r.first_error}")
    problems = verify(db, surveys["bench"], [web, orm, sql])
    for problem in problems:
        print(f"  MISMATCH: {problem}")
    if not problems:
        stored = sum(len(r.latencies) for r in (web, orm, sql))
        print(f"verified: {stored} complete responses stored, each submission exactly once")
    return not problems and not (web.errors or orm.errors or sql.errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1000, help="responses per path")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to recreate")
    parser.add_argument("--child", choices=["setup", "orm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.responses, args.concurrency)
        return 0
    if urlsplit(args.pg_url).hostname not in LOOPBACK:
        parser.error("--pg-url must point at a loopback address")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    ok = True
    with tempfile.TemporaryDirectory(prefix="contento-bench-") as tmp:
        var_dir = Path(tmp)
        databases = {
            "sqlite": Database("SQLite", None, var_dir / "contento.sqlite3"),
            "postgres": Database("PostgreSQL", args.pg_url, var_dir / "unused.sqlite3"),
        }
        for key in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            ok = bench(databases[key], args, var_dir) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
