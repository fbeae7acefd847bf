"""Inbound mail loses nothing silently: senders recovered, long lines taken, nothing dropped."""

import smtplib
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from contento.accounts.roles import Role
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.tickets import do_create_ticket
from contento.support.channels.email import inbound
from contento.support.channels.email.server import DeskController
from contento.support.models import (
    InboundEmail,
    Team,
    Ticket,
    TicketMessage,
    TicketParticipant,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(desk):
    controller = DeskController("127.0.0.1", _free_port())
    controller.start()
    yield controller
    controller.stop()


def _send_raw(controller, raw: bytes, mail_from="bounce@example.net", to="help@acme.test"):
    with smtplib.SMTP(controller.hostname, controller.port) as client:
        return client.sendmail(mail_from, [to], raw)


def _raw(headers: str, body: str = "Hola, el router no funciona.") -> bytes:
    return (headers.strip("\n").replace("\n", "\r\n") + "\r\n\r\n" + body + "\r\n").encode()


def test_an_office365_from_with_an_at_in_its_name_still_makes_a_ticket(smtp):
    _send_raw(
        smtp,
        _raw(
            "From: Lucia Perez@Tienda Sol <lucia@example.net>\n"
            "To: help@acme.test\nSubject: Router\nMessage-ID: <o365@example.net>"
        ),
    )
    ticket = Ticket.objects.get()
    assert ticket.customer.email == "lucia@example.net"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("Reply-To: Ana <ana@example.net>", "ana@example.net"),
        ("Sender: ana@example.net", "ana@example.net"),
        ("Return-Path: <ana@example.net>", "ana@example.net"),
        ("From: undisclosed-recipients:;", "envelope@example.net"),
    ],
)
def test_a_missing_sender_is_recovered_from_other_headers(smtp, headers, expected):
    raw = _raw(f"{headers}\nTo: help@acme.test\nSubject: Sin remitente")
    _send_raw(smtp, raw, mail_from="envelope@example.net")
    ticket = Ticket.objects.get()
    assert ticket.customer.email == expected


def test_mail_without_any_sender_waits_for_an_agent_with_its_text(smtp, personas, desk):
    _send_raw(
        smtp,
        _raw(
            "To: help@acme.test\nSubject: =?utf-8?q?Factura_err=C3=B3nea?=",
            "Me cobraron dos.",
        ),
        mail_from="",
    )
    assert Ticket.objects.count() == 0
    record = InboundEmail.objects.get()
    assert record.outcome == "rejected"
    assert record.text.strip() == "Me cobraron dos."
    agent = personas.client(Role.AGENT)
    listed = agent.get(reverse("support:attention")).content.decode()
    assert "Factura errónea" in listed
    assert (
        "1" in agent.get(reverse("support:queue")).content.decode().split("needs attention")[1][:80]
    )
    page = agent.get(reverse("support:attention_mail", args=[record.code])).content.decode()
    assert "Me cobraron dos." in page
    opened = agent.post(
        reverse("support:attention_open_ticket", args=[record.code]),
        {"email": "lucia@example.net", "name": "Lucía"},
    )
    ticket = Ticket.objects.get()
    assert opened.status_code == 302
    assert ticket.customer == desk.customer
    assert ticket.messages.get().body == "Me cobraron dos."
    record.refresh_from_db()
    assert record.handled_at is not None
    assert record.ticket == ticket
    assert "Factura" not in agent.get(reverse("support:attention")).content.decode()


def test_the_attention_list_is_the_workspaces_own(smtp, personas):
    _send_raw(smtp, _raw("To: help@acme.test\nSubject: Secreto"), mail_from="")
    record = InboundEmail.objects.get()
    outsider = personas.client(personas.outsider)
    assert "Secreto" not in outsider.get(reverse("support:attention")).content.decode()
    assert outsider.get(reverse("support:attention_mail", args=[record.code])).status_code == 404
    analyst = personas.client(Role.ANALYST)
    assert analyst.get(reverse("support:attention_mail", args=[record.code])).status_code == 200
    aside = reverse("support:attention_set_aside", args=[record.code])
    assert analyst.post(aside).status_code == 403
    assert outsider.post(aside).status_code in (403, 404)
    assert personas.client(Role.AGENT).post(aside).status_code == 302
    record.refresh_from_db()
    assert record.handled_at is not None


def test_a_line_longer_than_a_thousand_octets_is_taken(smtp):
    long_line = "Texto largo " * 300  # 3,600 characters on one line, as Outlook sends
    reply = _send_raw(
        smtp, _raw("From: lucia@example.net\nTo: help@acme.test\nSubject: Largo", long_line)
    )
    assert reply == {}
    assert Ticket.objects.get().messages.get().body.startswith("Texto largo")


def test_an_unmatched_out_of_office_is_kept_readable_not_a_ticket(smtp, personas):
    _send_raw(
        smtp,
        _raw(
            "From: ana@example.net\nTo: help@acme.test\nSubject: Fuera de la oficina\n"
            "Auto-Submitted: auto-replied",
            "Vuelvo el lunes.",
        ),
    )
    assert Ticket.objects.count() == 0
    record = InboundEmail.objects.get()
    assert record.outcome == "auto_reply"
    assert "Vuelvo el lunes." in record.text
    listed = personas.client(Role.AGENT).get(reverse("support:attention")).content.decode()
    assert "Fuera de la oficina" in listed


def test_someone_answering_our_own_message_joins_the_ticket(smtp, desk):
    ticket = do_create_ticket(
        desk.org, customer=desk.customer, subject="Router", body="No va", channel="email"
    )
    reply = do_reply_to_ticket(ticket, desk.alice, body="¿Qué luz parpadea?")
    call_command("worker", burst=True)
    ours = TicketMessage.objects.get(pk=reply.pk).message_id
    _send_raw(
        smtp,
        _raw(
            f"From: Marta <marta@example.net>\nTo: help@acme.test\nSubject: Re: Router\n"
            f"In-Reply-To: {ours}\nReferences: {ours}",
            "Soy su hija: la luz roja.",
        ),
    )
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(email_from="marta@example.net").exists()
    [participant] = TicketParticipant.objects.filter(ticket=ticket)
    assert participant.customer.email == "marta@example.net"
    # The desk's next reply goes to her too.
    before = len(mail.outbox)
    do_reply_to_ticket(ticket, desk.alice, body="Gracias, mandamos un técnico.")
    call_command("worker", burst=True)
    sent = mail.outbox[before:]
    assert sent
    assert sent[-1].to == ["lucia@example.net"]
    assert sent[-1].cc == ["marta@example.net"]
    # Knowing only the customer's own Message-ID is no proof: a stranger gets their own ticket.
    customer_id = ticket.messages.order_by("pk").first().message_id or "<none@x>"
    _send_raw(
        smtp,
        _raw(
            f"From: mallory@evil.example\nTo: help@acme.test\nSubject: Re: Router\n"
            f"In-Reply-To: {customer_id}"
        ),
    )
    assert Ticket.objects.count() == 2


def test_a_person_writing_often_is_never_a_loop_but_the_same_text_is(smtp, personas, settings):
    settings.MAIL_LOOP_LIMIT = 5
    for n in range(12):
        _send_raw(
            smtp,
            _raw(
                f"From: lucia@example.net\nTo: help@acme.test\nSubject: Pedido {n}", f"Pedido {n}"
            ),
        )
    assert Ticket.objects.count() == 12
    assert not InboundEmail.objects.filter(outcome="loop").exists()
    for _n in range(5):
        _send_raw(
            smtp,
            _raw("From: robot@example.net\nTo: help@acme.test\nSubject: Alerta", "Disco lleno."),
        )
    loops = InboundEmail.objects.filter(outcome="loop", sender="robot@example.net")
    assert loops.count() == 2
    assert "same text" in loops.first().detail
    listed = personas.client(Role.AGENT).get(reverse("support:attention")).content.decode()
    assert "Alerta" in listed


def test_a_reused_message_id_with_other_content_is_kept(smtp):
    headers = "From: lucia@example.net\nTo: help@acme.test\nMessage-ID: <dup@example.net>\n"
    first = _raw(headers + "Subject: Uno", "Primer mensaje.")
    _send_raw(smtp, first)
    _send_raw(smtp, first)  # the same message delivered twice: one record
    assert InboundEmail.objects.count() == 1
    _send_raw(smtp, _raw(headers + "Subject: Dos", "Segundo mensaje."))
    assert InboundEmail.objects.count() == 2
    bodies = set(TicketMessage.objects.values_list("body", flat=True))
    assert bodies == {"Primer mensaje.", "Segundo mensaje."}


def test_while_the_database_is_away_mail_is_deferred_not_bounced(smtp):
    from unittest import mock

    from django.db import OperationalError

    with (
        mock.patch.object(inbound, "route", side_effect=OperationalError("restarting")),
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        _send_raw(smtp, _raw("From: lucia@example.net\nTo: help@acme.test\nSubject: Hola"))
    [(code, _message)] = refused.value.recipients.values()
    assert code == 451  # temporary: the sending server tries again later
    _send_raw(smtp, _raw("From: lucia@example.net\nTo: help@acme.test\nSubject: Hola"))
    assert Ticket.objects.count() == 1


def test_mail_from_another_team_of_the_workspace_is_a_loop(smtp, desk):
    Team.objects.create(organization=desk.org, name="Billing", email_address="Billing@acme.test")
    _send_raw(smtp, _raw("From: billing@acme.test\nTo: help@acme.test\nSubject: Aviso"))
    record = InboundEmail.objects.get(sender="billing@acme.test")
    assert record.outcome == "loop"
    assert "our own address" in record.detail
    assert not Ticket.objects.exists()
