"""Measure inbound mail turned into tickets, worker included, against a parse-and-insert floor.

Real-world messages (the mail corpus, `CONTENTO_MAIL_DIR`, cycled to `--messages`) go over
loopback SMTP, one connection per message as mail servers deliver, from `--concurrency`
clients, to two listeners in turn:

* desk: `contento mailserver` (its own process) with the workers of both lanes
  (`contento worker --lane urgent` and `--lane analysis`, processes of their own): parse,
  route, thread, customer, ticket or reply, files, SLA, then the acknowledgements and the
  analysis of the text. The run ends when the worker has done everything the mail queued.
* floor: an aiosmtpd listener that parses each message with the stdlib email parser and
  inserts one row per message into the same kind of database through the DB-API driver
  (sqlite3, psycopg), one connection kept: the least that receiving mail into a database costs.

Each cycle of the corpus goes to a workspace of its own (the desk takes the same text from the
same sender over and over for a loop), and every Message-ID (and the In-Reply-To and
References that point at it) is made new for each run. Replies within the corpus are sent
after the message they answer. It prints msg/s, the desk's rate as a fraction of the floor's,
and CPU milliseconds per message of each process (listener, worker lanes, and on PostgreSQL
every postgres process, from /proc). Then it checks every workspace: one record per message,
each corpus row's outcome as its manifest says (ticket, auto-reply, bounce; a reply in the
reply's ticket), tickets and messages accordingly, every acknowledgement sent and every
message analysed; any mismatch fails the run.

    .venv/bin/python bench/desk.py [--messages 2000] [--concurrency 8] [--db sqlite|postgres|both]
"""

import argparse
import csv
import email
import email.policy
import hashlib
import os
import re
import secrets
import smtplib
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench"
TICKS = os.sysconf("SC_CLK_TCK")
_ID_HEADER = re.compile(rb"^(message-id|in-reply-to|references|resent-message-id):", re.I)
_ANGLE = re.compile(rb"<([^<>\s]+)>")
# Corpus rows whose outcome at the desk differs from what the parser's manifest says, and
# why (each was so before issue 16 too).
KNOWN = {
    # From: an internationalised address (RFC 6532) that Django's validator refuses: kept,
    # rejected as "cannot be answered".
    "52-raw-utf8-headers-rfc6532.eml": {"rejected"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the messages -------------------------------------------------------------------------


def _corpus(folder: Path) -> list[dict]:
    with (folder / "manifest.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        row["raw"] = (folder / row["file"]).read_bytes()
    by_file = {row["file"]: row for row in rows}
    for row in rows:  # a reply goes after what it answers: its depth in the thread
        depth, parent = 0, row["thread_of"]
        while parent:
            depth, parent = depth + 1, by_file[parent]["thread_of"]
        row["depth"] = depth
    return rows


def _fresh_ids(raw: bytes, tag: str) -> bytes:
    """Rewrite the ids in the threading headers to ids of this run and cycle (`tag`)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    newline = b"\r\n" if sep == b"\r\n\r\n" else b"\n"
    lines = head.split(newline)
    out, in_id_header, has_id = [], False, False
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            pass  # a folded line continues the header above
        else:
            in_id_header = bool(_ID_HEADER.match(line))
            has_id = has_id or line.lower().startswith(b"message-id:")
        if in_id_header:
            line = _ANGLE.sub(lambda m: b"<" + tag.encode() + b"." + m.group(1) + b">", line)
        out.append(line)
    if not has_id:
        out.insert(
            0, b"Message-ID: <" + tag.encode() + b"." + secrets.token_hex(8).encode() + b"@bench>"
        )
    return newline.join(out) + sep + body


def _deliveries(rows, n: int, run: str) -> list[list[tuple[str, bytes, dict, int]]]:
    """Return the deliveries in waves (replies after what they answer): (to, raw, row, cycle)."""
    waves: dict[int, list] = {}
    for i in range(n):
        cycle, index = divmod(i, len(rows))
        row = rows[index]
        to = f"help@w{cycle}.bench.test"
        # As SMTP carries it (CRLF line ends, a final CRLF): the stored record's digest is
        # that of these bytes.
        raw = re.sub(rb"\r\n|\n|\r(?!\n)", b"\r\n", _fresh_ids(row["raw"], f"{run}c{cycle}"))
        raw = raw if raw.endswith(b"\r\n") else raw + b"\r\n"
        waves.setdefault(row["depth"], []).append((to, raw, row, cycle))
    return [waves[d] for d in sorted(waves)]


def _send(host: str, port: int, waves, concurrency: int) -> float:
    def deliver(item):
        to, raw, _row, _cycle = item
        with smtplib.SMTP(host, port, timeout=120) as client:
            client.sendmail("bench-sender@example.net", [to], raw)

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for wave in waves:
            list(pool.map(deliver, wave))
    return time.perf_counter() - start


# --- CPU from /proc -----------------------------------------------------------------------


def _cpu(pid: int, children: bool = False) -> float:
    """Seconds of CPU of a process (and of its reaped children)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def _postgres_cpu() -> float:
    """Seconds of CPU of every postgres process, including backends that have exited (the
    postmaster reaped them: their time is in its children's time)."""
    names = {}
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            names[int(comm.parent.name)] = comm.read_text().strip()
        except OSError:
            continue
    total = 0.0
    for pid, name in names.items():
        if not name.startswith("postgres"):
            continue
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
        except OSError:
            continue
        postmaster = not names.get(ppid, "").startswith("postgres")
        total += _cpu(pid, children=postmaster)
    return total


# --- the floor ----------------------------------------------------------------------------


class _FloorHandler:
    """Parse with the stdlib and insert one row per message, on one kept connection."""

    def __init__(self, db: str, target: str):
        self.db, self.target, self.count, self.conn = db, target, 0, None

    def _connection(self):
        if self.conn is None:
            if self.db == "sqlite":
                self.conn = sqlite3.connect(self.target, isolation_level=None)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=NORMAL")
            else:
                import psycopg

                self.conn = psycopg.connect(self.target, autocommit=True)
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS floor_mail (id SERIAL PRIMARY KEY, message_id TEXT, "
                "sender TEXT, subject TEXT, body TEXT, raw BYTEA)"
                if self.db == "postgres"
                else "CREATE TABLE IF NOT EXISTS floor_mail (id INTEGER PRIMARY KEY, "
                "message_id TEXT, sender TEXT, subject TEXT, body TEXT, raw BLOB)"
            )
        return self.conn

    def store(self, raw: bytes) -> None:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        try:
            part = message.get_body(("plain", "html"))
            body = part.get_content() if part is not None else ""
        except Exception:  # noqa: BLE001 - a body the stdlib cannot decode is stored empty
            body = ""
        headers = []
        for name in ("message-id", "from", "subject"):
            try:
                headers.append(str(message[name] or ""))
            except Exception:  # noqa: BLE001 - as above, for a broken header
                headers.append("")
        mark = "?" if self.db == "sqlite" else "%s"
        self._connection().execute(
            f"INSERT INTO floor_mail (message_id, sender, subject, body, raw) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
            (*headers, body, raw),
        )
        self.count += 1

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        import asyncio

        await asyncio.get_running_loop().run_in_executor(
            self.pool, self.store, envelope.original_content
        )
        return "250 OK"


def _floor(db: str, target: str, waves, concurrency: int, n: int) -> float:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class LongLines(SMTP):
        line_length_limit = 10**7  # real mail has long lines; the desk takes them too

    class FloorController(Controller):
        def factory(self):
            return LongLines(self.handler, **self.SMTP_kwargs)

    handler = _FloorHandler(db, target)
    handler.pool = ThreadPoolExecutor(1)  # one connection, one thread, as the desk's listener
    controller = FloorController(
        handler, hostname="127.0.0.1", port=_free_port(), decode_data=False, data_size_limit=0
    )
    controller.start()
    try:
        seconds = _send("127.0.0.1", controller.port, waves, concurrency)
    finally:
        controller.stop()
        handler.pool.submit(lambda: handler.conn and handler.conn.close()).result()
    if handler.count != n:
        sys.exit(f"FAILED: the floor listener stored {handler.count} of {n}")
    return seconds


# --- the desk -----------------------------------------------------------------------------


def _desk(args, db: str, root: Path, env: dict, waves, n: int, cycles: int) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connections
    from django_tasks_db.models import DBTaskResult

    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.support.models import Team, Ticket, TicketMessage

    call_command("migrate", verbosity=0)
    owner = do_create_user(email="owner@bench.test", password="bench-password-1")
    for cycle in range(cycles):
        org = do_create_organization(name=f"Bench {cycle}", owner=owner)
        Team.objects.create(
            organization=org, name="Help", email_address=f"help@w{cycle}.bench.test"
        )
    connections.close_all()

    port = _free_port()
    python = [sys.executable, "-m", "contento.cli"]
    spawn = dict(cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=None)
    listener = subprocess.Popen(
        [*python, "mailserver", "--host", "127.0.0.1", "--port", str(port)], **spawn
    )
    lanes = {
        lane: subprocess.Popen([*python, "worker", "--lane", lane], **spawn)
        for lane in ("urgent", "analysis")
    }
    try:
        for _ in range(600):  # the listener is up when it answers
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(2)  # the workers' start-up (imports, first beat) outside the figures
        pids = {"listener": listener.pid, **{f"worker {k}": p.pid for k, p in lanes.items()}}
        before = {name: _cpu(pid) for name, pid in pids.items()}
        pg_before = _postgres_cpu() if db == "postgres" else 0.0
        start = time.perf_counter()
        send_seconds = _send("127.0.0.1", port, waves, args.concurrency)
        waiting = {"READY", "RUNNING"}
        deadline = time.monotonic() + args.drain_timeout
        while time.monotonic() < deadline:
            busy = (
                DBTaskResult.objects.filter(
                    status__in=waiting, task_path__startswith="contento.support.tasks."
                ).exists()
                or Ticket.objects.filter(acknowledgement="pending").exists()
                or TicketMessage.objects.filter(direction="inbound", analysis__isnull=True)
                .exclude(body="")
                .exists()
            )
            connections.close_all()
            if not busy:
                break
            time.sleep(0.1)
        else:
            sys.exit("FAILED: the worker did not finish within --drain-timeout")
        seconds = time.perf_counter() - start
        cpu = {name: _cpu(pid) - before[name] for name, pid in pids.items()}
        if db == "postgres":
            cpu["postgres"] = _postgres_cpu() - pg_before
    finally:
        for process in (listener, *lanes.values()):
            process.terminate()
        for process in (listener, *lanes.values()):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    _check(waves, n, cycles)
    return {"seconds": seconds, "send_seconds": send_seconds, "cpu": cpu}


def _check(waves, n: int, cycles: int) -> None:
    """Fail unless every workspace holds what its messages should have made."""
    from django.db.models import Count

    from contento.support.models import InboundEmail, Ticket, TicketMessage

    expected_outcome = {
        "ticket": {"created", "appended"},
        "autoreply": {"auto_reply"},
        "bounce": {"bounce"},
    }
    records = {}
    for record in InboundEmail.objects.select_related("team").only(
        "digest", "outcome", "ticket_id", "team__email_address"
    ):
        records[(record.team.email_address if record.team else "", record.digest)] = record
    problems = []
    if len(records) != n or InboundEmail.objects.count() != n:
        problems.append(f"{InboundEmail.objects.count()} inbound records for {n} messages")
    by_file: dict[tuple, object] = {}
    for wave in waves:
        for to, raw, row, cycle in wave:
            record = records.get((to, hashlib.sha256(raw).hexdigest()))
            if record is None:
                problems.append(f"{row['file']} (cycle {cycle}): no record")
                continue
            by_file[(cycle, row["file"])] = record
            if record.outcome not in KNOWN.get(row["file"], expected_outcome[row["expect"]]):
                problems.append(f"{row['file']} (cycle {cycle}): {record.outcome}")
            if row["thread_of"]:
                parent = by_file.get((cycle, row["thread_of"]))
                if parent is None or parent.ticket_id != record.ticket_id:
                    problems.append(f"{row['file']} (cycle {cycle}): not in its parent's ticket")
    created = sum(r.outcome == "created" for r in records.values())
    appended = sum(r.outcome == "appended" for r in records.values())
    tickets = Ticket.objects.count()
    messages = TicketMessage.objects.filter(direction="inbound", kind="message").count()
    if (tickets, messages) != (created, created + appended):
        problems.append(
            f"{tickets} tickets and {messages} messages for {created} created, {appended} appended"
        )
    counts = dict(Ticket.objects.values_list("acknowledgement").annotate(n=Count("pk")))
    if counts.get("pending"):
        problems.append(f"{counts['pending']} acknowledgements not sent")
    if problems:
        sys.exit("FAILED:\n  " + "\n  ".join(problems[:20]))


def _run(args, db: str) -> dict:
    root = Path(args.root).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="contento-bench-desk-"))
    env = dict(os.environ)
    env.update(
        CONTENTO_VAR_DIR=str(tmp),
        MAIL_LOOP_LIMIT="1000000",
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="contento.settings",
        PYTHONPATH=str(root),
        TASKS_IMMEDIATE="0",
    )
    env.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(32))  # one for all processes
    env.pop("REDIS_URL", None)
    if db == "postgres":
        import psycopg

        with psycopg.connect(args.pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS contento_bench WITH (FORCE)")
            c.execute("CREATE DATABASE contento_bench")
            c.execute("DROP DATABASE IF EXISTS contento_bench_floor WITH (FORCE)")
            c.execute("CREATE DATABASE contento_bench_floor")
        env["DATABASE_URL"] = args.pg_url
        floor_target = args.pg_url.rsplit("/", 1)[0] + "/contento_bench_floor"
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(tmp / "desk.sqlite3")
        floor_target = str(tmp / "floor.sqlite3")
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(root))

    rows = _corpus(Path(args.mail_dir))
    n = args.messages
    cycles = -(-n // len(rows))
    run = secrets.token_hex(4)
    waves = _deliveries(rows, n, run)
    floor_seconds = _floor(db, floor_target, waves, args.concurrency, n)
    desk = _desk(args, db, root, env, waves, n, cycles)
    return {"n": n, "floor_seconds": floor_seconds, **desk}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--root", default=str(ROOT), help="the checkout to measure")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--mail-dir",
        default=os.environ.get("CONTENTO_MAIL_DIR", str(ROOT.parent / "shared/data/mail")),
    )
    parser.add_argument("--drain-timeout", type=float, default=900)
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: one database, JSON out
    args = parser.parse_args()
    if args.one:
        import json

        print(json.dumps(_run(args, args.one)))
        return
    import json

    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"{args.messages} messages from {args.mail_dir}, {args.concurrency} concurrent SMTP "
        f"clients, code: {args.root}"
    )
    header = (
        f"{'database':<11}{'desk msg/s':>11}{'floor msg/s':>12}{'x floor':>9}   CPU ms per message"
    )
    print(header)
    for db in dbs:  # each database in a process of its own (Django is set up once per process)
        out = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--one", db],
            capture_output=True,
            text=True,
        )
        if out.returncode:
            sys.stdout.write(out.stdout)
            sys.exit(out.stderr.strip()[-3000:] or f"FAILED on {db}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        n = result["n"]
        desk_rate, floor_rate = n / result["seconds"], n / result["floor_seconds"]
        cpu = {k: v * 1000 / n for k, v in result["cpu"].items()}
        parts = ", ".join(f"{k} {v:.1f}" for k, v in cpu.items())
        total = sum(cpu.values())
        print(
            f"{db:<11}{desk_rate:>11.1f}{floor_rate:>12.1f}{desk_rate / floor_rate:>9.3f}   "
            f"{total:.1f} ({parts}; sending took {result['send_seconds']:.1f} s of "
            f"{result['seconds']:.1f} s)"
        )


if __name__ == "__main__":
    main()
