"""Tickets through the actions every channel uses: create, reply, assign, status, anger."""

import pytest
from django.core.exceptions import ValidationError

from contento.core.idempotency import IdempotencyKey
from contento.customers.actions import do_create_customer
from contento.support import tasks
from contento.support.actions.messages import (
    do_add_customer_message,
    do_add_note,
    do_log_conversation,
    do_reply_to_ticket,
)
from contento.support.actions.tickets import (
    do_assign_ticket,
    do_create_ticket,
    do_mark_ticket_angry,
    do_set_ticket_status,
    do_set_ticket_tags,
)
from contento.support.channels.email import outbound
from contento.support.models import Team, Ticket, TicketEvent, TicketMessage


def _ticket(desk, **kw):
    fields = {
        "customer": desk.customer,
        "subject": "Internet down",
        "body": "No connection since this morning.",
        "channel": Ticket.Channel.WEB,
        "team": desk.team,
    }
    fields.update(kw)
    return do_create_ticket(desk.org, **fields)


def test_a_ticket_opens_with_the_customers_message(desk):
    ticket = _ticket(desk)
    assert ticket.status == Ticket.Status.NEW
    assert len(ticket.reference) == 6
    assert ticket.language == "es"  # the customer's
    [message] = ticket.messages.all()
    assert message.direction == TicketMessage.Direction.INBOUND
    assert "connection" in message.body


def test_a_retried_request_does_not_open_two_tickets(desk):
    key = IdempotencyKey.for_member(desk.alice, "k1")
    first = _ticket(desk, idempotency_key=key)
    again = _ticket(desk, idempotency_key=key)
    assert first.pk == again.pk
    assert Ticket.objects.count() == 1


def test_a_key_is_bound_to_who_sent_it(desk):
    first = _ticket(desk, idempotency_key=IdempotencyKey.for_member(desk.alice, "crm-42"))
    other = _ticket(desk, idempotency_key=IdempotencyKey.for_member(desk.bob, "crm-42"))
    assert first.pk != other.pk
    assert Ticket.objects.count() == 2


def test_a_replay_for_another_customer_is_refused(desk):
    key = IdempotencyKey.for_system("order-7")
    _ticket(desk, idempotency_key=key)
    someone = do_create_customer(desk.org, name="Mallory", email="mallory@example.net")
    with pytest.raises(ValidationError):
        _ticket(desk, customer=someone, idempotency_key=key)
    assert Ticket.objects.count() == 1


def test_a_plain_string_is_not_an_idempotency_key(desk):
    with pytest.raises(TypeError):
        _ticket(desk, idempotency_key="rating-follow-up:guessed")
    assert Ticket.objects.count() == 0


def test_round_robin_takes_turns(desk):
    assignees = [_ticket(desk).assignee for _ in range(4)]
    assert assignees == [desk.alice, desk.bob, desk.alice, desk.bob]


def test_least_busy_gives_to_whoever_has_fewest_open(desk):
    Team.objects.filter(pk=desk.team.pk).update(assignment=Team.Assignment.LEAST_BUSY)
    desk.team.refresh_from_db()
    first = _ticket(desk)
    second = _ticket(desk)
    assert {first.assignee, second.assignee} == {desk.alice, desk.bob}
    do_set_ticket_status(first, Ticket.Status.SOLVED, first.assignee)
    third = _ticket(desk)
    assert third.assignee == first.assignee  # the other one still has an open ticket


def test_reply_waits_on_the_customer_and_their_answer_reopens(desk):
    ticket = _ticket(desk)
    do_reply_to_ticket(ticket, desk.alice, body="Please restart the router.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING_CUSTOMER
    assert ticket.first_response_at
    do_add_customer_message(ticket, body="Still down.", channel="web")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    statuses = list(ticket.events.filter(kind="status").values_list("new", flat=True))
    assert statuses == ["pending_customer", "open"]


def test_notes_are_internal_and_empty_ones_refused(desk):
    ticket = _ticket(desk)
    note = do_add_note(ticket, desk.bob, "Known outage in the area.")
    assert note.direction == "internal"
    assert not note.is_public
    with pytest.raises(ValidationError):
        do_add_note(ticket, desk.bob, "  ")


def test_a_logged_call_that_resolved_it_solves_the_ticket(desk):
    ticket = _ticket(desk, channel=Ticket.Channel.PHONE, author=desk.alice)
    do_log_conversation(
        ticket,
        desk.alice,
        body="Walked her through the reset.",
        outcome="resolved",
        duration_minutes=12,
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.first_response_at
    assert ticket.ratings.count() == 1  # the satisfaction question is scheduled


def test_an_outsider_cannot_be_assigned(desk, personas):
    ticket = _ticket(desk)
    stranger = personas.outsider.memberships.first()
    with pytest.raises(ValidationError):
        do_assign_ticket(ticket, stranger, desk.manager)
    with pytest.raises(ValidationError):
        do_assign_ticket(ticket, desk.analyst, desk.manager)  # analysts do not work tickets


def test_anger_raises_priority_once(desk):
    ticket = _ticket(desk)
    do_mark_ticket_angry(ticket)
    do_mark_ticket_angry(ticket)
    ticket.refresh_from_db()
    assert ticket.angry
    assert ticket.priority == Ticket.Priority.HIGH
    assert ticket.events.filter(kind=TicketEvent.Kind.ANGRY).count() == 1


def test_tags_are_normalised(desk):
    ticket = _ticket(desk)
    do_set_ticket_tags(ticket, ["Router ", "router", "billing", ""])
    assert sorted(t.name for t in ticket.tags.all()) == ["billing", "router"]


def test_a_reply_that_cannot_be_sent_is_marked_failed_and_kept(desk, monkeypatch):

    reply = do_reply_to_ticket(_ticket(desk), desk.alice, body="Reinicie el router")

    def refuse(message):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(outbound, "send", refuse)
    assert tasks.send_ticket_message.func(str(reply.code)) == "failed"
    reply.refresh_from_db()
    assert reply.delivery == TicketMessage.Delivery.FAILED
    assert "smtp down" in reply.delivery_error
