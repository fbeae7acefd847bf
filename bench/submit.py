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

"x web" is how many times the web path's throughput a direct path reaches: the cost of HTTP,
gunicorn, middleware, CSRF, the page's reads and its template. Clients, server and database
share the machine, so absolute figures depend on it; compare the ratios. Each client first
answers a separate warm-up survey once, so start-up costs stay out of the figures. At the end
the bench survey must hold exactly one complete response per successful submission.

Run from the repository root (PostgreSQL at 127.0.0.1:5432 with trust auth; the database
`contento_bench` is dropped and created again):

    .venv/bin/python bench/submit.py [--responses 2000] [--concurrency 8] [--db both]
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import queue
import re
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
        {"key": "nps", "type": "nps", "required": True, "page": 1,
         "text": {"en": "How likely are you to recommend us?"}},
        {"key": "why", "type": "text", "page": 1, "text": {"en": "Why?"}},
    ],
}
FIELD_RE = {name: re.compile(rf'name="{name}" value="([^"]*)"')
            for name in ("csrfmiddlewaretoken", "rt", "page", "lang")}


@dataclass
class Database:
    label: str
    url: str | None  # None: SQLite at `sqlite_path`
    sqlite_path: Path

    def connect(self):
        if self.url is None:
            conn = sqlite3.connect(self.sqlite_path, isolation_level=None, timeout=20)
            # The same pragmas as contento.settings gives Django's SQLite connections.
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=20000",
                           "foreign_keys=ON"):
                conn.execute(f"PRAGMA {pragma}")
            return conn
        return psycopg.connect(self.url, autocommit=True)

    def sql(self, text: str) -> str:
        return text.replace("%s", "?") if self.url is None else text


@dataclass
class Result:
    path: str
    latencies: list[float]
    errors: int
    wall: float
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[round(q * (len(ordered) - 1))] if ordered else float("nan")


# Running clients -----------------------------------------------------------------------------


def _client(make_task, indices, barrier, put) -> None:
    """Run one client: warm up, wait for the others, then time `task(i)` for each index."""
    latencies, errors, first_error, start = [], 0, "", time.monotonic()
    try:
        with make_task() as task:
            barrier.wait()
            start = time.monotonic()
            for i in indices:
                try:
                    latencies.append(task(i))
                except Exception as error:  # noqa: BLE001 - counted and reported, not fatal
                    errors += 1
                    first_error = first_error or repr(error)
    except Exception as error:  # noqa: BLE001 - a client that cannot start fails its share
        barrier.abort()
        errors, first_error = len(indices), repr(error)
    put((start, time.monotonic(), latencies, errors, first_error))


def run_clients(path: str, make_task, n: int, concurrency: int, processes: bool) -> Result:
    """Spread n tasks over `concurrency` clients (threads or forked processes) and time them."""
    shares = [range(k, n, concurrency) for k in range(concurrency)]
    if processes:
        ctx = multiprocessing.get_context("fork")
        barrier, results = ctx.Barrier(concurrency), ctx.Queue()
        workers = [ctx.Process(target=_client, args=(make_task, s, barrier, results.put))
                   for s in shares]
    else:
        barrier, results = threading.Barrier(concurrency), queue.Queue()
        workers = [threading.Thread(target=_client, args=(make_task, s, barrier, results.put),
                                    daemon=True) for s in shares]
    for worker in workers:
        worker.start()
    done = [results.get(timeout=900) for _ in workers]
    for worker in workers:
        worker.join()
    return Result(
        path=path,
        latencies=[x for d in done for x in d[2]],
        errors=sum(d[3] for d in done),
        wall=max(d[1] for d in done) - min(d[0] for d in done),
        first_error=next((d[4] for d in done if d[4]), ""),
    )


def web_task(base_url: str, surveys: dict):
    @contextlib.contextmanager
    def make():
        with httpx.Client(base_url=base_url, timeout=60) as client:
            def respond(code: str, i: int, prefix: str) -> float:
                client.cookies.clear()  # a new respondent: no remembered response
                page = client.get(f"/s/{code}/")
                page.raise_for_status()
                data = {name: rx.search(page.text).group(1) for name, rx in FIELD_RE.items()}
                data.update({"q-nps": str(i % 11), "q-why": f"{prefix} {i}"})
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
    """Insert a complete response and its two answers in one transaction, as Django stores them."""
    sqlite = db.url is None
    insert_response = db.sql(
        "INSERT INTO surveys_response (code, survey_id, language, status, source, page,"
        " request_hash, started_at, updated_at, completed_at)"
        " VALUES (%s, %s, 'en', 'complete', 'link', 1, '', %s, %s, %s) RETURNING id")
    insert_answers = db.sql(
        "INSERT INTO surveys_answer (response_id, survey_id, question_id, part, value, text,"
        " language, answered_at) VALUES (%s, %s, %s, '', %s, '', 'en', %s),"
        " (%s, %s, %s, '', NULL, %s, 'en', %s)")

    @contextlib.contextmanager
    def make():
        conn = db.connect()

        def insert(survey: dict, i: int, prefix: str) -> float:
            start = time.perf_counter()
            now = datetime.now(UTC)
            code = uuid.uuid4()
            if sqlite:  # Django keeps SQLite UUIDs as hex and datetimes as naive UTC text
                now, code = now.replace(tzinfo=None).isoformat(" "), code.hex
            sid, q = survey["id"], survey["questions"]
            with conn.transaction() if not sqlite else _sqlite_transaction(conn):
                rid = conn.execute(insert_response, (code, sid, now, now, now)).fetchone()[0]
                conn.execute(insert_answers, (rid, sid, q["nps"], i % 11, now,
                                              rid, sid, q["why"], f"{prefix} {i}", now))
            return time.perf_counter() - start

        try:
            insert(surveys["warmup"], 0, "warmup")
            yield lambda i: insert(surveys["bench"], i, "sql")
        finally:
            conn.close()
    return make


@contextlib.contextmanager
def _sqlite_transaction(conn):
    conn.execute("BEGIN IMMEDIATE")  # like Django's transaction_mode=IMMEDIATE
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# Inside a Django process (this file run with --child) ----------------------------------------


def child(mode: str, n: int, concurrency: int) -> None:
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
            surveys[name] = {"code": str(survey.code), "id": survey.pk,
                             "questions": {q.key: q.pk for q in survey.questions.all()}}
        print(json.dumps(surveys))
        return
    bench, warmup = (Survey.objects.get(title=f"{name} survey") for name in ("bench", "warmup"))
    connections.close_all()  # each forked client opens its own connection

    @contextlib.contextmanager
    def make():
        def submit(survey, i: int, prefix: str) -> float:
            start = time.perf_counter()
            do_submit_response(survey, answers={"nps": i % 11, "why": f"{prefix} {i}"},
                               source=Response.Source.LINK)
            return time.perf_counter() - start

        submit(warmup, 0, "warmup")
        yield lambda i: submit(bench, i, "orm")

    result = run_clients("orm", make, n, concurrency, processes=True)
    print(json.dumps(result.__dict__))


def django_child(env: dict, mode: str, n: int = 0, concurrency: int = 1) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--responses", str(n),
         "--concurrency", str(concurrency)],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# The run -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(env: dict, workers: int, log: Path):
    """Run `contento serve --no-worker` on a free loopback port; yield its base URL."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*CONTENTO, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), "--no-worker"],
            env={**env, "PORT": str(port)}, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it cleanly
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited; see {log}:\n{log.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /healthz; see {log}")
            time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()  # gunicorn shuts down gracefully on SIGTERM
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def prepare(db: Database, var_dir: Path) -> dict:
    """Create a fresh database, migrate it and return the environment for Django processes."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "TASKS_IMMEDIATE"}}
    env.update(DJANGO_SETTINGS_MODULE="contento.settings", CONTENTO_VAR_DIR=str(var_dir),
               RATELIMIT_ENABLE="0", DEBUG="0", LOG_LEVEL="WARNING")
    if db.url is None:
        db.sqlite_path.unlink(missing_ok=True)
    else:
        env["DATABASE_URL"] = db.url
        name = urlsplit(db.url).path.lstrip("/")
        with psycopg.connect(db.url, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([*CONTENTO, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    if not (var_dir / "static" / "staticfiles.json").exists():
        subprocess.run([*CONTENTO, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                       check=True)
    return env


def verify(db: Database, survey: dict, results: list[Result]) -> list[str]:
    """Return what is wrong with the stored rows: one complete response per success."""
    sid, problems = survey["id"], []
    conn = db.connect()
    try:
        by_status = dict(conn.execute(db.sql(
            "SELECT status, count(*) FROM surveys_response WHERE survey_id = %s GROUP BY status"),
            (sid,)).fetchall())
        answers = conn.execute(db.sql("SELECT count(*) FROM surveys_answer WHERE survey_id = %s"),
                               (sid,)).fetchone()[0]
        expected = sum(len(r.latencies) for r in results)
        if by_status != {"complete": expected}:
            problems.append(f"expected {expected} complete responses, found {by_status}")
        if answers != 2 * expected:
            problems.append(f"expected {2 * expected} answers, found {answers}")
        for r in results:
            total, distinct = conn.execute(db.sql(
                "SELECT count(*), count(DISTINCT text) FROM surveys_answer"
                " WHERE survey_id = %s AND text LIKE %s"), (sid, f"{r.path} %")).fetchone()
            if total != distinct or total != len(r.latencies):
                problems.append(f"{r.path}: {len(r.latencies)} submitted, {total} stored, "
                                f"{distinct} distinct")
    finally:
        conn.close()
    return problems


def bench(db: Database, args, var_dir: Path) -> bool:
    n, c = args.responses, args.concurrency
    print(f"\n{db.label}: preparing a fresh database...", flush=True)
    env = prepare(db, var_dir)
    surveys = django_child(env, "setup")
    with server(env, args.workers, var_dir / f"serve-{db.label.lower()}.log") as base_url:
        print(f"{db.label}: web path ({base_url})...", flush=True)
        web = run_clients("web", web_task(base_url, surveys), n, c, processes=False)
    print(f"{db.label}: direct paths...", flush=True)
    orm = Result(**django_child(env, "orm", n, c))
    sql = run_clients("sql", sql_task(db, surveys), n, c, processes=True)
    results = [web, orm, sql]
    names = {"web": "web: GET + POST /s/<code>/", "orm": "direct: do_submit_response",
             "sql": f"direct: raw SQL ({'sqlite3' if db.url is None else 'psycopg'})"}
    print(f"\n{db.label}: {n} responses, {c} concurrent clients, "
          f"{args.workers} gunicorn workers x 4 threads")
    print(f"{'path':<32}{'responses/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'x web':>8}")
    for r in results:
        ratio = r.rate / web.rate if web.rate else float("nan")
        print(f"{names[r.path]:<32}{r.rate:>12.1f}{r.percentile_ms(0.50):>9.1f}"
              f"{r.percentile_ms(0.99):>9.1f}{r.errors:>8}{ratio:>8.1f}")
    for r in results:
        if r.first_error:
            print(f"  first {r.path} error: {r.first_error}")
    problems = verify(db, surveys["bench"], results)
    for problem in problems:
        print(f"  MISMATCH: {problem}")
    if not problems:
        print(f"  verified: {sum(len(r.latencies) for r in results)} complete responses, "
              "each submission stored exactly once")
    return not problems and not any(r.errors for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=2000, help="responses per path")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn worker processes (default: one per CPU)")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to recreate")
    parser.add_argument("--child", choices=["setup", "orm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.responses, args.concurrency)
        return 0
    if urlsplit(args.pg_url).hostname not in LOOPBACK:
        parser.error("--pg-url must point at a loopback address")
    ok = True
    with tempfile.TemporaryDirectory(prefix="contento-bench-") as tmp:
        var_dir = Path(tmp)
        databases = {"sqlite": Database("SQLite", None, var_dir / "contento.sqlite3"),
                     "postgres": Database("PostgreSQL", args.pg_url, var_dir / "unused")}
        for key in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            ok = bench(databases[key], args, var_dir) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
