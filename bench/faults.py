"""Faults under load: kill every kind of process and restart the database; count what is lost.

One `contento serve` (gunicorn, the task worker lanes and the mail listener, supervised by the
command itself) on a fresh database takes a steady load:

* survey respondents (threads): GET the public page, POST a complete page with a comment;
  a 302 is an acknowledged response. A failed attempt is retried with the same form, as a
  browser's retry would be;
* inbound mail over SMTP, each with its own Message-ID; a 250 is an acknowledged mail. A
  refused attempt (the listener restarting, 451 while the database is away) is sent again.

Meanwhile, at fixed times, it SIGKILLs a gunicorn worker, the urgent worker lane, the analysis
lane and the mail listener, and (PostgreSQL only) restarts PostgreSQL. Then the load stops and
it waits for the background work to finish. It prints:

* acknowledged vs stored responses and mails, lost and duplicated ones;
* tasks lost (acknowledgement emails never sent, comments never analysed, tasks still queued
  or dead) and tasks run twice with a visible effect (an acknowledgement mailed twice);
* how long each fault took to heal without anyone touching anything;
* the acknowledgement emails' delay (mail accepted to the customer's inbox) while comment
  analysis has a backlog: the mail lane must not wait behind it.

Run from the repository root, as root for the PostgreSQL restart (it uses pg_ctlcluster, as
the machine's services are started); the database `contento_faults` is dropped and created:

    .venv/bin/python bench/faults.py [--db postgres|sqlite] [--seconds 80] [--clients 6]
"""

import argparse
import contextlib
import json
import os
import re
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import httpx
import psycopg
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
CONTENTO = [sys.executable, "-m", "contento.cli"]
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_faults"
FIELDS = {n: re.compile(rf'name="{n}" value="([^"]*)"') for n in ("csrfmiddlewaretoken", "rt")}
COMMENTS = [
    "The router kept dropping the connection and nobody called me back.",
    "Rápido y amable, gracias por resolverlo tan pronto.",
    "Livraison en retard et le colis était abîmé, très déçu.",
    "Всё работает отлично, спасибо за помощь!",
    "Nhân viên hỗ trợ rất nhiệt tình, tôi rất hài lòng.",
    "Pelayanannya lambat sekali, saya harus menunggu dua jam.",
]
SETUP = """
import json
from contento.accounts.actions import do_create_organization, do_create_user
from contento.surveys.actions import do_create_survey, do_set_survey_status
owner = do_create_user(email="owner@example.test", password=None, name="Owner")
org = do_create_organization(name="Faults", owner=owner)
document = {"title": "How did we do?", "questions": [
    {"key": "nps", "type": "nps", "required": True, "text": "Recommend us?"},
    {"key": "why", "type": "text", "text": "Why?"}]}
survey = do_set_survey_status(do_create_survey(org, document, user=owner), "live")
print(json.dumps({"survey": str(survey.code)}))
"""
COUNT = """
import json
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from contento.support.models import InboundEmail, Ticket, TicketMessage
from contento.surveys.analysis import unread_answers
from contento.surveys.models import Answer, Response
from contento.support.analysis import unread_messages
texts = list(Answer.objects.filter(question__key="why").values_list("text", flat=True))
mails = list(InboundEmail.objects.values_list("message_id", flat=True))
tickets = {t: a for t, a in Ticket.objects.values_list("reference", "acknowledgement")}
statuses = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
print(json.dumps({
    "complete": Response.objects.filter(status="complete").count(),
    "texts": texts, "mails": mails, "tickets": tickets,
    "unread_answers": unread_answers().count(), "unread_messages": unread_messages().count(),
    "tasks": statuses,
    "ticket_of_mail": dict(InboundEmail.objects.filter(ticket__isnull=False)
                           .values_list("message_id", "ticket__reference")),
}))
"""


class Inbox:
    """An SMTP server on loopback standing for the customers' mailboxes."""

    def __init__(self):
        self.acks: list[tuple[str, float]] = []  # (ticket reference, arrival time)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        text = envelope.content.decode("utf-8", "replace")
        match = re.search(r"^X-Contento-Loop: *(\S+)", text, re.M | re.I)
        if match and "Auto-Submitted: auto-replied" in text:
            with self.lock:
                self.acks.append((match.group(1), time.monotonic()))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Load:
    """Respondents and mail senders, each retrying until acknowledged, until stopped."""

    def __init__(self, base_url: str, survey: str, mail_port: int, clients: int):
        self.base_url, self.survey, self.mail_port, self.clients = (
            base_url,
            survey,
            mail_port,
            clients,
        )
        self.stop = threading.Event()
        self.responses: list[str] = []  # acknowledged comments (each unique)
        self.mails: dict[str, float] = {}  # acknowledged Message-ID -> time accepted
        self.failures = Counter()
        self.last_ok = {"web": 0.0, "mail": 0.0}
        self.faults: list[float] = []  # when each fault was made
        self.lock = threading.Lock()

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.respondent, args=(k,)) for k in range(self.clients)]
        threads.append(threading.Thread(target=self.mailer))
        for thread in threads:
            thread.daemon = True
            thread.start()
        return threads

    def respondent(self, k: int) -> None:
        n = 0
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self.stop.is_set():
                n += 1
                comment = f"{COMMENTS[n % len(COMMENTS)]} [r{k}-{n}]"
                self._answer(client, comment, n)

    def _answer(self, client, comment: str, n: int) -> None:
        data = None
        while not self.stop.is_set():
            try:
                if data is None:
                    client.cookies.clear()
                    page = client.get(f"/s/{self.survey}/")
                    page.raise_for_status()
                    data = {k: rx.search(page.text).group(1) for k, rx in FIELDS.items()}
                    data.update({"page": "1", "lang": "en", "q-nps": n % 11, "q-why": comment})
                post = client.post(f"/s/{self.survey}/", data=data)
                if post.status_code == 302:
                    with self.lock:
                        self.responses.append(comment)
                        self.last_ok["web"] = time.monotonic()
                    return
                self.failures[f"web {post.status_code}"] += 1
            except (httpx.HTTPError, AttributeError) as error:
                self.failures[f"web {type(error).__name__}"] += 1
            time.sleep(0.5)  # the same form is sent again: the response is not duplicated

    def mailer(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            message_id = f"<fault-{n}-{uuid.uuid4().hex[:8]}@customer.example>"
            message = EmailMessage()
            message["From"] = f"Customer {n % 7} <customer{n % 7}@example.net>"
            message["To"] = "support@contento.localhost"
            message["Subject"] = f"Problem number {n}"
            message["Message-ID"] = message_id
            message.set_content(f"{COMMENTS[n % len(COMMENTS)]} (mail {n})")
            while not self.stop.is_set():
                try:
                    with smtplib.SMTP("127.0.0.1", self.mail_port, timeout=30) as smtp:
                        smtp.send_message(message)
                    with self.lock:
                        self.mails[message_id] = time.monotonic()
                        self.last_ok["mail"] = time.monotonic()
                    break
                except (OSError, smtplib.SMTPException) as error:
                    self.failures[f"mail {type(error).__name__}"] += 1
                    time.sleep(0.5)
            time.sleep(0.25)


def children(pid: int) -> list[tuple[int, str]]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    return [(int(line.split(None, 1)[0]), line.split(None, 1)[1]) for line in out.splitlines()]


def find(serve_pid: int, what: str) -> int | None:
    for pid, args in children(serve_pid):
        if what == "web" and "serve" in args:
            return pid
        if what == "mail" and "mailserver" in args:
            return pid
        if what in ("urgent", "analysis") and f"--lane {what}" in args:
            return pid
    return None


def restart_postgres() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True
    )


def django(env, code: str) -> dict:
    out = subprocess.run(
        [*CONTENTO, "shell", "-v", "0", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seconds", type=int, default=80, help="seconds of load")
    parser.add_argument("--clients", type=int, default=6, help="concurrent respondents")
    parser.add_argument("--wait", type=int, default=600, help="seconds to wait for recovery")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="contento-faults-"))
    inbox = Inbox()
    sink = Controller(inbox, hostname="127.0.0.1", port=free_port())
    sink.start()
    web_port, mail_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        CONTENTO_VAR_DIR=str(tmp),
        SECRET_KEY=f"faults-{uuid.uuid4().hex}",
        RATELIMIT_ENABLE="0",
        LOG_LEVEL="ERROR",
        ACCESS_LOG="0",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(sink.port),
        MAIL_PORT=str(mail_port),
        TASK_LEASE_SECONDS="10",
    )
    if args.db == "postgres":
        env["DATABASE_URL"] = PG_URL
        with psycopg.connect(PG_URL, dbname="postgres", autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS contento_faults WITH (FORCE)")
            admin.execute("CREATE DATABASE contento_faults")
    subprocess.run([*CONTENTO, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    survey = django(env, SETUP)["survey"]
    log = (tmp / "serve.log").open("w")
    serve = subprocess.Popen(
        [*CONTENTO, "serve", "--port", str(web_port), "--workers", "2"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{web_port}"
    healed: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.3)
        time.sleep(3)  # the listener and the lanes start beside the web server
        load = Load(base_url, survey, mail_port, args.clients)
        threads = load.start()
        start = time.monotonic()
        faults = [
            (0.15, "web", "SIGKILL a gunicorn worker"),
            (0.30, "urgent", "SIGKILL the urgent worker lane"),
            (0.45, "analysis", "SIGKILL the analysis worker lane"),
            (0.60, "mail", "SIGKILL the mail listener"),
        ]
        if args.db == "postgres":
            faults.append((0.75, "postgres", "restart PostgreSQL"))
        for share, what, label in faults:
            time.sleep(max(0.0, start + share * args.seconds - time.monotonic()))
            at = time.monotonic()
            if what == "postgres":
                restart_postgres()
            else:
                pid = find(serve.pid, what)
                if pid is None:
                    print(f"  {label}: no such process found", flush=True)
                    continue
                os.kill(pid, signal.SIGKILL)
            print(f"{at - start:6.1f} s  {label}", flush=True)
            load.faults.append(at)
            healed[label] = _healed(what, at, serve.pid, pid if what != "postgres" else None, load)
        time.sleep(max(0.0, start + args.seconds - time.monotonic()))
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        print(
            f"load stopped after {time.monotonic() - start:.0f} s; waiting for the background work"
        )
        state = _wait_for_quiet(env, inbox, args.wait)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            serve.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(serve.pid, signal.SIGKILL)
        sink.stop()
    return _report(load, state, inbox, healed)


def _healed(what, at, serve_pid, killed_pid, load) -> float:
    """Return the seconds until the killed process's work is done again (or -1 if never)."""
    deadline = at + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if what == "postgres" or what == "web":
            if load.last_ok["web"] > at:
                return load.last_ok["web"] - at
        elif what == "mail":
            pid = find(serve_pid, what)
            if pid is not None and pid != killed_pid and _smtp_answers(load.mail_port):
                return time.monotonic() - at
        else:
            pid = find(serve_pid, what)
            if pid is not None and pid != killed_pid:
                return time.monotonic() - at
    return -1.0


def _smtp_answers(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as smtp:
            return smtp.noop()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _wait_for_quiet(env, inbox, seconds) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        state = django(env, COUNT)
        pending = state["tasks"].get("READY", 0) + state["tasks"].get("RUNNING", 0)
        unacked = sum(1 for a in state["tickets"].values() if a != "sent")
        quiet = not pending and not unacked and not state["unread_answers"]
        if quiet or time.monotonic() > deadline:
            state["waited"] = seconds - (deadline - time.monotonic())
            return state
        time.sleep(5)


def _report(load, state, inbox, healed) -> int:
    stored_texts = Counter(state["texts"])
    acknowledged = set(load.responses)
    lost_responses = [t for t in acknowledged if stored_texts[t] == 0]
    duplicated_responses = [t for t, n in stored_texts.items() if n > 1]
    stored_mails = Counter(state["mails"])
    lost_mails = [m for m in load.mails if stored_mails[m] == 0]
    duplicated_mails = [m for m, n in stored_mails.items() if m and n > 1]
    acks = Counter(reference for reference, _at in inbox.acks)
    tickets = state["tickets"]
    acks_missing = [ref for ref in tickets if acks[ref] == 0]
    acks_twice = [ref for ref, n in acks.items() if n > 1]
    dead = state["tasks"].get("FAILED", 0)
    stuck = state["tasks"].get("READY", 0) + state["tasks"].get("RUNNING", 0)
    print("\n| what | acknowledged | stored | lost | duplicated |")
    print("|---|---|---|---|---|")
    kept = sum(stored_texts[t] > 0 for t in acknowledged)
    print(
        f"| survey responses | {len(acknowledged)} | {kept}"
        f" | {len(lost_responses)} | {len(duplicated_responses)} |"
    )
    print(
        f"| inbound mails | {len(load.mails)} | {sum(stored_mails[m] > 0 for m in load.mails)}"
        f" | {len(lost_mails)} | {len(duplicated_mails)} |"
    )
    print("\n| background work | count |")
    print("|---|---|")
    print(f"| tickets from mail | {len(tickets)} |")
    print(f"| acknowledgements never sent (tasks lost) | {len(acks_missing)} |")
    print(f"| acknowledgements sent twice (run twice, visible) | {len(acks_twice)} |")
    print(f"| comments never analysed | {state['unread_answers']} |")
    print(f"| customer messages never analysed | {state['unread_messages']} |")
    print(f"| tasks dead (failed for good) | {dead} |")
    print(f"| tasks still queued or running | {stuck} |")
    print(f"| seconds to finish the backlog after the load | {state['waited']:.0f} |")
    print("\n| fault | healed after (s) |")
    print("|---|---|")
    for label, seconds in healed.items():
        print(f"| {label} | {'never' if seconds < 0 else f'{seconds:.1f}'} |")
    arrivals = _ack_times(inbox, state, load)
    accepted = {m: load.mails[m] for m in arrivals if m in load.mails}
    calm = {  # mails accepted away from the faults (more than two leases after each)
        m for m, at in accepted.items() if not any(0 <= at - f <= 20 for f in load.faults)
    }
    print()
    for label, chosen in (("all mails", set(accepted)), ("away from the faults", calm)):
        delays = sorted(arrivals[m] - accepted[m] for m in chosen)
        if delays:
            p50 = delays[len(delays) // 2]
            p99 = delays[min(len(delays) - 1, int(0.99 * len(delays)))]
            print(
                f"acknowledgement delay, mail accepted -> in the inbox, {label} ({len(delays)}): "
                f"p50 {p50:.1f} s, p99 {p99:.1f} s, max {delays[-1]:.1f} s"
            )
    print(f"\nclient retries: {dict(load.failures)}")
    problems = (
        lost_responses
        or duplicated_responses
        or lost_mails
        or duplicated_mails
        or acks_missing
        or acks_twice
        or dead
        or stuck
        or state["unread_answers"]
        or any(s < 0 for s in healed.values())
    )
    print(
        "\nRESULT:", "nothing lost, nothing doubled, healed unaided" if not problems else "PROBLEMS"
    )
    return 1 if problems else 0


def _ack_times(inbox, state, load) -> dict:
    """Map each mail's Message-ID to when its ticket's acknowledgement arrived."""
    first_ack = {}
    for reference, at in inbox.acks:
        first_ack.setdefault(reference, at)
    by_message = state.get("ticket_of_mail", {})
    return {m: first_ack[r] for m, r in by_message.items() if r in first_ack}


if __name__ == "__main__":
    sys.exit(main())
