"""The conversation of a ticket: the customer's messages, the agents' answers and notes,
calls and visits, and the automatic mail kept for the record."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contento.accounts.models import Membership
from contento.core.idempotency import IdempotencyKey
from contento.support import ratings, sla
from contento.support.actions.steps import (
    MailDetails,
    MailHeaders,
    add_message,
    check_member,
    lock_for_message,
    queue_answer,
    record_agent_answer,
    set_status,
)
from contento.support.models import Ticket, TicketMessage


@transaction.atomic
def do_add_customer_message(
    ticket: Ticket,
    *,
    body: str,
    channel: str,
    attachments=(),
    mail: MailDetails | None = None,
    idempotency_key: IdempotencyKey | None = None,
    at=None,
) -> TicketMessage:
    """Add the customer's new message; a solved or waiting ticket opens again."""
    ticket, key, existing = lock_for_message(ticket, idempotency_key)
    if existing is not None:
        return existing
    at = at or timezone.now()
    message = add_message(
        ticket,
        kind=TicketMessage.Kind.MESSAGE,
        direction=TicketMessage.Direction.INBOUND,
        channel=channel,
        body=(body or "").strip(),
        attachments=attachments,
        mail=mail,
        idempotency_key=key,
        at=at,
    )
    ticket.last_customer_message_at = at
    fields = ["last_customer_message_at", "updated_at"]
    if ticket.status != Ticket.Status.NEW and ticket.status != Ticket.Status.OPEN:
        set_status(ticket, Ticket.Status.OPEN, actor=None, at=at)
        fields += ["status", "solved_at", "closed_at"]
    # The due times read the history written above; the row is written once, with them.
    fields += sla.refresh(ticket, now=at, save=False)
    ticket.save(update_fields=fields)
    return message


def do_record_automatic_mail(
    ticket: Ticket, *, kind: str, body: str, headers: MailHeaders, at=None
) -> TicketMessage:
    """Keep an auto-reply or a bounce on the ticket it answers, for the record.

    It changes neither the status nor the SLA clock, and nothing ever answers it.
    """
    if kind not in {TicketMessage.Kind.AUTO_REPLY, TicketMessage.Kind.BOUNCE}:
        raise ValueError(f"{kind!r} is not automatic mail.")
    return add_message(
        ticket,
        kind=kind,
        direction=TicketMessage.Direction.INBOUND,
        channel=Ticket.Channel.EMAIL,
        body=body,
        mail=MailDetails(headers=headers),
        at=at,
    )


@transaction.atomic
def do_reply_to_ticket(
    ticket: Ticket,
    author: Membership,
    *,
    body: str,
    status: str | None = None,
    attachments=(),
    idempotency_key: IdempotencyKey | None = None,
    at=None,
) -> TicketMessage:
    """Answer the customer (sent by the ticket's channel) and optionally change the status.

    Without an explicit status, a reply to a new or open ticket waits on the customer.
    """
    check_member(ticket, author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "The reply is empty."})
    ticket, key, existing = lock_for_message(ticket, idempotency_key)
    if existing is not None:
        return existing
    at = at or timezone.now()
    message = add_message(
        ticket,
        kind=TicketMessage.Kind.MESSAGE,
        direction=TicketMessage.Direction.OUTBOUND,
        channel=ticket.channel if ticket.channel != Ticket.Channel.FOLLOW_UP else "email",
        author=author,
        body=body,
        attachments=attachments,
        idempotency_key=key,
        at=at,
    )
    fields = record_agent_answer(ticket, author, at)
    new_status = status or (
        Ticket.Status.PENDING_CUSTOMER
        if ticket.status in {Ticket.Status.NEW, Ticket.Status.OPEN}
        else ticket.status
    )
    if new_status != ticket.status:
        set_status(ticket, new_status, actor=author, at=at)
        fields += ["status", "solved_at", "closed_at"]
    ticket.save(update_fields=fields)
    sla.refresh(ticket, now=at)
    queue_answer(message)
    if new_status == Ticket.Status.SOLVED:
        ratings.schedule(ticket, at=at)
    return message


@transaction.atomic
def do_add_note(ticket: Ticket, author: Membership, body: str, at=None) -> TicketMessage:
    """Write an internal note: seen by the team, never by the customer."""
    check_member(ticket, author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "The note is empty."})
    return add_message(
        ticket,
        kind=TicketMessage.Kind.NOTE,
        direction=TicketMessage.Direction.INTERNAL,
        channel=ticket.channel,
        author=author,
        body=body,
        at=at,
    )


@transaction.atomic
def do_log_conversation(
    ticket: Ticket,
    author: Membership,
    *,
    body: str,
    outcome: str = "",
    duration_minutes: int | None = None,
    channel: str = Ticket.Channel.PHONE,
    at=None,
) -> TicketMessage:
    """Record a phone call or a conversation in person and what came of it.

    A conversation counts as a response to the customer: it starts the ticket's first-response
    time if nothing did, and an outcome of "resolved" solves the ticket.
    """
    check_member(ticket, author)
    if channel not in {Ticket.Channel.PHONE, Ticket.Channel.IN_PERSON}:
        raise ValidationError({"channel": "A conversation is logged as a phone call or a visit."})
    if outcome not in TicketMessage.Outcome.values:
        raise ValidationError({"outcome": f"Unknown outcome {outcome!r}."})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Say what was discussed."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    at = at or timezone.now()
    message = add_message(
        ticket,
        kind=TicketMessage.Kind.CALL,
        direction=TicketMessage.Direction.OUTBOUND,
        channel=channel,
        author=author,
        body=body,
        outcome=outcome,
        duration_minutes=duration_minutes,
        at=at,
    )
    fields = record_agent_answer(ticket, author, at)
    if outcome == TicketMessage.Outcome.RESOLVED and ticket.is_open:
        set_status(ticket, Ticket.Status.SOLVED, actor=author, at=at)
        fields += ["status", "solved_at", "closed_at"]
    ticket.save(update_fields=fields)
    sla.refresh(ticket, now=at)
    if ticket.status == Ticket.Status.SOLVED:
        ratings.schedule(ticket, at=at)
    return message
