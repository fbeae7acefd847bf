"""The ticket endpoints with a token, by role and as an outsider."""

import pytest

from contento.accounts.roles import Role
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket


def _auth(personas, role):
    return {"HTTP_AUTHORIZATION": f"Bearer {personas.token(role)}"}


@pytest.fixture
def ticket(desk):
    return do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject="Sin línea",
        body="No hay tono.",
        channel="phone",
        team=desk.team,
    )


def test_create_read_reply_and_solve(client, personas, desk):
    auth = _auth(personas, Role.AGENT)
    payload = {"customer": str(desk.customer.code), "subject": "Router", "body": "Luz roja"}
    created = client.post(
        "/api/v1/tickets",
        payload,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="abc",
        **auth,
    )
    assert created.status_code == 201, created.content
    again = client.post(
        "/api/v1/tickets",
        payload,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="abc",
        **auth,
    )
    assert again.status_code == 200
    assert again.json()["code"] == created.json()["code"]
    code = created.json()["code"]
    reply = client.post(
        f"/api/v1/tickets/{code}/messages",
        {"kind": "reply", "body": "Reinicie", "status": "solved"},
        content_type="application/json",
        **auth,
    )
    assert reply.status_code == 201
    assert reply.json()["direction"] == "outbound"
    detail = client.get(f"/api/v1/tickets/{code}", **auth).json()
    assert detail["status"] == "solved"
    assert len(detail["messages"]) == 2
    listed = client.get("/api/v1/tickets?status=solved", **auth).json()
    assert [t["code"] for t in listed["items"]] == [code]


def test_bad_values_are_422_and_nothing_changes(client, personas, ticket):
    auth = _auth(personas, Role.MANAGER)
    response = client.patch(
        f"/api/v1/tickets/{ticket.code}",
        {"status": "exploded"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 422
    assert "status" in response.json()["errors"]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_roles(client, personas, ticket, role):
    auth = _auth(personas, role)
    assert client.get(f"/api/v1/tickets/{ticket.code}", **auth).status_code == 200
    response = client.patch(
        f"/api/v1/tickets/{ticket.code}",
        {"priority": "high"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == (403 if role == Role.ANALYST else 200)


def test_outsiders_and_anonymous(client, personas, ticket):
    auth = _auth(personas, personas.outsider)
    assert client.get(f"/api/v1/tickets/{ticket.code}", **auth).status_code == 404
    assert client.get("/api/v1/tickets", **auth).json()["items"] == []
    assert client.get("/api/v1/tickets").status_code == 401
    assert "/api/v1/tickets" in client.get("/api/v1/openapi.json").json()["paths"]
