"""Every way customers reach the desk is one `Channel`: receive, send, what a message carries."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from contento.core.idempotency import IdempotencyKey
from contento.customers.models import Customer
from contento.support import tasks
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.channels import CHANNELS, channel, channel_of
from contento.support.channels.base import Channel
from contento.support.models import Ticket, TicketMessage, TicketRating


def test_every_ticket_channel_has_one_channel_named_by_it():
    assert set(CHANNELS) == set(Ticket.Channel.values)
    for name, found in CHANNELS.items():
        assert found.name == name


def test_the_channels_that_send_answers_implement_send():
    senders = {name for name, found in CHANNELS.items() if found.sends_answers}
    assert senders == Ticket.ANSWERED_BY_EMAIL
    for name in senders:
        assert type(CHANNELS[name]).send is not Channel.send, name


def test_a_chat_answer_is_read_on_the_chat_page_not_sent():
    assert not channel(Ticket.Channel.CHAT).sends_answers
    with pytest.raises(NotImplementedError):
        channel(Ticket.Channel.CHAT).send(TicketMessage())


def test_the_web_form_opens_a_ticket_for_the_address_given(desk):
    ticket = channel(Ticket.Channel.WEB).receive(
        desk.org,
        email="new@example.net",
        name="Nadia",
        language="fr",
        subject="Invoice",
        body="The invoice is wrong.",
        idempotency_key=IdempotencyKey.for_system("web-form-1"),
    )
    assert ticket.channel == Ticket.Channel.WEB
    assert ticket.customer.email == "new@example.net"
    assert ticket.language == "fr"
    assert channel_of(ticket) is CHANNELS["web"]


def test_a_refused_web_ticket_leaves_no_customer_behind(desk):
    with pytest.raises(ValidationError):
        channel(Ticket.Channel.WEB).receive(
            desk.org, email="empty@example.net", name="E", language="en", subject="", body=""
        )
    assert not Customer.objects.filter(email="empty@example.net").exists()


def test_a_web_ticket_is_answered_by_mail_and_a_chat_is_not(desk):
    for name in (Ticket.Channel.WEB, Ticket.Channel.CHAT):
        ticket = channel(name).receive(
            desk.org,
            email="lucia@example.net",
            name="Lucía",
            language="es",
            subject=f"By {name}",
            body="Hola",
        )
        answer = do_reply_to_ticket(ticket, desk.alice, body=f"Answer on {name}")
        tasks.send_ticket_message.func(str(answer.code))
    assert [m.subject for m in mail.outbox if "Answer on" in m.body] == [
        f"Re: [#{Ticket.objects.get(subject='By web').reference}] By web"
    ]
    chat_answer = TicketMessage.objects.get(body="Answer on chat")
    assert chat_answer.delivery == TicketMessage.Delivery.NONE


def test_a_sent_answer_has_a_message_id_of_ours(desk):
    ticket = channel(Ticket.Channel.WEB).receive(
        desk.org, email="lucia@example.net", name="L", language="es", subject="S", body="B"
    )
    answer = do_reply_to_ticket(ticket, desk.alice, body="Done")
    assert answer.message_id == ""  # given when sent: the same one if sent again after a crash
    assert tasks.send_ticket_message.func(str(answer.code)) == "sent"
    assert tasks.send_ticket_message.func(str(answer.code)) == "skipped"  # never twice
    answer.refresh_from_db()
    assert answer.delivery == TicketMessage.Delivery.SENT
    assert answer.message_id == f"<contento.{answer.code}@{answer.message_id.split('@')[1]}"
    assert mail.outbox[-1].extra_headers["Message-ID"] == answer.message_id


def test_a_phone_call_opens_a_ticket_with_its_outcome_and_rating(desk):
    ticket = channel(Ticket.Channel.PHONE).receive(
        desk.alice,
        desk.customer,
        subject="Slow line",
        body="Reset the router together.",
        outcome=TicketMessage.Outcome.RESOLVED,
        rating=5,
    )
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.status == Ticket.Status.SOLVED
    rating = TicketRating.objects.get(ticket=ticket, score__isnull=False)
    assert rating.score == 5
    assert rating.agent == desk.alice


def test_a_phone_call_with_a_refused_rating_leaves_no_ticket(desk):
    with pytest.raises(ValidationError):
        channel(Ticket.Channel.IN_PERSON).receive(
            desk.alice, desk.customer, subject="Visit", body="Came to the shop.", rating=9
        )
    assert not Ticket.objects.filter(subject="Visit").exists()


def test_the_worker_sends_through_the_tickets_channel(desk, monkeypatch):
    sent = []
    for name in ("email", "web"):
        monkeypatch.setattr(
            type(CHANNELS[name]), "send", lambda self, m: sent.append((self.name, m.body))
        )
    ticket = channel(Ticket.Channel.WEB).receive(
        desk.org, email="lucia@example.net", name="L", language="es", subject="S", body="B"
    )
    answer = do_reply_to_ticket(ticket, desk.alice, body="Done")
    assert tasks.send_ticket_message.func(str(answer.code)) == "sent"
    assert sent == [("web", "Done")]
