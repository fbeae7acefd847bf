"""IMAP polling against a real (small) IMAP4 server on loopback: tickets, threading, re-runs,
bad passwords, broken messages, and the worker's tick."""

import contextlib
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from contento.support import tasks
from contento.support.channels.email import imap, inbound
from contento.support.management.commands import pollmail
from contento.support.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db

USER = "desk@acme.test"
PASSWORD = 'pa"ss\\w@rd:1 x'  # quoting and URL-encoding both matter


class _Session(socketserver.StreamRequestHandler):
    """One client connection: the commands imaplib sends for a poll, on one folder."""

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self):
        with contextlib.suppress(ConnectionError):  # a client that hung up (a TLS handshake)
            self._serve()

    def _serve(self):
        box = self.server
        self.send("* OK [CAPABILITY IMAP4rev1] Fake IMAP ready")
        while line := self.rfile.readline():
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            tokens = re.findall(r'"(?:[^"\\]|\\.)*"|\S+', text)
            args = [re.sub(r"\\(.)", r"\1", t[1:-1]) if t.startswith('"') else t for t in tokens]
            if len(args) < 2:
                self.send("* BAD what?")
                continue
            tag, command, args = args[0], args[1].upper(), args[2:]
            box.commands.append(" ".join([command, *(args[:1] if command == "LOGIN" else args)]))
            if command == "UID":
                command, args = f"UID {args[0].upper()}", args[1:]
            reply = getattr(self, "do_" + command.replace(" ", "_"), None)
            if reply is None:
                self.send(f"{tag} BAD unknown command")
                continue
            with box.lock:
                done = reply(box, *args)
            self.send(f"{tag} {done}")
            if command == "LOGOUT":
                return

    def do_CAPABILITY(self, box):  # noqa: N802
        self.send("* CAPABILITY IMAP4rev1")
        return "OK done"

    def do_NOOP(self, box):  # noqa: N802
        return "OK done"

    def do_LOGIN(self, box, user, password):  # noqa: N802
        if (user, password) != (box.user, box.password):
            return "NO [AUTHENTICATIONFAILED] Invalid credentials"
        self.logged_in = True
        return "OK logged in"

    def do_SELECT(self, box, folder):  # noqa: N802
        if not getattr(self, "logged_in", False) or folder != "INBOX":
            return "NO no such folder"
        self.send(f"* {len(box.messages)} EXISTS")
        self.send("* OK [UIDVALIDITY 7] ok")
        return "OK [READ-WRITE] selected"

    def do_UID_SEARCH(self, box, *criteria):  # noqa: N802
        assert criteria == ("UNSEEN",)
        unseen = [str(m["uid"]) for m in box.messages if "\\Seen" not in m["flags"]]
        self.send(" ".join(["* SEARCH", *unseen]))
        return "OK searched"

    def do_UID_FETCH(self, box, uid, items):  # noqa: N802
        for number, message in enumerate(box.messages, 1):
            if str(message["uid"]) == uid:
                if items.upper() == "(RFC822)":
                    message["flags"].add("\\Seen")  # a plain fetch reads the message
                raw = message["raw"]
                self.send(f"* {number} FETCH (UID {uid} BODY[] {{{len(raw)}}}".encode())
                self.wfile.write(raw + b")\r\n")
        return "OK fetched"

    def do_UID_STORE(self, box, uid, action, flags):  # noqa: N802
        assert (action, flags) == ("+FLAGS", "(\\Seen)")
        for number, message in enumerate(box.messages, 1):
            if str(message["uid"]) == uid:
                message["flags"].add("\\Seen")
                self.send(f"* {number} FETCH (UID {uid} FLAGS (\\Seen))")
        return "OK stored"

    def do_LOGOUT(self, box):  # noqa: N802
        self.send("* BYE")
        return "OK bye"


class FakeImap(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Session)
        self.user, self.password = USER, PASSWORD
        self.messages: list[dict] = []
        self.commands: list[str] = []
        self.lock = threading.Lock()

    def url(self, password=PASSWORD, query="") -> str:
        port = self.server_address[1]
        secret = quote(password, safe="")
        return f"imap://{quote(USER, safe='')}:{secret}@127.0.0.1:{port}/INBOX{query}"

    def add(self, message: EmailMessage | bytes) -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        with self.lock:
            self.messages.append({"uid": 100 + len(self.messages), "raw": raw, "flags": set()})

    def unread(self) -> int:
        return sum("\\Seen" not in m["flags"] for m in self.messages)


@pytest.fixture
def server():
    fake = FakeImap()
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    yield fake
    fake.shutdown()
    fake.server_close()


@pytest.fixture
def mailbox(server, desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMAP_URL = server.url()
    return server


def _mail(subject="Router broken", body="It blinks red.", sender="lucia@example.net", **headers):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = headers.pop("To", "help@acme.test")
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def _pollmail(*args) -> str:
    out = StringIO()
    call_command("pollmail", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_url_names_tls_user_password_folder_and_address():
    box = imap.parse_url("imaps://help%40acme.test:p%40ss%2Fw%3Ard@mail.example.com/Support%20In")
    assert (box.tls, box.host, box.port) == (True, "mail.example.com", 993)
    assert (box.user, box.password, box.folder) == ("help@acme.test", "p@ss/w:rd", "Support In")
    assert str(box) == "imaps://help@acme.test@mail.example.com:993/Support In"  # no password
    box = imap.parse_url("imap://u:p@localhost:1143?address=Help@Acme.test")
    assert (box.tls, box.port, box.folder, box.address) == (False, 1143, "INBOX", "help@acme.test")
    for bad in ("pop3://u:p@host/", "imaps://host/", "imap://u:p@host:99999/"):
        with pytest.raises(imap.MailboxError):
            imap.parse_url(bad)


def test_unread_mail_becomes_tickets_and_is_marked_read(mailbox, desk):
    mailbox.add(_mail(Message_ID="<m1@example.net>"))
    mailbox.add(_mail("Invoice wrong", "Charged twice.", "kim@example.org", Message_ID="<k@x.org>"))
    out = _pollmail()
    assert "fetched 2 message(s): 2 new ticket(s), 0 added to tickets" in out
    assert "imap://desk@acme.test@127.0.0.1" in out
    assert PASSWORD not in out
    assert quote(PASSWORD, safe="") not in out
    tickets = Ticket.objects.order_by("pk")
    assert [t.subject for t in tickets] == ["Router broken", "Invoice wrong"]
    assert tickets[0].customer == desk.customer
    assert {t.team for t in tickets} == {desk.team}
    assert {t.channel for t in tickets} == {"email"}
    assert InboundEmail.objects.filter(outcome="created").count() == 2
    assert mailbox.unread() == 0
    # Read with PEEK, so that a message is marked read only once the desk has it.
    assert not any("RFC822" in c for c in mailbox.commands)
    assert "LOGOUT" in mailbox.commands


def test_replies_thread_into_their_ticket(mailbox, desk):
    mailbox.add(_mail(Message_ID="<m1@example.net>"))
    imap.poll_mailbox()
    ticket = Ticket.objects.get()
    mailbox.add(
        _mail(
            "Re: Router broken",
            "Still red.",
            Message_ID="<m2@example.net>",
            In_Reply_To="<m1@example.net>",
        )
    )
    # No threading headers, only the ticket's plus-address it was sent to.
    mailbox.add(_mail("Another thing", "And the wifi.", To=f"help+{ticket.reference}@acme.test"))
    result = imap.poll_mailbox()
    assert (result.fetched, result.outcomes["appended"], result.error) == (2, 2, "")
    assert Ticket.objects.count() == 1
    assert list(ticket.messages.values_list("body", flat=True)) == [
        "It blinks red.",
        "Still red.",
        "And the wifi.",
    ]


def test_the_configured_address_routes_mail_sent_to_other_addresses(mailbox, desk, settings):
    settings.IMAP_URL = mailbox.url(query="?address=help@acme.test")
    mailbox.add(_mail(To="all-customers@lists.example.net"))  # a Bcc, or a list
    imap.poll_mailbox()
    assert Ticket.objects.get().team == desk.team


def test_polling_again_does_not_duplicate(mailbox):
    mailbox.add(_mail(Message_ID="<m1@example.net>"))
    mailbox.add(_mail("Second", Message_ID="<m2@example.net>"))
    imap.poll_mailbox()
    assert imap.poll_mailbox().fetched == 0  # nothing unread
    # A poll cut off before marking them read: the next one fetches them again.
    for message in mailbox.messages:
        message["flags"].clear()
    again = imap.poll_mailbox()
    assert (again.fetched, again.duplicates, sum(again.outcomes.values())) == (2, 2, 0)
    assert Ticket.objects.count() == 2
    assert InboundEmail.objects.count() == 2
    assert mailbox.unread() == 0


def test_broken_refused_and_failing_messages_do_not_stop_the_others(mailbox, settings, monkeypatch):
    settings.MAIL_MAX_BYTES = 50_000
    receive = inbound.receive

    def receive_or_fail(raw, recipients, **kwargs):
        if b"X-Trigger-Bug" in raw:
            raise RuntimeError("a bug in the desk")
        return receive(raw, recipients, **kwargs)

    monkeypatch.setattr(inbound, "receive", receive_or_fail)
    mailbox.add(_mail("First", Message_ID="<a@example.net>"))
    mailbox.add(b"\x00\xff\xfe this is not a mail at all\r\n\r\n\x00")
    mailbox.add(_mail("Huge", "x" * 60_000, Message_ID="<huge@example.net>"))
    mailbox.add(_mail("Bug", X_Trigger_Bug="1", Message_ID="<bug@example.net>"))
    mailbox.add(_mail("Last", sender="kim@example.org", Message_ID="<z@example.org>"))
    out = _pollmail()  # exits normally: the mailbox was read
    assert "fetched 5 message(s): 2 new ticket(s)" in out
    assert "2 failed" in out
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Last"]
    # The broken one is kept with why nothing came of it.
    kept = InboundEmail.objects.get(outcome="rejected")
    assert kept.detail == "no sender address"
    assert kept.size == len(mailbox.messages[1]["raw"])
    # Nothing is tried again every minute.
    assert mailbox.unread() == 0
    assert imap.poll_mailbox().fetched == 0


def test_a_wrong_password_is_a_clean_error(mailbox, settings):
    settings.IMAP_URL = mailbox.url(password="wrong")
    mailbox.add(_mail())
    with pytest.raises(CommandError) as error:
        _pollmail("--once")
    assert error.value.returncode == 1
    message = str(error.value)
    assert message.startswith("Could not read the mailbox imap://desk@acme.test@127.0.0.1:")
    assert "Invalid credentials" in message
    assert "wrong" not in message
    # The worker's tick goes on with its other duties and reports the error.
    result = tasks.desk_tick.func()
    assert "Invalid credentials" in result["mail"]["error"]
    assert "closed" in result
    assert Ticket.objects.count() == 0
    assert mailbox.unread() == 1


def test_the_command_exits_1_when_no_server_answers(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    contento = Path(sys.executable).with_name("contento")
    # A machine of its own (its SQLite in tmp_path), not the suite's database.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["IMAP_URL"] = f"imap://u:secret@127.0.0.1:{port}/"
    env["CONTENTO_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(  # noqa: S603 - our own command
        [str(contento), "pollmail"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1
    assert f"CommandError: Could not read the mailbox imap://u@127.0.0.1:{port}/INBOX" in (
        done.stderr
    )
    assert "secret" not in done.stderr
    assert "Traceback" not in done.stderr


def test_imaps_speaks_tls(mailbox, settings):
    # The loopback server speaks plain IMAP: the TLS handshake fails, cleanly.
    settings.IMAP_URL = mailbox.url().replace("imap://", "imaps://")
    mailbox.add(_mail())
    result = imap.poll_mailbox()
    assert result.error.startswith("Could not read the mailbox imaps://desk@acme.test@127.0.0.1:")
    assert Ticket.objects.count() == 0
    assert mailbox.unread() == 1


def test_the_command_needs_a_mailbox(settings):
    settings.IMAP_URL = ""
    with pytest.raises(CommandError, match="IMAP_URL is not set"):
        _pollmail()


def test_the_worker_tick_polls_only_when_a_mailbox_is_set(mailbox, settings):
    mailbox.add(_mail())
    settings.IMAP_URL = ""
    assert "mail" not in tasks.desk_tick.func()
    assert mailbox.commands == []
    assert Ticket.objects.count() == 0
    settings.IMAP_URL = mailbox.url()
    result = tasks.desk_tick.func()
    assert result["mail"]["created"] == 1
    assert result["mail"]["error"] == ""
    assert Ticket.objects.count() == 1


def test_only_one_poll_runs_at_a_time(mailbox):
    mailbox.add(_mail())
    cache.add(imap._LOCK, 1, 60)  # another worker is polling
    assert imap.poll_mailbox().skipped
    assert mailbox.commands == []
    cache.delete(imap._LOCK)
    assert imap.poll_mailbox().outcomes["created"] == 1


def test_watch_polls_until_stopped(mailbox, monkeypatch):

    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 1:
            mailbox.add(_mail("Later", Message_ID="<later@example.net>"))
            return
        raise KeyboardInterrupt

    monkeypatch.setattr(pollmail, "time", SimpleNamespace(sleep=sleep))
    mailbox.add(_mail(Message_ID="<first@example.net>"))
    out = _pollmail("--watch", "--interval", "5")
    assert sleeps == [5, 5]
    assert out.count("1 new ticket(s)") == 2
    assert Ticket.objects.count() == 2
