"""Real mail through the SMTP listener on loopback: tickets, threading, limits, loops."""

import smtplib
import socket
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.management import call_command

from contento.support.channels.email.server import DeskController
from contento.support.models import Attachment, InboundEmail, Ticket, TicketMessage

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(desk, settings):
    settings.MAIL_MAX_BYTES = 200_000
    controller = DeskController("127.0.0.1", _free_port())
    controller.start()
    yield controller
    controller.stop()


def _send(controller, message: EmailMessage, to="help@acme.test"):
    with smtplib.SMTP(controller.hostname, controller.port) as client:
        client.send_message(message, to_addrs=[to])


def _mail(subject="Router broken", body="It blinks red.", sender="lucia@example.net", **headers):
    message = EmailMessage()
    message["From"] = f"Lucía <{sender}>"
    message["To"] = "help@acme.test"
    message["Subject"] = subject
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


def test_mail_becomes_a_ticket_and_the_reply_threads_back(smtp, desk):
    first = _mail(Message_ID="<m1@example.net>")
    _send(smtp, first)
    ticket = Ticket.objects.get()
    assert ticket.customer == desk.customer
    assert ticket.channel == "email"
    assert ticket.team == desk.team
    assert ticket.subject == "Router broken"
    call_command("worker", burst=True)
    # The customer answers our acknowledgement: its headers point at our message.
    ack = next(m for m in mail.outbox if m.to == ["lucia@example.net"])
    reply = _mail(
        subject=f"Re: {ack.subject}",
        body="Still red.",
        Message_ID="<m2@example.net>",
        In_Reply_To="<m1@example.net>",
        References="<m1@example.net>",
    )
    _send(smtp, reply)
    assert Ticket.objects.count() == 1
    assert list(ticket.messages.values_list("body", flat=True)) == ["It blinks red.", "Still red."]


def test_a_redelivered_mail_is_not_a_second_ticket(smtp):
    message = _mail(Message_ID="<same@example.net>")
    _send(smtp, message)
    _send(smtp, message)
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1


def test_a_reference_in_the_subject_threads_only_the_same_customers_mail(smtp, desk):
    _send(smtp, _mail())
    ticket = Ticket.objects.get()
    _send(smtp, _mail(subject=f"Re: [#{ticket.reference}] Router", body="More info."))
    assert Ticket.objects.count() == 1
    assert ticket.messages.count() == 2
    # Someone else quoting the reference gets a ticket of their own: no merged customers.
    _send(smtp, _mail(subject=f"[#{ticket.reference}] hi", sender="mallory@evil.example"))
    assert Ticket.objects.count() == 2
    assert ticket.messages.count() == 2


def test_attachments_are_stored_and_oversized_mail_refused(smtp, settings):
    message = _mail()
    message.add_attachment(
        b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="factura.pdf"
    )
    _send(smtp, message)
    attachment = Attachment.objects.get()
    assert attachment.filename == "factura.pdf"
    assert attachment.size == 16
    with attachment.file.open("rb") as f:
        assert f.read() == b"%PDF-1.4 invoice"
    huge = _mail(body="x" * 300_000)
    with pytest.raises(smtplib.SMTPException) as refused:
        _send(smtp, huge)
    assert "552" in str(refused.value)
    assert Ticket.objects.count() == 1


def test_unknown_recipients_are_refused(smtp):
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        _send(smtp, _mail(), to="nobody@elsewhere.test")


def test_an_autoresponder_loop_is_stopped(smtp, desk, settings):
    settings.MAIL_LOOP_LIMIT = 5
    _send(smtp, _mail(Message_ID="<start@example.net>"))
    call_command("worker", burst=True)
    acks = len(mail.outbox)
    # A broken autoresponder answers every mail we send, without any auto-reply header.
    for n in range(10):
        _send(
            smtp,
            _mail(
                subject=f"Re: Router broken {n}",
                body="I am away.",
                Message_ID=f"<away{n}@example.net>",
            ),
        )
    call_command("worker", burst=True)
    outcomes = list(InboundEmail.objects.values_list("outcome", flat=True))
    assert outcomes.count("loop") >= 5
    assert len(mail.outbox) - acks <= 5  # it stopped getting answers
    # A proper auto-reply is stored on its ticket and never answered.
    before = len(mail.outbox)
    settings.MAIL_LOOP_LIMIT = 1000
    _send(
        smtp,
        _mail(
            subject="Automatic reply: Router broken",
            Auto_Submitted="auto-replied",
            In_Reply_To="<start@example.net>",
            Message_ID="<auto@example.net>",
        ),
    )
    record = InboundEmail.objects.get(message_id="<auto@example.net>")
    assert record.outcome == "auto_reply"
    assert record.ticket is not None
    assert record.ticket.messages.filter(kind=TicketMessage.Kind.AUTO_REPLY).count() == 1
    assert len(mail.outbox) == before


def test_a_second_listener_on_a_taken_port_says_so_and_exits_3(tmp_path):
    import os
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["CONTENTO_VAR_DIR"] = str(tmp_path)
        done = subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "contento.cli", "mailserver", "--port", str(port)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert done.returncode == 3  # the supervisor then tries again only every few minutes
    assert f"Cannot receive mail on smtp://127.0.0.1:{port}/" in done.stderr
    assert "Another listener may already run" in done.stderr
