"""Idempotency keys never hand a ticket or a message to someone else (tried as an outsider)."""

import re

from django.urls import reverse

from contento.accounts.roles import Role
from contento.core.idempotency import IdempotencyKey, issue_form_key
from contento.support import ratings
from contento.support.access import customer_ticket_token
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket, TicketMessage


def _key(page) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode())
    assert match, "the form carries no idempotency key"
    return match.group(1)


def _victim_ticket(client, personas, desk, key="crm-ticket-42"):
    token = personas.token(Role.AGENT)
    created = client.post(
        "/api/v1/tickets",
        {"customer": str(desk.customer.code), "subject": "Factura", "body": "Mi IBAN es ES91..."},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(code=created.json()["code"])
    do_reply_to_ticket(ticket, desk.alice, body="Secret answer for Lucía")
    return ticket


def _contact(client, desk, path, key, email="mallory@evil.test"):
    return client.post(
        reverse(path, args=[desk.org.code]),
        {
            "name": "Mallory",
            "email": email,
            "subject": "hi",
            "body": "let me in",
            "language": "en",
            "idempotency_key": key,
        },
    )


def test_an_api_key_sent_through_the_contact_form_opens_a_new_ticket(client, personas, desk):
    victim = _victim_ticket(client, personas, desk)
    for path in ("support_public:contact", "support_public:chat"):
        response = _contact(client, desk, path, "crm-ticket-42")
        assert response.status_code == 302
        assert response["Location"] != reverse(
            "support_public:ticket", args=[customer_ticket_token(victim)]
        )
        landed = client.get(response["Location"]).content.decode()
        assert "Secret answer" not in landed
        assert "IBAN" not in landed
    assert Ticket.objects.filter(customer__email="mallory@evil.test").count() == 2


def test_a_derived_key_cannot_be_guessed_from_a_form(client, personas, desk):
    ticket = do_create_ticket(
        desk.org, customer=desk.customer, subject="Lento", body="Muy lento", channel="web"
    )
    rating = ratings.schedule(ticket)
    do_rate_ticket(rating, 1, "Fatal")
    rating.refresh_from_db()
    follow_up = rating.follow_up
    response = _contact(client, desk, "support_public:contact", f"rating-follow-up:{rating.code}")
    assert response["Location"] != reverse(
        "support_public:ticket", args=[customer_ticket_token(follow_up)]
    )


def test_a_form_key_replayed_by_someone_else_does_not_hand_over_the_ticket(client, desk):
    page = client.get(reverse("support_public:contact", args=[desk.org.code]))
    key = _key(page)
    first = _contact(client, desk, "support_public:contact", key, email="lucia@example.net")
    assert first.status_code == 302
    # The same key, stolen, with another address: refused, and nothing of Lucía's is shown.
    stolen = _contact(client, desk, "support_public:contact", key)
    assert stolen.status_code == 200
    assert "already used" in stolen.content.decode()
    assert first["Location"] not in stolen.content.decode()
    # Lucía's own retry lands on her ticket again, without a second one.
    again = _contact(client, desk, "support_public:contact", key, email="lucia@example.net")
    assert again["Location"] == first["Location"]
    assert Ticket.objects.count() == 1


def test_a_key_issued_for_another_form_is_no_key(client, desk):
    key = issue_form_key("support-reply")  # an agent form's key, posted to the contact form
    _contact(client, desk, "support_public:contact", key, email="lucia@example.net")
    _contact(client, desk, "support_public:contact", key, email="lucia@example.net")
    assert Ticket.objects.count() == 2


def test_two_chat_messages_in_a_row_are_both_kept(client, desk):
    ticket = do_create_ticket(
        desk.org, customer=desk.customer, subject="Chat", body="Hola", channel="chat"
    )
    url = reverse("support_public:ticket", args=[customer_ticket_token(ticket)])
    key = _key(client.get(url))
    first = client.post(url, {"body": "uno", "idempotency_key": key}, HTTP_HX_REQUEST="true")
    renewed = _key(first)  # the partial carries a fresh key for the form that stays on the page
    assert renewed != key
    assert 'hx-swap-oob="true"' in first.content.decode()
    client.post(url, {"body": "uno", "idempotency_key": key}, HTTP_HX_REQUEST="true")  # retry
    client.post(url, {"body": "dos", "idempotency_key": renewed}, HTTP_HX_REQUEST="true")
    bodies = list(
        ticket.messages.filter(direction=TicketMessage.Direction.INBOUND).values_list(
            "body", flat=True
        )
    )
    assert bodies == ["Hola", "uno", "dos"]


def test_api_keys_are_scoped_to_the_member(client, personas, desk):
    _victim_ticket(client, personas, desk)
    # Another member of the same workspace with the same key gets their own ticket.
    created = client.post(
        "/api/v1/tickets",
        {"customer": str(desk.customer.code), "subject": "Otro", "body": "Otro asunto"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="crm-ticket-42",
        HTTP_AUTHORIZATION=f"Bearer {personas.token(Role.MANAGER)}",
    )
    assert created.status_code == 201
    assert "Secret answer" not in created.content.decode()
    assert Ticket.objects.count() == 2


def test_an_overlong_api_key_is_refused_clearly(client, personas, desk):
    created = client.post(
        "/api/v1/tickets",
        {"customer": str(desk.customer.code), "subject": "x", "body": "y"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k" * 201,
        HTTP_AUTHORIZATION=f"Bearer {personas.token(Role.AGENT)}",
    )
    assert created.status_code == 422
    assert "Idempotency-Key" in created.json()["detail"]
    assert Ticket.objects.count() == 0


def test_a_system_key_is_not_a_member_key(desk):
    system = IdempotencyKey.for_system("order-1")
    member = IdempotencyKey.for_member(desk.alice, "order-1")
    assert system != member
    assert "order-1" not in system.value
