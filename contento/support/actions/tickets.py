"""Tickets: opening one, and changing its status, priority, assignee, team and tags.

Views, API endpoints, channels (email, web, chat, phone), tasks and tests change tickets only
through these functions, so every path gets the same SLA clock, assignment and history.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.accounts.models import Membership
from contento.core import idempotency
from contento.core.idempotency import IdempotencyKey
from contento.customers.models import Customer
from contento.support import ratings, sla
from contento.support.actions.steps import (
    MailDetails,
    add_message,
    assign,
    auto_assign,
    check_member,
    note_auto_assignment,
    pick_assignee,
    record_event,
    set_status,
)
from contento.support.models import Tag, Team, Ticket, TicketEvent, TicketMessage
from contento.support.slaclock import CustomerMessage

# Letters and digits that cannot be mistaken for one another when read aloud or retyped.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_REFERENCE_LENGTH = 6


def _new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))


def do_create_ticket(
    organization,
    *,
    customer: Customer,
    subject: str,
    body: str,
    channel: str,
    team: Team | None = None,
    priority: str = Ticket.Priority.NORMAL,
    product=None,
    subscription=None,
    author: Membership | None = None,
    language: str | None = None,
    attachments=(),
    mail: MailDetails | None = None,
    idempotency_key: IdempotencyKey | None = None,
    acknowledgement: str = "",
    at=None,
) -> Ticket:
    """Open a ticket with the customer's first message and start its SLA clock.

    `author` is the member who logged it on the customer's behalf (a call, a visit); the
    message is still the customer's. With the same `idempotency_key` a retried request returns
    the ticket the first one created. Every channel gives the text and files; one that came
    by email also gives its headers and HTML (`mail`). `acknowledgement` is the state its
    acknowledgement starts in ("pending": the caller queues one, `outbound.queue_acknowledgement`).
    """
    if customer.organization_id != organization.pk:
        raise ValidationError("The customer belongs to another workspace.")
    if team is not None and team.organization_id != organization.pk:
        raise ValidationError("The team belongs to another workspace.")
    check_member(organization, author)
    if channel not in Ticket.Channel.values:
        raise ValidationError({"channel": f"Unknown channel {channel!r}."})
    if priority not in Ticket.Priority.values:
        raise ValidationError({"priority": f"Unknown priority {priority!r}."})
    subject = " ".join((subject or "").split())[:250]
    body = (body or "").strip()
    if not subject and not body and not attachments:
        raise ValidationError({"body": "A ticket needs a subject or a message."})
    key = idempotency.require(idempotency_key)
    if key:
        existing = Ticket.objects.filter(organization=organization, idempotency_key=key).first()
        if existing is not None:
            return _replayed_ticket(existing, customer)
    at = at or timezone.now()
    for _attempt in range(10):
        try:
            with transaction.atomic():
                ticket = Ticket(
                    organization=organization,
                    reference=_new_reference(),
                    subject=subject or body.splitlines()[0][:120] if body else subject,
                    customer=customer,
                    product=product,
                    subscription=subscription,
                    channel=channel,
                    priority=priority,
                    team=team,
                    language=language or customer.language,
                    idempotency_key=key,
                    created_at=at,
                    last_customer_message_at=at,
                    acknowledgement=acknowledgement,
                )
                # Assignee and due times are chosen before the row is written, so that it is
                # written once. The history the SLA clock reads is the first message alone.
                team_moved = pick_assignee(ticket)
                sla.refresh(ticket, now=at, events=[CustomerMessage(at=at)], save=False)
                ticket.save(force_insert=True)
                add_message(
                    ticket,
                    kind=TicketMessage.Kind.MESSAGE,
                    direction=TicketMessage.Direction.INBOUND,
                    channel=channel,
                    author=author,
                    body=body,
                    attachments=attachments,
                    mail=mail,
                    at=at,
                )
                if team_moved is not None:
                    note_auto_assignment(ticket, team_moved)
        except IntegrityError:
            if key:
                existing = Ticket.objects.filter(
                    organization=organization, idempotency_key=key
                ).first()
                if existing is not None:
                    return _replayed_ticket(existing, customer)
            continue  # The random reference was taken: draw another.
        return ticket
    raise RuntimeError("Could not draw a free ticket reference.")


def _replayed_ticket(existing: Ticket, customer: Customer) -> Ticket:
    # A key is bound to who asked, and a ticket to its customer: a replay for another customer
    # is refused even if the key matched, so no key can ever open someone else's conversation.
    if existing.customer_id != customer.pk:
        raise ValidationError(
            _(
                "This form was already used for another conversation; reload the page and "
                "send it again."
            )
        )
    return existing


@transaction.atomic
def do_set_ticket_status(ticket: Ticket, status: str, actor: Membership | None, at=None) -> Ticket:
    """Move the ticket to another status; solving it schedules the satisfaction question."""
    check_member(ticket, actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == ticket.status:
        return ticket
    at = at or timezone.now()
    set_status(ticket, status, actor=actor, at=at)
    ticket.save(update_fields=["status", "solved_at", "closed_at", "updated_at"])
    sla.refresh(ticket, now=at)
    if status == Ticket.Status.SOLVED:
        ratings.schedule(ticket, at=at)
    return ticket


@transaction.atomic
def do_set_ticket_priority(
    ticket: Ticket, priority: str, actor: Membership | None, at=None
) -> Ticket:
    check_member(ticket, actor)
    if priority not in Ticket.Priority.values:
        raise ValidationError({"priority": f"Unknown priority {priority!r}."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if priority != ticket.priority:
        at = at or timezone.now()
        record_event(
            ticket, TicketEvent.Kind.PRIORITY, ticket.priority, priority, actor=actor, at=at
        )
        ticket.priority = priority
        ticket.save(update_fields=["priority", "updated_at"])
        sla.refresh(ticket, now=at)
    return ticket


@transaction.atomic
def do_assign_ticket(
    ticket: Ticket, assignee: Membership | None, actor: Membership | None, at=None
) -> Ticket:
    """Give the ticket to a member (or to nobody)."""
    check_member(ticket, actor)
    check_member(ticket, assignee)
    if assignee is not None and not assignee.can("ticket.work"):
        raise ValidationError({"assignee": "That member cannot work on tickets."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.assignee_id != (assignee.pk if assignee else None):
        assign(ticket, assignee, actor=actor, at=at or timezone.now())
        ticket.save(update_fields=["assignee", "updated_at"])
    return ticket


@transaction.atomic
def do_set_ticket_team(ticket: Ticket, team: Team | None, actor: Membership | None, at=None):
    """Move the ticket to another team, which assigns it by its own rule and SLA."""
    check_member(ticket, actor)
    if team is not None and team.organization_id != ticket.organization_id:
        raise ValidationError({"team": "The team belongs to another workspace."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.team_id == (team.pk if team else None):
        return ticket
    at = at or timezone.now()
    record_event(ticket, TicketEvent.Kind.TEAM, ticket.team, team, actor=actor, at=at)
    ticket.team = team
    ticket.save(update_fields=["team", "updated_at"])
    if ticket.assignee_id and not (team and team.members.filter(pk=ticket.assignee_id).exists()):
        assign(ticket, None, actor=actor, at=at)
        ticket.save(update_fields=["assignee"])
    if ticket.assignee_id is None:
        auto_assign(ticket)
    sla.refresh(ticket, now=at)
    return ticket


@transaction.atomic
def do_set_ticket_tags(ticket: Ticket, names) -> Ticket:
    clean = sorted({" ".join(str(n).split()).lower()[:50] for n in names if str(n).strip()})
    tags = [
        Tag.objects.get_or_create(organization_id=ticket.organization_id, name=n)[0] for n in clean
    ]
    ticket.tags.set(tags)
    return ticket


@transaction.atomic
def do_mark_ticket_angry(ticket: Ticket, at=None) -> Ticket:
    """Flag an angry customer so agents see it, and move the ticket up the queue.

    The priority goes one step up (never down), once per ticket.
    """
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.angry:
        return ticket
    at = at or timezone.now()
    ticket.angry = True
    record_event(ticket, TicketEvent.Kind.ANGRY, "", "angry", at=at)
    order = list(Ticket.Priority.values)
    raised = order[min(order.index(ticket.priority) + 1, len(order) - 1)]
    if raised != ticket.priority:
        record_event(ticket, TicketEvent.Kind.PRIORITY, ticket.priority, raised, at=at)
        ticket.priority = raised
    ticket.save(update_fields=["angry", "priority", "updated_at"])
    sla.refresh(ticket, now=at)
    return ticket


@transaction.atomic
def do_revoke_customer_links(ticket: Ticket, actor: Membership, at=None) -> Ticket:
    """Void every link the customer was sent for this ticket (their ticket page, its ratings).

    Messages sent from now on carry new links; the old ones show "this link has expired".
    """
    check_member(ticket, actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.link_version += 1
    ticket.save(update_fields=["link_version", "updated_at"])
    record_event(ticket, TicketEvent.Kind.LINKS_REVOKED, actor=actor, at=at)
    return ticket
