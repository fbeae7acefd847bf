"""The support report: response and resolution times, SLA attainment, satisfaction by agent."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from contento.accounts.roles import Role
from contento.support import reports
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.tickets import do_create_ticket, do_set_ticket_status
from contento.support.models import SlaPolicy, Ticket, TicketRating

START = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _handled(desk, agent, hours_to_reply, score, n):
    desk.team.refresh_from_db()
    at = START + timedelta(days=n)
    ticket = do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject=f"T{n}",
        body="help",
        channel="email",
        team=desk.team,
        at=at,
    )
    do_reply_to_ticket(
        ticket, agent, body="done", status="solved", at=at + timedelta(hours=hours_to_reply)
    )
    rating = TicketRating.objects.get(ticket=ticket)
    do_rate_ticket(rating, score, at=at + timedelta(hours=30))
    return ticket


def test_times_and_satisfaction_by_agent(desk):
    # Manual assignment: whoever answers first takes the ticket and is rated for it.
    desk.team.assignment = "manual"
    desk.team.save()
    SlaPolicy.objects.create(organization=desk.org, name="Any", resolution_minutes=10_000)
    for n, (agent, hours, score) in enumerate(
        [
            (desk.alice, 1, 5),
            (desk.alice, 2, 4),
            (desk.alice, 3, 2),
            (desk.bob, 10, 1),
            (desk.bob, 20, 5),
        ]
    ):
        _handled(desk, agent, hours, score, n)
    data = reports.build(desk.org, START, START + timedelta(days=30))
    assert data.tickets == 5
    assert data.first_response.median == 3.0
    assert data.resolution.median == 3.0
    assert data.first_response.p90 == pytest.approx(16.0)  # numpy's linear interpolation
    assert (data.sla.n, data.sla.successes) == (5, 5)
    by_agent = {s.label: s for s in data.satisfaction["agent"]}
    assert (by_agent["Alice"].n, by_agent["Alice"].successes) == (3, 2)
    assert (by_agent["Bob"].n, by_agent["Bob"].successes) == (2, 1)
    alice = by_agent["Alice"]
    assert alice.value == pytest.approx(2 / 3)
    assert alice.lower < alice.value < alice.upper
    [overall] = data.satisfaction["all"]
    assert (overall.n, overall.successes) == (5, 3)


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_report_page_by_role(personas, desk, role):
    _handled(desk, desk.alice, 1, 5, 0)
    url = reverse("support:report") + "?since=2026-05-01&until=2026-05-31"
    page = personas.client(role).get(url)
    assert page.status_code == 200
    assert "Alice" in page.content.decode()


def test_outsiders_see_only_their_own_report(personas, desk):
    _handled(desk, desk.alice, 1, 5, 0)
    url = reverse("support:report") + "?since=2026-05-01&until=2026-05-31"
    assert "Alice" not in personas.client(personas.outsider).get(url).content.decode()
    assert personas.client().get(url).status_code == 302


def test_the_report_names_statuses_and_groups_in_words(personas, desk):
    ticket = _handled(desk, desk.alice, 1, 5, 0)
    do_set_ticket_status(ticket, Ticket.Status.PENDING_CUSTOMER, None)
    url = reverse("support:report") + "?since=2026-05-01&until=2026-05-31"
    body = personas.client(Role.OWNER).get(url).content.decode()
    assert "Pending customer: 1" in body
    assert "pending_customer" not in body
    assert "<td>all</td>" not in body
    assert "<td>All rated tickets</td>" in body


def test_the_ticket_history_names_statuses_in_words(personas, desk):
    ticket = _handled(desk, desk.alice, 1, 5, 0)
    do_set_ticket_status(ticket, Ticket.Status.PENDING_CUSTOMER, None)
    body = personas.client(Role.OWNER).get(ticket.get_absolute_url()).content.decode()
    history = body[body.index('<ul class="events">') :]
    assert "pending_customer" not in history
    assert str(Ticket.Status.PENDING_CUSTOMER.label) in history
