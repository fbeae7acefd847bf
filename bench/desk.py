"""Measure inbound mail turned into tickets through the SMTP listener, against a bare listener.

Both runs send the same messages over loopback SMTP with the same number of concurrent
clients (smtplib, one connection per message, as mail servers deliver):

* desk: `contento mailserver`'s listener (aiosmtpd + `inbound.receive`): parse, route,
  thread, find or create the customer, create the ticket and its message, store the raw mail,
  start the SLA clock and queue the acknowledgement, in a fresh database;
* bare: an aiosmtpd listener whose handler only writes each message to a file: the floor of
  what receiving mail costs on this machine.

"x bare" is the desk's rate over the bare rate. Every fifth message is a reply that threads
into an earlier ticket, and every message carries a small attachment. The run fails unless the
database holds exactly the expected tickets and messages.

    .venv/bin/python bench/desk.py [--messages 500] [--concurrency 4] [--db sqlite|postgres]
"""

import argparse
import os
import smtplib
import socket
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _messages(n: int) -> list[EmailMessage]:
    out = []
    for i in range(n):
        m = EmailMessage()
        customer = i // 5
        m["From"] = f"Customer {customer} <c{customer}@example.net>"
        m["To"] = "help@bench.test"
        m["Message-ID"] = f"<bench-{i}@example.net>"
        if i % 5:
            m["Subject"] = f"Re: Router {customer} keeps dropping"
            m["In-Reply-To"] = f"<bench-{i - 1}@example.net>"
            m["References"] = f"<bench-{customer * 5}@example.net> <bench-{i - 1}@example.net>"
        else:
            m["Subject"] = f"Router {customer} keeps dropping"
        m.set_content(
            f"Hola, el router se desconecta cada hora desde el lunes. Mensaje {i}.\n\n"
            "El lun., 4 may 2026, Soporte escribió:\n> ¿Ha reiniciado el equipo?\n"
        )
        m.add_attachment(b"x" * 2048, maintype="text", subtype="plain", filename="log.txt")
        out.append(m)
    return out


def _send_all(host, port, messages, concurrency) -> float:
    def send(message):
        with smtplib.SMTP(host, port) as client:
            client.send_message(message, to_addrs=["help@bench.test"])

    # Threads deliver concurrently, but a customer's replies follow their first message.
    firsts = [m for i, m in enumerate(messages) if i % 5 == 0]
    replies = [m for i, m in enumerate(messages) if i % 5]
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, firsts))
        list(pool.map(send, replies))
    return time.perf_counter() - start


class _FileHandler:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.count += 1
        (self.folder / f"{self.count}.eml").write_bytes(envelope.original_content)
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    n = args.messages - args.messages % 5
    tmp = Path(tempfile.mkdtemp(prefix="contento-bench-desk-"))
    os.environ["CONTENTO_VAR_DIR"] = str(tmp)
    os.environ["MAIL_LOOP_LIMIT"] = "1000000"
    os.environ["LOG_LEVEL"] = "WARNING"
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS contento_bench")
            c.execute("CREATE DATABASE contento_bench")
        os.environ["DATABASE_URL"] = PG_URL
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contento.settings")
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command

    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.support.channels.email.server import DeskController
    from contento.support.models import InboundEmail, Team, Ticket, TicketMessage

    call_command("migrate", verbosity=0)
    owner = do_create_user(email="owner@bench.test", password="bench-password-1")
    org = do_create_organization(name="Bench", owner=owner)
    Team.objects.create(organization=org, name="Help", email_address="help@bench.test")
    messages = _messages(n)

    desk = DeskController("127.0.0.1", _free_port())
    desk.start()
    # One warm-up message outside the figures (imports, first queries).
    warm_up = _messages(1)[0]
    warm_up.replace_header("Message-ID", "<warm-up@example.net>")
    _send_all("127.0.0.1", desk.port, [warm_up], 1)
    InboundEmail.objects.all().delete()
    Ticket.objects.all().delete()
    desk_seconds = _send_all("127.0.0.1", desk.port, messages, args.concurrency)
    desk.stop()
    tickets = Ticket.objects.count()
    inbound = TicketMessage.objects.filter(direction="inbound").count()
    if (tickets, inbound) != (n // 5, n):
        sys.exit(f"FAILED: {tickets} tickets and {inbound} messages, expected {n // 5} and {n}")

    folder = tmp / "bare"
    folder.mkdir()
    handler = _FileHandler(folder)
    bare = Controller(handler, hostname="127.0.0.1", port=_free_port())
    bare.start()
    bare_seconds = _send_all("127.0.0.1", bare.port, messages, args.concurrency)
    bare.stop()
    if handler.count != n:
        sys.exit(f"FAILED: the bare listener stored {handler.count} of {n}")

    desk_rate, bare_rate = n / desk_seconds, n / bare_seconds
    print(
        f"{n} messages ({n // 5} new tickets, {n - n // 5} threaded replies), "
        f"{args.concurrency} concurrent SMTP clients, database: {args.db}"
    )
    print(f"{'path':<34}{'msgs/s':>10}{'x bare':>10}")
    print(f"{'desk (mail -> ticket)':<34}{desk_rate:>10.1f}{desk_rate / bare_rate:>10.3f}")
    print(f"{'bare listener (store file only)':<34}{bare_rate:>10.1f}{1:>10.3f}")


if __name__ == "__main__":
    main()
