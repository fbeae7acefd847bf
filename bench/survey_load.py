"""Survey load with comments: acknowledgement emails on time while the analysis catches up.

Issue 15's acceptance. A fresh database (a temporary SQLite file, or PostgreSQL's
`contento_bench_load`, dropped and created again) gets one workspace that sends mail, one live
survey in six languages that thanks by email (an NPS and a required open-text comment), and N
customers with an address and consent, each with their personal link. The real product
runs: `contento serve` (gunicorn, rate limit off, no access log, no desk mail listener) with
its task worker lanes (`urgent`: mail and the desk; `analysis`: niced), the database task
queue, and SMTP to a sink on loopback in this process that notes when each message arrives
(the thank-you has left the product).

Open-loop load: `--rate` new respondents a second for `--seconds`, on a schedule that a slow
answer does not slow (a pool of threads). Each opens their personal link (GET), reads the form
token, and POSTs an NPS and a comment; a 302 is an acknowledged submission. The comments are
the project's own labelled ones (bench/data/themes/comments.tsv, 96 per language, in the
customer's language): `--verbatim` of them (30 %) word for word, so texts repeat as "Good"
does, the rest with an order number appended, so they are new to the model.

Every `--every` seconds a line: submissions acknowledged, POST p50/p99 of the interval, the
thank-you delay (POST sent to the email's arrival) p50/p99/max of the emails that arrived in
the interval, emails still awaited and the oldest wait, the analysis backlog (open-text
answers with text and no analysis: `contento.surveys.analysis.unread_answers`, in SQL), and the
CPU of the server's process tree (the lanes and SQLite included), of its analysis lane, and of
PostgreSQL. After the load it keeps sampling until the backlog is read and every email has
arrived (or `--drain-timeout`), and prints the drain rate against the model's own rate
(`contento.text.analyze_many` on a sample of the same comments, in a child process once the
server has stopped, as bench/analysis_drain.py measures it).

Checks (exit 1 if one fails): no request failed; every acknowledged submission is stored once,
complete, with its NPS and its own comment, and nothing else is; each of those customers got
exactly one email and nobody else got one; every comment was read.

    .venv/bin/python bench/survey_load.py [--db sqlite|postgres] [--rate 50] [--seconds 600]
"""

import argparse
import contextlib
import json
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from aiosmtpd.controller import Controller

# The sibling bench: a fresh database, the DB-API connection, CPU from /proc.
from submit import LOOPBACK, Database, _stat, cpu, prepare, server

ROOT = Path(__file__).resolve().parent.parent
CONTENTO = [sys.executable, "-m", "contento.cli"]
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench_load"  # not submit.py's
LANGUAGES = ["en", "es", "fr", "ru", "vi", "id"]
COMMENTS = ROOT / "bench" / "data" / "themes" / "comments.tsv"
ORDER = {"en": "Order", "es": "Pedido", "fr": "Commande", "ru": "Заказ", "vi": "Đơn hàng"}
ORDER["id"] = "Pesanan"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')

UNREAD = (
    "SELECT count(*) FROM surveys_answer a JOIN surveys_question q ON q.id = a.question_id"
    " WHERE q.kind = 'text' AND a.text <> '' AND a.analysis IS NULL"
)
TEXTS = (
    "SELECT a.text, a.analysis IS NULL FROM surveys_answer a"
    " JOIN surveys_question q ON q.id = a.question_id WHERE q.kind = 'text' AND a.text <> ''"
)
STORED = (
    "SELECT c.email, r.status, r.thanked_at IS NOT NULL, count(a.id),"
    " max(CASE WHEN q.kind = 'text' THEN a.text END)"
    " FROM surveys_response r JOIN customers_customer c ON c.id = r.customer_id"
    " LEFT JOIN surveys_answer a ON a.response_id = r.id"
    " LEFT JOIN surveys_question q ON q.id = a.question_id"
    " WHERE r.survey_id = %s GROUP BY r.id, c.email, r.status, r.thanked_at"
)
RESPONSES = "SELECT count(*) FROM surveys_response WHERE survey_id = %s"
TASKS = (
    "SELECT queue_name, task_path, status, started_at, finished_at"
    " FROM django_tasks_database_dbtaskresult"
)

MODEL = r"""
import json, sys, time
import contento.text as text
texts = json.load(sys.stdin)
text.analyze_many(["warm up the model"])  # load time is not the rate
started = time.perf_counter()
text.analyze_many(texts, batch_size=64)
print(json.dumps({"texts": len(texts), "rate": len(texts) / (time.perf_counter() - started)}))
"""


def comments(n: int, verbatim: float, seed: int = 20261208) -> list[tuple[str, str]]:
    """(language, comment) of customers 0..n-1, the languages in turn."""
    by_language: dict[str, list[str]] = {}
    for line in COMMENTS.read_text(encoding="utf-8").splitlines()[1:]:
        language, _topic, text = line.split("\t")
        by_language.setdefault(language, []).append(text)
    rng, out = random.Random(seed), []
    for i in range(n):
        language = LANGUAGES[i % len(LANGUAGES)]
        text = rng.choice(by_language[language])
        if rng.random() >= verbatim:
            text = f"{text} ({ORDER[language]} {1_000_000 + i})"
        out.append((language, text))
    return out


# Inside a Django process: this file run with --setup ------------------------------------------


def setup(n: int, out: Path) -> None:
    """Create the workspace, the live survey that thanks by email and n customers with their
    personal links; write their ids, addresses and links as JSON to `out`."""
    import django

    django.setup()
    from django.urls import reverse

    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.customers.models import Customer
    from contento.surveys.actions import do_create_survey, do_set_survey_status
    from contento.surveys.links import make_token

    def each(text: str) -> dict:
        return dict.fromkeys(LANGUAGES, text)

    definition = {
        "format": "contento.survey/1",
        "default_language": "en",
        "languages": LANGUAGES,
        "title": each("How did we do?"),
        "questions": [
            {"key": "nps", "type": "nps", "required": True, "text": each("Recommend us?")},
            {"key": "why", "type": "text", "required": True, "text": each("Why?")},
        ],
    }
    owner = do_create_user(email="bench@example.test", password=None, name="Bench")
    org = do_create_organization(name="Bench", owner=owner)
    survey = do_set_survey_status(do_create_survey(org, definition, user=owner), "live")
    survey.thank_by_email = True  # as the builder's settings form stores it
    survey.save(update_fields=["thank_by_email"])
    assert org.sends_mail
    customers = Customer.objects.bulk_create(
        (
            Customer(
                organization=org,
                name=f"Customer {i}",
                email=f"c{i}@example.net",
                language=LANGUAGES[i % len(LANGUAGES)],
                contact_consent=True,
            )
            for i in range(n)
        ),
        batch_size=2000,
    )
    links = [
        reverse("public:personal", args=[survey.code, make_token(survey, c)]) for c in customers
    ]
    document = {
        "id": survey.pk,
        "emails": [c.email for c in customers],
        "links": links,
    }
    out.write_text(json.dumps(document))


# The mailboxes ---------------------------------------------------------------------------------


class Inbox:
    """An SMTP server's handler on loopback standing for the customers' mailboxes."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[str, float]] = []  # (recipient, time.time())
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        now = time.time()
        with self.lock:
            self.arrivals += [(rcpt.lower(), now) for rcpt in envelope.rcpt_tos]
        return "250 OK"


# The respondents -------------------------------------------------------------------------------


class Load:
    """Open-loop respondents: respondent k starts at start + k / rate, whatever came before."""

    def __init__(self, base_url: str, people: list[dict], rate: float, threads: int):
        self.base_url, self.people, self.rate = base_url, people, rate
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.local = threading.local()
        self.lock = threading.Lock()
        self.posted: dict[str, float] = {}  # email -> when its POST was sent
        self.acked: dict[str, float] = {}  # email -> when its 302 came
        self.latencies: list[tuple[float, float]] = []  # (done, POST seconds)
        self.errors: list[str] = []
        self.late = 0.0  # the furthest a respondent started behind schedule, in seconds
        self.offered = 0

    def client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(base_url=self.base_url, timeout=60)
        return self.local.client

    def respond(self, person: dict, due: float) -> None:
        self.late = max(self.late, time.time() - due)
        client = self.client()
        client.cookies.clear()  # someone new
        try:
            page = client.get(person["link"])
            page.raise_for_status()
            data = {
                "csrfmiddlewaretoken": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                "rt": "",
                "page": "1",
                "lang": person["language"],
                "q-nps": str(person["nps"]),
                "q-why": person["comment"],
            }
            sent = time.time()
            with self.lock:
                self.posted[person["email"]] = sent
            post = client.post(person["link"], data=data)
            done = time.time()
            if post.status_code != 302:
                raise RuntimeError(f"POST answered {post.status_code}: {post.text[:200]}")
        except Exception as error:  # noqa: BLE001 - counted and reported, not fatal
            with self.lock:
                self.errors.append(f"{person['email']}: {error!r}")
            return
        with self.lock:
            self.acked[person["email"]] = done
            self.latencies.append((done, done - sent))

    def run(self, start: float, seconds: float) -> None:
        """Offer the respondents on schedule (call in a thread of its own)."""
        count = min(len(self.people), round(self.rate * seconds))
        for k in range(count):
            due = start + k / self.rate
            time.sleep(max(0.0, due - time.time()))
            self.pool.submit(self.respond, self.people[k], due)
            self.offered += 1
        self.pool.shutdown(wait=True)


# Sampling --------------------------------------------------------------------------------------


def _q(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))] if ordered else float("nan")


def _lane_pid(root: int, lane: str) -> int | None:
    """The pid of `contento worker --lane <lane>` under the server (the supervisor restarts
    a dead lane under a new pid)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            args = (entry / "cmdline").read_bytes().split(b"\0")
            if b"worker" in args and lane.encode() in args and f"{root}" in _ancestors(entry):
                return int(entry.name)
    return None


def _ancestors(entry: Path) -> set[str]:
    found, pid = set(), entry.name
    while pid not in {"0", "1"} and (stat := _stat(int(pid))) is not None:
        pid = str(stat[1])
        found.add(pid)
    return found


class Sampler:
    """One line every interval: the load, the mail, the backlog, the CPU."""

    HEADER = (
        f"{'t s':>6}{'acked':>7}{'err':>5}{'POST p50':>9}{'p99 ms':>7}"
        f"{'mail p50':>9}{'p99':>6}{'max s':>7}{'awaited':>8}{'oldest s':>9}"
        f"{'backlog':>8}{'CPU srv%':>9}{'anal%':>6}{'DB%':>5}"
    )

    def __init__(self, db: Database, load: Load, inbox: Inbox, server_pid: int):
        self.db, self.load, self.inbox, self.pid = db, load, inbox, server_pid
        self.start = time.time()
        self.last = self.start
        self.seen_posts, self.seen_mail = 0, 0
        self.mail_delays: list[float] = []  # every arrival's delay, for the totals
        self.cpu_before = cpu([server_pid])
        self.lane = _lane_pid(server_pid, "analysis")
        self.lane_cpu = self._lane_cpu()
        self.cpu_seconds = {"server": 0.0, "analysis": 0.0, "db": 0.0}

    def _lane_cpu(self) -> float:
        stat = _stat(self.lane) if self.lane else None
        return stat[2] if stat else 0.0

    def backlog(self) -> int:
        conn = self.db.connect()
        try:
            return int(self.db.execute(conn, UNREAD).fetchone()[0])
        finally:
            conn.close()

    def awaited(self, now: float) -> tuple[int, float]:
        """Acknowledged submissions whose email has not arrived, and the oldest one's wait."""
        with self.inbox.lock:
            arrived = {rcpt for rcpt, _t in self.inbox.arrivals}
        with self.load.lock:
            waiting = [self.load.posted[e] for e in self.load.acked if e not in arrived]
        return len(waiting), (now - min(waiting)) if waiting else 0.0

    def line(self) -> tuple[int, int]:
        """Print one line; return (backlog, emails awaited)."""
        now = time.time()
        with self.load.lock:
            posts = [s for _done, s in self.load.latencies[self.seen_posts :]]
            self.seen_posts = len(self.load.latencies)
            acked, errors = len(self.load.acked), len(self.load.errors)
            posted = dict(self.load.posted)
        with self.inbox.lock:
            arrivals = self.inbox.arrivals[self.seen_mail :]
            self.seen_mail = len(self.inbox.arrivals)
        delays = [t - posted[rcpt] for rcpt, t in arrivals if rcpt in posted]
        self.mail_delays += delays
        waiting, oldest = self.awaited(now)
        backlog = self.backlog()
        used = cpu([self.pid])
        lane = _lane_pid(self.pid, "analysis")
        if lane != self.lane:  # restarted: count its new life from zero
            self.lane, self.lane_cpu = lane, 0.0
        lane_cpu = self._lane_cpu()
        span = max(now - self.last, 1e-9)
        share = {k: (used[k] - self.cpu_before[k]) for k in used}
        share["analysis"] = max(0.0, lane_cpu - self.lane_cpu)
        for key, seconds in share.items():
            self.cpu_seconds[key] += seconds
        self.cpu_before, self.lane_cpu, self.last = used, lane_cpu, now
        print(
            f"{now - self.start:>6.0f}{acked:>7}{errors:>5}"
            f"{1000 * _q(posts, 0.5):>9.0f}{1000 * _q(posts, 0.99):>7.0f}"
            f"{_q(delays, 0.5):>9.2f}{_q(delays, 0.99):>6.2f}{_q(delays, 1):>7.2f}"
            f"{waiting:>8}{oldest:>9.1f}{backlog:>8}"
            f"{100 * share['server'] / span:>9.0f}{100 * share['analysis'] / span:>6.0f}"
            + (f"{100 * share['db'] / span:>5.0f}" if self.db.url else f"{'-':>5}"),
            flush=True,
        )
        return backlog, waiting


# The run ---------------------------------------------------------------------------------------


def lanes_started(log: Path):
    """What `submit.server` waits for once gunicorn answers: the worker lanes, started beside
    it, up and past their imports."""

    def wait(pid: int) -> None:
        deadline = time.monotonic() + 30
        while _lane_pid(pid, "urgent") is None or _lane_pid(pid, "analysis") is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the worker lanes did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        time.sleep(2)  # their imports and first look at the queue

    return wait


def model_rate(env: dict, texts: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MODEL],
        input=json.dumps(texts),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def verify(db: Database, survey_id: int, people: list[dict], load: Load, inbox: Inbox) -> list:
    """Return what is wrong with the stored responses, the emails and the analysis."""
    problems = []
    if load.errors:
        problems.append(f"{len(load.errors)} submissions failed; first: {load.errors[0]}")
    conn = db.connect()
    try:
        stored = db.execute(conn, STORED, (survey_id,)).fetchall()
        responses = db.execute(conn, RESPONSES, (survey_id,)).fetchone()[0]
        unread = db.execute(conn, UNREAD).fetchone()[0]
    finally:
        conn.close()
    expected = {p["email"]: p["comment"] for p in people if p["email"] in load.acked}
    by_email = Counter(row[0] for row in stored)
    if responses != len(expected) or set(by_email) != set(expected):
        problems.append(
            f"{len(expected)} acknowledged, {responses} responses stored"
            f" ({len(set(by_email) - set(expected))} not acknowledged,"
            f" {len(set(expected) - set(by_email))} missing)"
        )
    if twice := [e for e, n in by_email.items() if n > 1]:
        problems.append(f"{len(twice)} customers stored more than once")
    wrong = [
        email
        for email, status, _thanked, answers, text in stored
        if status != "complete" or answers != 2 or text != expected.get(email)
    ]
    if wrong:
        problems.append(f"{len(wrong)} responses not complete with their NPS and own comment")
    if unthanked := [row[0] for row in stored if not row[2]]:
        problems.append(f"{len(unthanked)} responses not marked thanked")
    with inbox.lock:
        mails = Counter(rcpt for rcpt, _t in inbox.arrivals)
    if missing := [e for e in expected if mails[e] == 0]:
        problems.append(f"{len(missing)} acknowledged customers got no email")
    if twice := [e for e in expected if mails[e] > 1]:
        problems.append(f"{len(twice)} customers got more than one email")
    if stray := set(mails) - set(expected):
        problems.append(f"{len(stray)} emails to people who did not submit")
    if unread:
        problems.append(f"{unread} comments left unread")
    return problems


@dataclass
class Drain:
    """What the load left for the analysis, and when it was read."""

    load_end: float
    left: list[str]  # the texts of the answers unread when the load ended
    new: set[str]  # ... those no answer read before had
    cpu: dict[str, float]  # CPU seconds during the load
    drained_at: float | None = None


def drive(db: Database, load: Load, sampler: Sampler, args) -> Drain:
    """Offer the load, a line every interval; then wait for the backlog and the mail."""
    start = sampler.start + 0.5
    offer = threading.Thread(target=load.run, args=(start, args.seconds))
    offer.start()
    while offer.is_alive():
        offer.join(timeout=max(0.0, sampler.last + args.every - time.time()))
        if offer.is_alive():
            sampler.line()
    load_end = time.time()
    backlog, waiting = sampler.line()
    conn = db.connect()
    try:
        rows = db.execute(conn, TEXTS).fetchall()
    finally:
        conn.close()
    read = {text for text, unread in rows if not unread}
    left = [text for text, unread in rows if unread]
    drain = Drain(load_end, left, {t for t in left if t not in read}, dict(sampler.cpu_seconds))
    print(
        f"load over: {len(load.acked)} acknowledged of {load.offered} offered in"
        f" {load_end - start:.0f} s, the furthest start behind schedule {load.late:.2f} s;"
        f" backlog {len(left)} answers ({len(set(left))} distinct texts, {len(drain.new)} not"
        " read before); draining...",
        flush=True,
    )
    if not backlog:
        drain.drained_at = load_end
    deadline = load_end + args.drain_timeout
    while (backlog or waiting) and time.time() < deadline:
        next_line = sampler.last + args.every
        while time.time() < next_line and drain.drained_at is None:
            time.sleep(0.5)  # the moment the backlog empties, to time the drain
            if not sampler.backlog():
                drain.drained_at = time.time()
        time.sleep(max(0.0, next_line - time.time()))
        backlog, waiting = sampler.line()
        if not backlog and drain.drained_at is None:
            drain.drained_at = time.time()
    return drain


def _when(value) -> datetime | None:
    """A timestamp as the driver gives it: a datetime (psycopg) or ISO text (sqlite3)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def tasks(db: Database) -> None:
    """Print what the worker lanes ran, from the task queue's own table: how many runs of
    each task and how long they took (how the analysis lane's time was spent)."""
    conn = db.connect()
    try:
        rows = db.execute(conn, TASKS).fetchall()
    finally:
        conn.close()
    runs: dict[tuple[str, str], list[float]] = {}
    waiting: Counter = Counter()
    for queue, path, status, started, finished in rows:
        started, finished = _when(started), _when(finished)
        if started is not None and finished is not None:
            key = (queue, path.rpartition(".")[2])
            runs.setdefault(key, []).append((finished - started).total_seconds())
        elif status in {"READY", "RUNNING"}:
            waiting[queue] += 1
    print("  tasks run (queue: task x runs, seconds in all, longest):")
    for (queue, name), seconds in sorted(runs.items()):
        print(f"    {queue}: {name} x {len(seconds)}, {sum(seconds):.1f} s, {max(seconds):.1f} s")
    if waiting:
        print(f"    still queued or running: {dict(waiting)}")


def report(db: Database, args, load: Load, sampler: Sampler, drain: Drain, model: dict) -> None:
    print(f"\n{db.label}, {args.rate:g}/s offered for {args.seconds:g} s:")
    with load.lock:
        posts = [s for _d, s in load.latencies]
    delays = sampler.mail_delays
    print(
        f"  POST: p50 {1000 * _q(posts, 0.5):.0f} ms, p99 {1000 * _q(posts, 0.99):.0f} ms,"
        f" max {1000 * _q(posts, 1):.0f} ms; errors {len(load.errors)}"
    )
    print(
        f"  thank-you email, POST to arrival: p50 {_q(delays, 0.5):.2f} s,"
        f" p99 {_q(delays, 0.99):.2f} s, max {_q(delays, 1):.2f} s ({len(delays)} emails)"
    )
    span = max(drain.load_end - sampler.start, 1e-9)
    print(
        f"  CPU during the load, % of one core: server tree {100 * drain.cpu['server'] / span:.0f}"
        f" (analysis lane {100 * drain.cpu['analysis'] / span:.0f})"
        + (f", PostgreSQL {100 * drain.cpu['db'] / span:.0f}" if db.url else "")
    )
    if drain.drained_at is None:
        print(f"  backlog NOT drained within {args.drain_timeout:g} s")
    elif not drain.left:
        print("  no backlog when the load ended: the analysis kept up")
    else:
        seconds = max(drain.drained_at - drain.load_end, 1e-9)
        left, new = len(drain.left), len(drain.new)
        print(
            f"  drain after the load: {left} answers in {seconds:.0f} s = {left / seconds:.1f}"
            f" answers/s, {new / seconds:.1f} new texts/s; the model alone:"
            f" {model['rate']:.1f} texts/s ({model['texts']} texts, batches of 64)"
            f" -> drain / model {new / seconds / model['rate']:.2f}"
            + (" (too few answers to time the drain well)" if left < 1000 else "")
        )
    tasks(db)


def bench(db: Database, args, var_dir: Path) -> int:
    n = args.customers or round(args.rate * args.seconds)
    print(f"{db.label}: a fresh database, {n} customers with their links...", flush=True)
    env = prepare(db, var_dir)
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        mail_port = sock.getsockname()[1]
    env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail_port),
    )
    made = var_dir / "survey.json"
    subprocess.run(
        [sys.executable, __file__, "--setup", str(n), str(made)], env=env, cwd=ROOT, check=True
    )
    survey = json.loads(made.read_text())
    texts = comments(n, args.verbatim)
    people = [
        {"email": email, "link": link, "language": language, "comment": text, "nps": i % 11}
        for i, (email, link, (language, text)) in enumerate(
            zip(survey["emails"], survey["links"], texts, strict=True)
        )
    ]
    offered = texts[: round(args.rate * args.seconds)]
    sink = Controller(inbox, hostname="127.0.0.1", port=mail_port)
    sink.start()
    try:
        log = var_dir / "serve.log"
        # With its worker lanes; no desk mail listener (inbound mail is not under test here).
        serving = server(env, args.workers, log, options=("--no-mail",), ready=lanes_started(log))
        with serving as (base_url, pid):
            print(
                f"{db.label}: {args.rate:g} submissions/s offered for {args.seconds:g} s"
                f" ({len(set(offered))} distinct comments, {args.verbatim:.0%} word for word);"
                " mail to a loopback SMTP sink; CPU in % of one core",
                flush=True,
            )
            print(Sampler.HEADER)
            load = Load(base_url, people, args.rate, args.threads)
            sampler = Sampler(db, load, inbox, pid)
            drain = drive(db, load, sampler, args)
    finally:
        sink.stop()
    # The model's own rate, once the server has stopped: the same comments, the same library.
    model = model_rate(env, list(dict.fromkeys(t for _l, t in texts))[: args.model_sample])
    report(db, args, load, sampler, drain, model)
    problems = verify(db, survey["id"], people, load, inbox)
    for problem in problems:
        print(f"  FAILED: {problem}")
    if not problems:
        print(
            f"verified: {len(load.acked)} acknowledged submissions, each stored once, complete,"
            " with its own comment, read, and thanked by exactly one email"
        )
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rate", type=float, default=50, help="submissions offered a second")
    parser.add_argument("--seconds", type=float, default=600, help="seconds of load")
    parser.add_argument("--customers", type=int, default=0, help="default: rate x seconds")
    parser.add_argument("--verbatim", type=float, default=0.3, help="share word for word")
    parser.add_argument("--every", type=float, default=5, help="seconds between lines")
    parser.add_argument("--drain-timeout", type=float, default=3600, help="longest wait after")
    parser.add_argument("--threads", type=int, default=64, help="respondent threads at most")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--model-sample", type=int, default=500, help="texts for model rate")
    parser.add_argument("--pg-url", default=PG_URL, help="the PostgreSQL database to recreate")
    parser.add_argument("--setup", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(int(args.setup[0]), Path(args.setup[1]))
        return 0
    if urlsplit(args.pg_url).hostname not in LOOPBACK:
        parser.error("--pg-url must point at a loopback address")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    with tempfile.TemporaryDirectory(prefix="contento-bench-") as tmp:
        var_dir = Path(tmp)
        if args.db == "sqlite":
            db = Database("SQLite", None, var_dir / "contento.sqlite3")
        else:
            db = Database("PostgreSQL", args.pg_url, var_dir / "unused.sqlite3")
        return bench(db, args, var_dir)


if __name__ == "__main__":
    sys.exit(main())
