"""SLA policies applied to tickets: which policy, which calendar, and the due times kept on rows.

`refresh` recomputes a ticket's due times from its history after every change (through
`contento.support.slaclock`, which holds the rules), and `check_due` is what the worker runs
every minute to warn before a breach and to escalate on one.
"""

import logging
from datetime import time

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from contento.support import slaclock
from contento.support.businesshours import Calendar
from contento.support.models import SlaPolicy, Ticket, TicketEvent, TicketMessage

log = logging.getLogger(__name__)

_FIELDS = [
    "sla_policy",
    "first_response_due_at",
    "update_due_at",
    "resolution_due_at",
    "sla_next_due_at",
    "sla_warning_at",
    "sla_paused",
    "sla_breached_at",
]


def default_calendar() -> Calendar:
    """Monday to Friday, 09:00 to 17:00, in the server's time zone."""
    return Calendar(settings.TIME_ZONE, {day: [(time(9), time(17))] for day in range(5)})


def team_calendar(team) -> Calendar:
    if team is None or not team.calendar:
        return default_calendar()
    try:
        return Calendar.from_dict(team.calendar)
    except ValueError:
        log.warning("bad team calendar, using the default", extra={"team": str(team.code)})
        return default_calendar()


def policy_for(ticket: Ticket) -> SlaPolicy | None:
    """Return the most specific policy for the ticket's team and priority (team beats priority)."""
    candidates = SlaPolicy.objects.filter(organization_id=ticket.organization_id).filter(
        Q(team__isnull=True) | Q(team_id=ticket.team_id),
        Q(priority="") | Q(priority=ticket.priority),
    )
    return min(
        candidates,
        key=lambda p: (p.team_id is None, p.priority == "", p.pk),
        default=None,
    )


def events_of(ticket: Ticket) -> list:
    """Return the ticket's history as SLA clock events, in order (messages before a status
    change of the same moment, as the desk records them)."""
    rows = []
    messages = ticket.messages.filter(
        kind__in=[TicketMessage.Kind.MESSAGE, TicketMessage.Kind.CALL]
    ).values_list("direction", "created_at", "pk")
    for direction, at, pk in messages:
        if direction == TicketMessage.Direction.INBOUND:
            rows.append((at, 0, pk, slaclock.CustomerMessage(at=at)))
        elif direction == TicketMessage.Direction.OUTBOUND:
            rows.append((at, 0, pk, slaclock.AgentReply(at=at)))
    statuses = ticket.events.filter(kind=TicketEvent.Kind.STATUS).values_list(
        "new", "created_at", "pk"
    )
    for status, at, pk in statuses:
        rows.append((at, 1, pk, slaclock.StatusChange(at=at, status=status)))
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


def state_of(ticket: Ticket, policy: SlaPolicy, now=None, events=None) -> slaclock.SlaState:
    targets = slaclock.SlaTargets(
        first_response_minutes=policy.first_response_minutes,
        update_minutes=policy.update_minutes,
        resolution_minutes=policy.resolution_minutes,
    )
    now = max(now or timezone.now(), ticket.created_at)
    return slaclock.compute_sla_state(
        team_calendar(ticket.team),
        targets,
        ticket.created_at,
        events_of(ticket) if events is None else events,
        now,
        warning=max(0.0, min(1.0, 1 - policy.warning_percent / 100)),
    )


def refresh(ticket: Ticket, now=None, *, events=None, save: bool = True) -> list[str]:
    """Recompute and store the ticket's due times (call after any change to it).

    `events` is the ticket's history when the caller knows it (a ticket not yet saved: its
    first message), instead of reading it back; with `save=False` the fields are only set,
    for the caller's own save. Return the names of the fields.
    """
    policy = policy_for(ticket)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due_at = ticket.update_due_at = ticket.resolution_due_at = None
        ticket.sla_next_due_at = ticket.sla_warning_at = None
        ticket.sla_paused = False
    else:
        state = state_of(ticket, policy, now, events)

        def open_due(target):
            if target is None or target.met_at is not None or target.paused:
                return None
            return target.due_at

        ticket.first_response_due_at = open_due(state.first_response)
        ticket.update_due_at = open_due(state.update)
        ticket.resolution_due_at = open_due(state.resolution)
        ticket.sla_next_due_at = state.next_due_at
        ticket.sla_warning_at = state.next_warning_at
        ticket.sla_paused = state.paused
        if state.breached and ticket.sla_breached_at is None:
            ticket.sla_breached_at = state.breached_at
    if save:
        ticket.save(update_fields=_FIELDS)
    return list(_FIELDS)


def check_due(now=None) -> dict:
    """Warn on tickets near a breach and escalate breached ones, each once.

    A breach notifies the team's manager and, when nobody has the ticket, gives it to them.
    """
    now = now or timezone.now()
    warned = breached = 0
    near = Ticket.objects.filter(
        sla_warning_at__lte=now, sla_warned_at__isnull=True, sla_breached_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(near[:500]):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk).first()
            if ticket is None or ticket.sla_warned_at is not None:
                continue
            refresh(ticket, now)
            if ticket.sla_warning_at and ticket.sla_warning_at <= now:
                ticket.sla_warned_at = now
                ticket.save(update_fields=["sla_warned_at"])
                TicketEvent.objects.create(
                    ticket=ticket, kind=TicketEvent.Kind.SLA_WARNING, created_at=now
                )
                _notify(ticket, "warning")
                warned += 1
    due = Ticket.objects.filter(sla_next_due_at__lte=now, escalated_at__isnull=True)
    for pk in list(due.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().filter(pk=pk).first()
            if ticket is None or ticket.escalated_at is not None:
                continue
            refresh(ticket, now)
            if ticket.sla_breached_at is None or ticket.sla_breached_at > now:
                continue
            _escalate(ticket, now)
            breached += 1
    return {"warned": warned, "escalated": breached}


def _escalate(ticket: Ticket, now) -> None:
    ticket.escalated_at = now
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.SLA_BREACH, new=ticket.priority, created_at=now
    )
    manager = ticket.team.manager if ticket.team else None
    fields = ["escalated_at"]
    if manager is not None and ticket.assignee_id is None:
        ticket.assignee = manager
        fields.append("assignee")
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.ESCALATED,
            new=manager.user.email,
            created_at=now,
        )
    ticket.save(update_fields=fields)
    _notify(ticket, "breach")


def _notify(ticket: Ticket, what: str) -> None:
    """Email the assignee (a warning) or the team's manager and the assignee (a breach)."""
    recipients = []
    if ticket.assignee_id:
        recipients.append(ticket.assignee.user)
    if what == "breach" and ticket.team and ticket.team.manager:
        recipients.append(ticket.team.manager.user)
    url = f"{settings.SITE_URL}{ticket.get_absolute_url()}"
    for user in {u.pk: u for u in recipients}.values():
        with translation.override(user.language):
            if what == "breach":
                subject = translation.gettext("SLA breached: [#%(ref)s] %(subject)s")
            else:
                subject = translation.gettext("SLA due soon: [#%(ref)s] %(subject)s")
            subject = subject % {"ref": ticket.reference, "subject": ticket.subject}
        transaction.on_commit(
            lambda s=subject, to=user.email: send_mail(s, url, None, [to], fail_silently=True),
            robust=True,
        )
