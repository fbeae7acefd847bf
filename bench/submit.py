"""Measure the public survey cycle as customers drive it, against inserting the same rows.

For SQLite and for PostgreSQL, each in a fresh database with one live one-page survey of nine
questions (NPS, CSAT, CES, three ratings, a single and a multiple choice, an open text):

* web: `contento serve` (gunicorn, production settings, `--no-access-log`, rate limit off) on
  a loopback port, driven by closed-loop clients (threads spread over a few processes). Each
  cycle is a new respondent: GET /s/<code>/, parse the CSRF and response tokens out of the
  page, POST the complete response (nine answers, ten rows: the multiple choice gives two);
  a 302 is success. Latency is the POST alone.
* floor: the same rows written straight into the database with the DB-API driver (sqlite3,
  psycopg): one INSERT of the response and one of its ten answers in one transaction, by the
  same number of clients. What storing a response costs at the least on this machine.

Each path warms up, then is measured for a fixed time. CPU comes from /proc: utime + stime of
the server's processes (gunicorn's master and workers; the SQLite database is inside them), of
every `postgres` process (the database server), and of the floor's client processes (its
"server"), as deltas over the measured window, divided by the submissions completed in it.
Afterwards the stored rows are counted: exactly one complete response and ten answers per
acknowledged submission (warm-up included), no more, or the run fails.

Clients, server and database share the machine: run it on an otherwise idle one. PostgreSQL at
127.0.0.1:5432 with trust auth; the database `contento_bench` is dropped and created again.

    .venv/bin/python bench/submit.py [--db both] [--clients 16] [--seconds 60] [--warmup 10]
"""

import argparse
import contextlib
import json
import multiprocessing
import os
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
CONTENTO = [sys.executable, "-m", "contento.cli"]
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TICKS = os.sysconf("SC_CLK_TCK")


def _choices(*keys: str) -> list[dict]:
    return [{"key": key, "label": {"en": key.title()}} for key in keys]


DEFINITION = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": ["en"],
    "title": {"en": "bench survey"},
    "questions": [
        {"key": "nps", "type": "nps", "page": 1, "required": True, "text": {"en": "Recommend?"}},
        {"key": "csat", "type": "csat", "page": 1, "required": True, "text": {"en": "Satisfied?"}},
        {"key": "ces", "type": "ces", "page": 1, "text": {"en": "Easy?"}},
        {"key": "speed", "type": "rating", "page": 1, "text": {"en": "Speed"}},
        {"key": "price", "type": "rating", "page": 1, "text": {"en": "Price"}},
        {"key": "staff", "type": "rating", "page": 1, "text": {"en": "Staff"}},
        {
            "key": "channel",
            "type": "single",
            "page": 1,
            "text": {"en": "Where?"},
            "choices": _choices("web", "shop", "phone"),
        },
        {
            "key": "used",
            "type": "multiple",
            "page": 1,
            "text": {"en": "Used?"},
            "choices": _choices("app", "desk", "chat"),
        },
        {"key": "why", "type": "text", "page": 1, "text": {"en": "Why?"}},
    ],
}
ROWS_PER_RESPONSE = 10  # nine answers, the multiple choice as two rows
FIELDS = {n: re.compile(rf'name="{n}" value="([^"]*)"') for n in ("csrfmiddlewaretoken", "rt")}


def answers(i: int, prefix: str) -> dict:
    """The form fields of respondent i's complete response."""
    return {
        "page": "1",
        "lang": "en",
        "q-nps": i % 11,
        "q-csat": 1 + i % 5,
        "q-ces": 1 + i % 7,
        "q-speed": 1 + i % 5,
        "q-price": 1 + (i // 5) % 5,
        "q-staff": 1 + (i // 25) % 5,
        "q-channel": ("web", "shop", "phone")[i % 3],
        "q-used": ["app", "chat"],
        "q-why": f"{prefix} {i}",
    }


INSERT_RESPONSE = (
    "INSERT INTO surveys_response (code, survey_id, language, status, source, mode, page,"
    " request_hash, started_at, updated_at, completed_at, is_test)"
    " VALUES (%s, %s, 'en', 'complete', 'link', 'self', 0, '', %s, %s, %s, FALSE) RETURNING id"
)
# The analysis columns are filled later by the worker; a new answer has them blank.
ANSWER_ROW = "(%s, %s, %s, %s, %s, %s, '', 'en', %s, '', '', FALSE, FALSE)"
INSERT_ANSWERS = (
    "INSERT INTO surveys_answer (response_id, survey_id, question_id, choice_id, value, text,"
    " part, language, answered_at, text_language, sentiment, angry, is_test) VALUES "
    + ", ".join([ANSWER_ROW] * ROWS_PER_RESPONSE)
)
COUNT_BY_STATUS = "SELECT status, count(*) FROM surveys_response WHERE survey_id = %s GROUP BY 1"
COUNT_ANSWERS = (
    "SELECT count(*), count(DISTINCT response_id) FROM surveys_answer WHERE survey_id = %s"
)
COUNT_TEXTS = (
    "SELECT count(*), count(DISTINCT text) FROM surveys_answer WHERE survey_id = %s AND text <> ''"
)


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


# CPU from /proc --------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command name, parent pid, CPU seconds) of a live process, or None.

    The CPU is its own (utime + stime) and that of its children it has reaped (cutime +
    cstime): summed over a tree of live processes, every descendant counts once, ended ones
    (a database backend whose connection closed) included.
    """
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, rest = raw[raw.index("(") + 1 : raw.rindex(")")], raw[raw.rindex(")") + 2 :].split()
    return name, int(rest[1]), sum(int(x) for x in rest[11:15]) / TICKS


def _processes() -> dict[int, tuple[str, int, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def _tree(table: dict, roots) -> float:
    tree, frontier = set(), set(roots)
    while frontier:
        tree |= frontier
        frontier = {pid for pid, (_n, ppid, _c) in table.items() if ppid in frontier} - tree
    return sum(table[pid][2] for pid in tree if pid in table)


def cpu(roots: list[int]) -> dict[str, float]:
    """CPU seconds so far of the process trees under `roots` and of the database server (the
    tree of the `postgres` process whose parent is not one)."""
    table = _processes()
    postgres = {pid for pid, (name, _p, _c) in table.items() if name.startswith("postgres")}
    postmasters = [pid for pid in postgres if table[pid][1] not in postgres]
    return {"server": _tree(table, roots), "db": _tree(table, postmasters)}


# Closed-loop clients ---------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients did: acknowledged submissions (all), and those in the window."""

    acknowledged: int = 0
    measured: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def add(self, other: "Tally") -> None:
        self.acknowledged += other.acknowledged
        self.measured += other.measured
        self.latencies += other.latencies
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error

    def ms(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[round(q * (len(ordered) - 1))] if ordered else float("nan")


def _loop(make_cycle, window: tuple[float, float], tally: Tally, lock, base: int) -> None:
    """Run cycles until the window ends; count those that end inside it."""
    begin, end = window
    i = base
    with make_cycle() as cycle:
        while (now := time.time()) < end:
            i += 1
            try:
                latency = cycle(i)
            except Exception as error:  # noqa: BLE001 - counted and reported, not fatal
                with lock:
                    tally.errors += 1
                    tally.first_error = tally.first_error or repr(error)
                continue
            done = time.time()
            with lock:
                tally.acknowledged += 1
                if now >= begin and done <= end:
                    tally.measured += 1
                    tally.latencies.append(latency)


def _client_process(make_cycle, threads: int, window, index: int, put) -> None:
    tally, lock = Tally(), threading.Lock()
    workers = [
        threading.Thread(
            target=_loop, args=(make_cycle, window, tally, lock, (index * threads + t) * 10**7)
        )
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    put(tally.__dict__)


def drive(make_cycle, clients: int, warmup: float, seconds: float, roots) -> tuple[Tally, dict]:
    """Run `clients` closed-loop clients; return their tally and the CPU of the window."""
    processes = min(clients, 4)
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start = time.time() + 1.0
    window = (start + warmup, start + warmup + seconds)
    procs = [
        ctx.Process(
            target=_client_process,
            args=(
                make_cycle,
                clients // processes + (k < clients % processes),
                window,
                k,
                results.put,
            ),
            daemon=True,
        )
        for k in range(processes)
    ]
    for proc in procs:
        proc.start()
    roots = roots(procs)
    time.sleep(max(0.0, window[0] - time.time()))
    before = cpu(roots)
    time.sleep(max(0.0, window[1] - time.time()))
    after = cpu(roots)
    tally = Tally()
    for _ in procs:
        tally.add(Tally(**results.get(timeout=600)))
    for proc in procs:
        proc.join()
    return tally, {k: after[k] - before[k] for k in after}


def web_cycle(base_url: str, code: str):
    """A respondent's cycle: GET the page, read its tokens, POST the answers; time the POST."""

    @contextlib.contextmanager
    def make():
        with httpx.Client(base_url=base_url, timeout=60) as client:

            def cycle(i: int) -> float:
                client.cookies.clear()  # someone new, with no remembered response
                page = client.get(f"/s/{code}/")
                page.raise_for_status()
                data = {name: rx.search(page.text).group(1) for name, rx in FIELDS.items()}
                start = time.perf_counter()
                post = client.post(f"/s/{code}/", data={**data, **answers(i, "web")})
                elapsed = time.perf_counter() - start
                if post.status_code != 302:
                    raise RuntimeError(f"POST answered {post.status_code}: {post.text[:200]}")
                return elapsed

            yield cycle

    return make


def floor_cycle(db: Database, survey: dict):
    """Insert a complete response and its ten answers in one transaction."""

    @contextlib.contextmanager
    def make():
        conn = db.connect()
        q, sid, choices = survey["questions"], survey["id"], survey["choices"]

        def cycle(i: int) -> float:
            start = time.perf_counter()
            now, code = datetime.now(UTC), uuid.uuid4()
            if db.url is None:  # Django keeps SQLite UUIDs as hex and datetimes as naive UTC
                now, code = now.replace(tzinfo=None).isoformat(" "), code.hex
            a = answers(i, "floor")
            with db.transaction(conn):
                rid = db.execute(conn, INSERT_RESPONSE, (code, sid, now, now, now)).fetchone()[0]
                rows = [(q[k], None, a[f"q-{k}"], "") for k in ("nps", "csat", "ces")]
                rows += [(q[k], None, a[f"q-{k}"], "") for k in ("speed", "price", "staff")]
                rows.append((q["channel"], choices[a["q-channel"]], None, ""))
                rows += [(q["used"], choices[key], None, "") for key in a["q-used"]]
                rows.append((q["why"], None, None, a["q-why"]))
                params = [v for row in rows for v in (rid, sid, *row, now)]
                db.execute(conn, INSERT_ANSWERS, params)
            return time.perf_counter() - start

        try:
            yield cycle
        finally:
            conn.close()

    return make


# Inside a Django process: this file run with --setup ------------------------------------------


def setup() -> None:
    """Create the workspace and the live survey; print its code and ids as JSON."""
    import django

    django.setup()
    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.surveys.actions import do_create_survey, do_set_survey_status
    from contento.surveys.models import Choice

    owner = do_create_user(email="bench@example.test", password=None, name="Bench")
    org = do_create_organization(name="Bench", owner=owner)
    survey = do_set_survey_status(do_create_survey(org, DEFINITION, user=owner), "live")
    questions = {q.key: q.pk for q in survey.questions.all()}
    choices = {c.key: c.pk for c in Choice.objects.filter(question__survey=survey)}
    print(
        json.dumps(
            {"code": str(survey.code), "id": survey.pk, "questions": questions, "choices": choices}
        )
    )


# The run ---------------------------------------------------------------------------------------


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
    subprocess.run([*CONTENTO, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    if not (var_dir / "static" / "staticfiles.json").exists():  # the production static storage
        subprocess.run(
            [*CONTENTO, "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True
        )
    return env


@contextlib.contextmanager
def server(env: dict, workers: int, log: Path, options=("--no-worker", "--no-mail"), ready=None):
    """Run `contento serve` with `options` (by default no worker and no mail) and no access log
    on a free loopback port; once it answers /healthz and `ready(pid)` returns (if given),
    yield its base URL and process id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [*f"serve --host 127.0.0.1 --port {port} --workers {workers}".split(), *options]
    with log.open("w") as out:
        # A session of its own: Ctrl-C reaches only us, and we stop the server cleanly.
        popen = dict(cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        proc = subprocess.Popen([*CONTENTO, *args, "--no-access-log"], env=env, **popen)
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
        if ready is not None:
            ready(proc.pid)
        yield base_url, proc.pid
    finally:
        proc.terminate()  # gunicorn and the supervisor shut down gracefully on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the whole session: its children too
            proc.wait()


def verify(db: Database, survey: dict, acknowledged: int) -> list[str]:
    """Return what is wrong with the stored rows: one complete response per acknowledged
    submission, ten answers each, every text once."""
    sid, problems = survey["id"], []
    conn = db.connect()
    try:
        by_status = dict(db.execute(conn, COUNT_BY_STATUS, (sid,)).fetchall())
        answers_n, responses_n = db.execute(conn, COUNT_ANSWERS, (sid,)).fetchone()
        texts, distinct = db.execute(conn, COUNT_TEXTS, (sid,)).fetchone()
    finally:
        conn.close()
    if by_status != {"complete": acknowledged}:
        problems.append(f"{acknowledged} acknowledged, stored {by_status}")
    if answers_n != ROWS_PER_RESPONSE * acknowledged or responses_n != acknowledged:
        problems.append(f"expected {ROWS_PER_RESPONSE * acknowledged} answers, found {answers_n}")
    if not texts == distinct == acknowledged:
        problems.append(f"{acknowledged} acknowledged, {texts} texts stored, {distinct} distinct")
    return problems


@dataclass
class Row:
    label: str
    tally: Tally
    cpu: dict
    seconds: float

    @property
    def rate(self) -> float:
        return self.tally.measured / self.seconds

    def cpu_ms(self, part: str) -> float:
        n = self.tally.measured
        return 1000 * self.cpu[part] / n if n else float("nan")


def bench(db: Database, args, var_dir: Path) -> bool:
    """Measure the web cycle and the floor on one database; print the table; return whether
    the stored rows matched."""
    print(f"\n{db.label}: preparing a fresh database...", flush=True)
    env = prepare(db, var_dir)
    out = subprocess.run(
        [sys.executable, __file__, "--setup"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    survey = json.loads(out.strip().splitlines()[-1])
    with server(env, args.workers, var_dir / f"serve-{db.label}.log") as (base_url, pid):
        print(
            f"{db.label}: web, {args.clients} clients, {args.warmup:g} s + {args.seconds:g} s...",
            flush=True,
        )
        tally, used = drive(
            web_cycle(base_url, survey["code"]),
            args.clients,
            args.warmup,
            args.seconds,
            lambda _p: [pid],
        )
        web = Row("Contento: GET + POST /s/<code>/", tally, used, args.seconds)
        problems = verify(db, survey, tally.acknowledged)
    print(
        f"{db.label}: floor, {args.clients} clients, {args.floor_seconds:g} s...",
        flush=True,
    )
    before = tally.acknowledged
    tally, used = drive(
        floor_cycle(db, survey),
        args.clients,
        args.warmup,
        args.floor_seconds,
        lambda procs: [p.pid for p in procs],
    )
    floor = Row(
        f"floor: raw insert ({'sqlite3' if db.url is None else 'psycopg'})",
        tally,
        used,
        args.floor_seconds,
    )
    problems += verify(db, survey, before + tally.acknowledged)
    print(
        f"\n{db.label}: {args.clients} closed-loop clients, measured {args.seconds:g} s (floor"
        f" {args.floor_seconds:g} s) after {args.warmup:g} s of warm-up; server: {args.workers}"
        " gunicorn workers x 4 threads"
    )
    print(
        f"{'path':<36}{'subm/s':>9}{'CPU ms/subm':>12}{'server':>8}{'DB':>7}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}"
    )
    for row in (web, floor):
        total = row.cpu_ms("server") + row.cpu_ms("db")
        print(
            f"{row.label:<36}{row.rate:>9.1f}{total:>12.2f}{row.cpu_ms('server'):>8.2f}"
            f"{row.cpu_ms('db'):>7.2f}{row.tally.ms(0.5):>8.1f}{row.tally.ms(0.99):>8.1f}{row.tally.errors:>8}"
        )
        if row.tally.first_error:
            print(f"  first error: {row.tally.first_error}")
    web_cpu = web.cpu_ms("server") + web.cpu_ms("db")
    floor_cpu = floor.cpu_ms("server") + floor.cpu_ms("db")
    print(
        f"Contento / floor: throughput {web.rate / floor.rate:.3f}, CPU per submission"
        f" {web_cpu / floor_cpu:.1f}x the floor's"
    )
    for problem in problems:
        print(f"  MISMATCH: {problem}")
    if not problems:
        print(
            f"verified: {before + tally.acknowledged} acknowledged submissions, each stored exactly"
            " once as a complete response with its ten answers"
        )
    return not problems and not (web.tally.errors or floor.tally.errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients")
    parser.add_argument("--seconds", type=float, default=60, help="measured time of the web path")
    parser.add_argument(
        "--floor-seconds", type=float, default=20, help="measured time of the floor"
    )
    parser.add_argument("--warmup", type=float, default=10, help="warm-up before each measure")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to recreate")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup()
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
