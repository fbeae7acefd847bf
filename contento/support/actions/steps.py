"""The steps the desk's actions are made of: a ticket's history, status, assignee and messages.

Only the modules of this package call them; everything else changes tickets through the
`do_*` functions of `tickets`, `messages` and `ratings`, which check who asks and lock rows.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count, Q
from django.utils import timezone

from contento.accounts.models import Membership
from contento.accounts.roles import roles_with
from contento.core import idempotency, queues
from contento.support.models import Attachment, Team, Ticket, TicketEvent, TicketMessage

OPEN_STATUSES = [
    Ticket.Status.NEW,
    Ticket.Status.OPEN,
    Ticket.Status.PENDING_CUSTOMER,
    Ticket.Status.ON_HOLD,
]


@dataclass(frozen=True)
class NewAttachment:
    """A file that comes with a customer's or an agent's message, on any channel."""

    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class MailHeaders:
    """The mail headers of an inbound or outbound message that thread a conversation."""

    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    email_from: str = ""
    email_to: str = ""


@dataclass(frozen=True)
class MailDetails:
    """What a message that came by email carries besides its text and files."""

    headers: MailHeaders = field(default_factory=MailHeaders)
    body_html: str = ""
    quoted_text: str = ""


def record_event(ticket, kind, old="", new="", actor=None, at=None) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        old=str(old or ""),
        new=str(new or ""),
        actor=actor,
        created_at=at or timezone.now(),
    )


def lock_for_message(ticket: Ticket, idempotency_key) -> tuple[Ticket, str, TicketMessage | None]:
    """Lock the ticket for a new message; return it, the checked key, and the message that
    key already added (a retried request), if any."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    key = idempotency.require(idempotency_key)
    existing = ticket.messages.filter(idempotency_key=key).first() if key else None
    return ticket, key, existing


def check_member(ticket_or_org, membership) -> None:
    organization = getattr(ticket_or_org, "organization", ticket_or_org)
    if membership is not None and membership.organization_id != organization.pk:
        raise ValidationError("That person is not a member of this workspace.")


def store_attachments(message: TicketMessage, attachments) -> None:
    for item in attachments or ():
        attachment = Attachment(
            message=message,
            organization_id=message.organization_id,
            filename=(item.filename or "attachment")[:255],
            content_type=(item.content_type or "application/octet-stream")[:120],
            size=len(item.content),
            content_id=(item.content_id or "")[:255],
            inline=item.inline,
        )
        # The stored name is random: the customer's file name never becomes a path.
        attachment.file.save("upload", ContentFile(item.content), save=False)
        attachment.save()


def add_message(
    ticket,
    *,
    kind,
    direction,
    channel,
    author=None,
    body="",
    attachments=(),
    mail: MailDetails | None = None,
    outcome="",
    duration_minutes=None,
    idempotency_key=None,
    at=None,
) -> TicketMessage:
    """Write a message on the ticket with its files; the customer's words are read for
    language, sentiment and anger in the background."""
    mail = mail or MailDetails()
    headers = mail.headers
    message = TicketMessage.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        kind=kind,
        direction=direction,
        channel=channel,
        author=author,
        body=body,
        body_html=mail.body_html,
        quoted_text=mail.quoted_text,
        outcome=outcome,
        duration_minutes=duration_minutes,
        message_id=headers.message_id[:255],
        in_reply_to=headers.in_reply_to[:255],
        references=headers.references,
        email_from=headers.email_from[:254],
        email_to=headers.email_to,
        idempotency_key=idempotency_key or None,
        created_at=at or timezone.now(),
    )
    store_attachments(message, attachments)
    if kind in {TicketMessage.Kind.MESSAGE, TicketMessage.Kind.CALL} and body:
        queues.enqueue_batch_on_commit("contento.support.tasks.analyze_unread")
    return message


def record_agent_answer(ticket: Ticket, author, at) -> list[str]:
    """Note that an agent answered the customer (a reply or a logged call): the first
    response, the last reply, and the ticket goes to them if nobody had it. Returns the
    fields changed, for the caller's save."""
    if ticket.first_response_at is None:
        ticket.first_response_at = at
    ticket.last_agent_reply_at = at
    if ticket.assignee_id is None:
        assign(ticket, author, actor=author, at=at)
    return ["first_response_at", "last_agent_reply_at", "assignee", "updated_at"]


def set_status(ticket: Ticket, status: str, *, actor, at) -> None:
    if status not in Ticket.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    old = ticket.status
    ticket.status = status
    if status == Ticket.Status.SOLVED:
        ticket.solved_at = at
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = at
        ticket.solved_at = ticket.solved_at or at
    else:
        ticket.solved_at = None
        ticket.closed_at = None
    record_event(ticket, TicketEvent.Kind.STATUS, old, status, actor=actor, at=at)


def assign(ticket: Ticket, assignee: Membership | None, *, actor, at) -> None:
    old = ticket.assignee
    ticket.assignee = assignee
    record_event(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        old.user.email if old else "",
        assignee.user.email if assignee else "",
        actor=actor,
        at=at,
    )


def auto_assign(ticket: Ticket) -> None:
    """Give a ticket nobody has to a member of its team, by the team's rule, and save it."""
    assigned = pick_assignee(ticket)
    if assigned is not None:
        ticket.save(update_fields=["assignee"])
        note_auto_assignment(ticket, assigned)


def pick_assignee(ticket: Ticket) -> Team | None:
    """Set the ticket's assignee by its team's rule (unsaved); return the team, locked, when
    one was chosen, for `note_auto_assignment` once the ticket is saved.

    Round-robin takes the member after the last one assigned (in a stable order); least-busy
    takes whoever has the fewest open tickets, ties broken by that same order. The team is
    locked (round-robin reads and moves its pointer) only when it has someone to choose.
    """
    team = ticket.team
    if team is None or team.assignment == Team.Assignment.MANUAL or ticket.assignee_id:
        return None
    members = list(
        team.members.filter(role__in=roles_with("ticket.work"))
        .select_related("user")
        .order_by("pk")
    )
    if not members:
        return None
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.assignment == Team.Assignment.MANUAL:
        return None
    if team.assignment == Team.Assignment.LEAST_BUSY:
        load = dict(
            Membership.objects.filter(pk__in=[m.pk for m in members])
            .annotate(
                n=Count(
                    "assigned_tickets",
                    filter=Q(assigned_tickets__status__in=OPEN_STATUSES),
                )
            )
            .values_list("pk", "n")
        )
        chosen = min(members, key=lambda m: (load.get(m.pk, 0), m.pk))
    else:
        after = [m for m in members if team.last_assigned_id and m.pk > team.last_assigned_id]
        chosen = (after or members)[0]
    ticket.assignee = chosen
    return team


def note_auto_assignment(ticket: Ticket, team: Team) -> None:
    """Record the assignment `pick_assignee` made (the ticket saved) and move the team's
    round-robin pointer."""
    record_event(
        ticket, TicketEvent.Kind.ASSIGNED, "", ticket.assignee.user.email, at=ticket.created_at
    )
    team.last_assigned = ticket.assignee
    team.save(update_fields=["last_assigned"])


def queue_answer(message: TicketMessage) -> None:
    """Send an agent's answer through the ticket's channel once the transaction commits.

    Only the channels whose customers read our answers elsewhere than on the desk's own pages
    send anything (`Ticket.ANSWERED_BY_EMAIL`); the message stays queued until the worker has
    sent it, so the sweep finds one whose queueing was lost.
    """
    if message.ticket.channel not in Ticket.ANSWERED_BY_EMAIL:
        return
    message.delivery = TicketMessage.Delivery.QUEUED
    message.save(update_fields=["delivery"])
    queues.enqueue_on_commit("contento.support.tasks.send_ticket_message", str(message.code))
