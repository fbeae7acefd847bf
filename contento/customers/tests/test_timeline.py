"""A customer's timeline: every source in time order, notes, and a fixed number of queries."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.customers.models import Note, Product, Purchase, Subscription
from contento.customers.timeline import customer_timeline, do_add_customer_note
from contento.support.actions.messages import (
    do_add_customer_message,
    do_add_note,
    do_reply_to_ticket,
)
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket, TicketRating
from contento.surveys.actions import do_invite_customers, do_submit_response
from contento.surveys.tasks import send_invitation

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _membership(personas, role):
    return personas.members[role].memberships.get(organization=personas.org)


def _ticket(customer, at, subject="No internet"):
    return do_create_ticket(
        customer.organization,
        customer=customer,
        subject=subject,
        body="The line is down since this morning.",
        channel="email",
        at=at,
    )


@pytest.fixture
def history(personas, live_survey):
    """A customer with one of everything, a day apart, oldest first."""
    org = personas.org
    agent = _membership(personas, Role.AGENT)
    customer = do_create_customer(org, name="Lucía Pérez", email="lucia@example.net")
    fibre = Product.objects.create(organization=org, name="Fibre 1G", kind="service")
    router = Product.objects.create(organization=org, name="Router X")
    Subscription.objects.create(
        organization=org,
        customer=customer,
        product=fibre,
        started_on=date(2026, 1, 4),
        renews_on=date(2026, 2, 4),
        monthly_amount=30,
    )
    Purchase.objects.create(
        organization=org, customer=customer, product=router, purchased_at=T0, amount=99
    )
    ticket = _ticket(customer, T0 + timedelta(days=1))
    do_add_note(ticket, agent, "Checked the exchange.", at=T0 + timedelta(days=1, hours=1))
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        do_reply_to_ticket(
            ticket, agent, body="Fixed, sorry for the wait.", status=Ticket.Status.SOLVED
        )
    rating = TicketRating.objects.get(ticket=ticket)
    do_rate_ticket(rating, 5, at=T0 + timedelta(days=3))
    do_rate_ticket(rating, None, "Very kind people", at=T0 + timedelta(days=3))
    [invitation] = do_invite_customers(live_survey, [customer])
    with time_machine.travel(T0 + timedelta(days=4), tick=False):
        send_invitation.func(str(invitation.code))
    do_submit_response(
        live_survey,
        answers={"nps": 9, "why": "Fast and friendly", "csat": 4},
        customer=customer,
        at=T0 + timedelta(days=5),
    )
    with time_machine.travel(T0 + timedelta(days=6), tick=False):
        do_add_customer_note(customer, agent, "Prefers calls in the afternoon.")
    return customer


def test_every_source_appears_newest_first(history):
    entries = customer_timeline(history)
    assert [e.kind for e in entries] == [
        "subscription_renews",
        "note",
        "survey_completed",
        "survey_invited",
        "ticket_rated",
        "ticket_solved",
        "agent_reply",
        "ticket_note",
        "customer_message",
        "ticket_opened",
        "purchase",
        "subscription_started",
    ]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    by_kind = {e.kind: e for e in entries}
    assert "Fibre 1G" in by_kind["subscription_started"].title
    assert by_kind["purchase"].title == "Bought Router X"
    response = by_kind["survey_completed"]
    assert "NPS 9" in response.detail
    assert "CSAT 4" in response.detail
    assert "Fast and friendly" in response.detail
    assert response.url == ""
    assert by_kind["ticket_rated"].detail == "5/5 · “Very kind people”"
    ticket = history.tickets.get()
    for kind in ("ticket_opened", "ticket_solved", "customer_message", "ticket_rated"):
        assert by_kind[kind].url == ticket.get_absolute_url()
    assert by_kind["ticket_note"].internal
    assert by_kind["note"].internal
    assert not by_kind["customer_message"].internal
    assert "Alice" in by_kind["note"].title


def test_limit_keeps_the_newest(history):
    assert [e.kind for e in customer_timeline(history, limit=2)] == [
        "subscription_renews",
        "note",
    ]


def test_queries_do_not_grow_with_history(history, live_survey, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as before:
        customer_timeline(history)
    for day in range(3):
        ticket = _ticket(history, T0 + timedelta(days=10 + day), subject=f"Again {day}")
        do_add_customer_message(ticket, body="Still broken.", channel="email")
        do_submit_response(live_survey, answers={"nps": 3, "fix": "Stability"}, customer=history)
        do_add_customer_note(history, None, f"Called back ({day}).")
    with django_assert_max_num_queries(len(before)):
        entries = customer_timeline(history)
    assert len(before) <= 10
    assert sum(e.kind == "ticket_opened" for e in entries) == 4


def test_notes_must_say_something(personas):
    customer = do_create_customer(personas.org, name="Ana")
    agent = _membership(personas, Role.AGENT)
    with pytest.raises(ValidationError):
        do_add_customer_note(customer, agent, "   ")
    with pytest.raises(ValidationError):
        do_add_customer_note(customer, agent, "x" * 10_001)
    outsider = personas.outsider.memberships.get()
    with pytest.raises(ValidationError):
        do_add_customer_note(customer, outsider, "Not my customer")
    note = do_add_customer_note(customer, agent, "  Called, all good.  ")
    assert note.body == "Called, all good."
    assert note.author == agent


def test_the_partial_renders_every_entry(history, rf):
    html = render_to_string(
        "customers/_timeline.html",
        {"customer": history, "timeline": customer_timeline(history), "can_note": False},
    )
    assert "Bought Router X" in html
    assert "Very kind people" in html
    assert history.tickets.get().get_absolute_url() in html


# Through the customer page (customers:detail, customers:note) ----------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_members_see_the_timeline(personas, history, role):
    page = personas.client(role).get(reverse("customers:detail", args=[history.code]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Bought Router X" in body
    assert "Prefers calls in the afternoon." in body


def test_outsiders_see_no_timeline(personas, history):
    outsider = personas.client(personas.outsider)
    detail = reverse("customers:detail", args=[history.code])
    note = reverse("customers:note", args=[history.code])
    assert outsider.get(detail).status_code == 404
    assert outsider.post(note, {"body": "Sneaky"}).status_code == 404
    assert personas.client().get(detail).status_code == 302
    assert personas.client().post(note, {"body": "Sneaky"}).status_code == 302
    assert not Note.objects.filter(body="Sneaky").exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.OWNER, True), (Role.MANAGER, True), (Role.AGENT, True), (Role.ANALYST, False)],
)
def test_adding_a_note_from_the_customer_page(personas, role, allowed):
    customer = do_create_customer(personas.org, name="Ana")
    client = personas.client(role)
    reply = client.post(reverse("customers:note", args=[customer.code]), {"body": "Called her."})
    if allowed:
        assert reply.status_code == 302
        assert reply["Location"] == reverse("customers:detail", args=[customer.code])
        note = Note.objects.get(customer=customer)
        assert note.body == "Called her."
        assert note.author.user == personas.members[role]
        page = client.get(reply["Location"]).content.decode()
        assert "Called her." in page
    else:
        assert reply.status_code == 403
        assert not Note.objects.exists()


def test_an_empty_note_is_refused(personas):
    customer = do_create_customer(personas.org, name="Ana")
    client = personas.client(Role.AGENT)
    client.post(reverse("customers:note", args=[customer.code]), {"body": "  "})
    assert not Note.objects.exists()
