"""SLA policies on real tickets: due times in the team's hours, pauses, and escalation by the
worker, with frozen time."""

from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from contento.support import sla, tasks
from contento.support.actions import configuration
from contento.support.actions.messages import do_add_customer_message, do_reply_to_ticket
from contento.support.actions.tickets import (
    do_assign_ticket,
    do_create_ticket,
    do_set_ticket_priority,
)
from contento.support.businesshours import Calendar
from contento.support.models import SlaPolicy, Team, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = {
    "timezone": "Europe/Paris",
    "hours": {str(d): [["09:00", "17:00"]] for d in range(5)},
    "holidays": ["2026-04-06"],  # Easter Monday
}


def _at(*args):
    return datetime(*args, tzinfo=Calendar.from_dict(PARIS).zone)


@pytest.fixture
def policy(desk):
    Team.objects.filter(pk=desk.team.pk).update(calendar=PARIS)
    desk.team.refresh_from_db()
    return SlaPolicy.objects.create(
        organization=desk.org,
        name="Standard",
        first_response_minutes=60,
        resolution_minutes=8 * 60,
    )


def _ticket(desk, at):
    with time_machine.travel(at, tick=False):
        return do_create_ticket(
            desk.org,
            customer=desk.customer,
            subject="Caída",
            body="Sin servicio",
            channel="web",
            team=desk.team,
        )


def test_due_times_follow_business_hours_weekends_and_holidays(desk, policy):
    friday = _ticket(desk, _at(2026, 3, 27, 16, 30))
    assert friday.first_response_due_at == _at(2026, 3, 30, 9, 30)  # Monday
    before_easter = _ticket(desk, _at(2026, 4, 3, 16, 30))  # Friday before Easter Monday
    assert before_easter.first_response_due_at == _at(2026, 4, 7, 9, 30)


def test_the_most_specific_policy_wins(desk, policy):
    urgent = SlaPolicy.objects.create(
        organization=desk.org, name="Urgent", priority="urgent", first_response_minutes=15
    )
    ticket = _ticket(desk, _at(2026, 3, 25, 10, 0))
    assert ticket.sla_policy == policy
    do_set_ticket_priority(ticket, "urgent", desk.manager, at=_at(2026, 3, 25, 10, 1))
    ticket.refresh_from_db()
    assert ticket.sla_policy == urgent
    assert ticket.first_response_due_at == _at(2026, 3, 25, 10, 15)


def test_waiting_on_the_customer_pauses_the_resolution_clock(desk, policy):
    ticket = _ticket(desk, _at(2026, 3, 23, 9, 0))  # Monday
    do_reply_to_ticket(ticket, desk.alice, body="¿Qué modelo?", at=_at(2026, 3, 23, 10, 0))
    ticket.refresh_from_db()
    assert ticket.sla_paused
    assert ticket.sla_next_due_at is None
    # The customer answers a day later: one business hour had run, seven are left.
    do_add_customer_message(ticket, body="El X200", channel="web", at=_at(2026, 3, 24, 10, 0))
    ticket.refresh_from_db()
    assert not ticket.sla_paused
    assert ticket.resolution_due_at == _at(2026, 3, 24, 17, 0)


def test_the_worker_warns_then_escalates_to_the_manager(desk, policy):
    Ticket.objects.all().delete()
    ticket = _ticket(desk, _at(2026, 3, 27, 16, 30))
    do_assign_ticket(ticket, None, desk.manager)
    with time_machine.travel(_at(2026, 3, 30, 9, 20), tick=False):  # 80% of the hour used
        call_command("worker", burst=True)
    ticket.refresh_from_db()
    assert ticket.sla_warned_at
    assert not ticket.escalated_at
    with time_machine.travel(_at(2026, 3, 30, 9, 31), tick=False):
        call_command("worker", burst=True)
        call_command("worker", burst=True)  # a second tick does not escalate twice
    ticket.refresh_from_db()
    assert ticket.sla_breached_at == _at(2026, 3, 30, 9, 30)
    assert ticket.escalated_at
    assert ticket.assignee == desk.manager
    assert ticket.events.filter(kind=TicketEvent.Kind.SLA_BREACH).count() == 1
    assert any("mark@acme.test" in m.to and "SLA breached" in m.subject for m in mail.outbox)


def test_a_bad_team_calendar_falls_back_to_the_default(desk):
    desk.team.calendar = {"timezone": "Nowhere/Land"}
    assert sla.team_calendar(desk.team) == sla.default_calendar()


def test_a_changed_policy_moves_the_due_times_of_open_tickets(desk, policy):
    ticket = _ticket(desk, _at(2026, 3, 24, 10, 0))  # a Tuesday
    assert ticket.first_response_due_at == _at(2026, 3, 24, 11, 0)
    configuration.do_save_sla_policy(
        desk.org,
        policy,
        name=policy.name,
        first_response_minutes=30,
        resolution_minutes=policy.resolution_minutes,
    )
    queued = DBTaskResult.objects.filter(task_path__endswith="refresh_due_times")
    assert [row.args_kwargs["args"] for row in queued] == [[desk.org.pk]]
    with time_machine.travel(_at(2026, 3, 24, 10, 5), tick=False):
        assert tasks.refresh_due_times.func(desk.org.pk) == 1
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == _at(2026, 3, 24, 10, 30)
