"""State changes of the support desk: tickets, their conversation, assignment and ratings.

Views, API endpoints, channels (email, web, chat, phone), tasks and tests change tickets only
through these functions, so every path gets the same SLA clock, assignment and history.
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.accounts.models import Membership
from contento.accounts.roles import roles_with
from contento.core import idempotency
from contento.core.idempotency import IdempotencyKey
from contento.customers.models import Customer
from contento.support import sla
from contento.support.models import (
    Attachment,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TicketMessage,
)

# Letters and digits that cannot be mistaken for one another when read aloud or retyped.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_REFERENCE_LENGTH = 6
_OPEN_STATUSES = [
    Ticket.Status.NEW,
    Ticket.Status.OPEN,
    Ticket.Status.PENDING_CUSTOMER,
    Ticket.Status.ON_HOLD,
]


@dataclass(frozen=True)
class NewAttachment:
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


def _new_reference() -> str:
    return "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))


def _event(ticket, kind, old="", new="", actor=None, at=None) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        old=str(old or ""),
        new=str(new or ""),
        actor=actor,
        created_at=at or timezone.now(),
    )


def _check_member(ticket_or_org, membership) -> None:
    organization = getattr(ticket_or_org, "organization", ticket_or_org)
    if membership is not None and membership.organization_id != organization.pk:
        raise ValidationError("That person is not a member of this workspace.")


def _store_attachments(message: TicketMessage, attachments) -> None:
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


# Tickets ---------------------------------------------------------------------------------------


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
    body_html: str = "",
    quoted_text: str = "",
    headers: MailHeaders | None = None,
    attachments=(),
    idempotency_key: IdempotencyKey | None = None,
    at=None,
) -> Ticket:
    """Open a ticket with the customer's first message and start its SLA clock.

    `author` is the member who logged it on the customer's behalf (a call, a visit); the
    message is still the customer's. With the same `idempotency_key` a retried request returns
    the ticket the first one created.
    """
    if customer.organization_id != organization.pk:
        raise ValidationError("The customer belongs to another workspace.")
    if team is not None and team.organization_id != organization.pk:
        raise ValidationError("The team belongs to another workspace.")
    _check_member(organization, author)
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
                ticket = Ticket.objects.create(
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
                )
                _add_message(
                    ticket,
                    kind=TicketMessage.Kind.MESSAGE,
                    direction=TicketMessage.Direction.INBOUND,
                    channel=channel,
                    author=author,
                    body=body,
                    body_html=body_html,
                    quoted_text=quoted_text,
                    headers=headers,
                    attachments=attachments,
                    at=at,
                )
                _auto_assign(ticket)
                sla.refresh(ticket, now=at)
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


def _add_message(
    ticket,
    *,
    kind,
    direction,
    channel,
    author=None,
    body="",
    body_html="",
    quoted_text="",
    headers=None,
    attachments=(),
    outcome="",
    duration_minutes=None,
    idempotency_key=None,
    at=None,
) -> TicketMessage:
    headers = headers or MailHeaders()
    message = TicketMessage.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        kind=kind,
        direction=direction,
        channel=channel,
        author=author,
        body=body,
        body_html=body_html,
        quoted_text=quoted_text,
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
    _store_attachments(message, attachments)
    if kind in {TicketMessage.Kind.MESSAGE, TicketMessage.Kind.CALL} and body:
        from contento.support import tasks

        transaction.on_commit(
            lambda: tasks.analyze_messages.enqueue([str(message.code)]), robust=True
        )
    return message


@transaction.atomic
def do_add_customer_message(
    ticket: Ticket,
    *,
    body: str,
    channel: str,
    body_html: str = "",
    quoted_text: str = "",
    headers: MailHeaders | None = None,
    attachments=(),
    idempotency_key: IdempotencyKey | None = None,
    at=None,
) -> TicketMessage:
    """Add the customer's new message; a solved or waiting ticket opens again."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    key = idempotency.require(idempotency_key)
    if key:
        existing = ticket.messages.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    at = at or timezone.now()
    message = _add_message(
        ticket,
        kind=TicketMessage.Kind.MESSAGE,
        direction=TicketMessage.Direction.INBOUND,
        channel=channel,
        body=(body or "").strip(),
        body_html=body_html,
        quoted_text=quoted_text,
        headers=headers,
        attachments=attachments,
        idempotency_key=key,
        at=at,
    )
    ticket.last_customer_message_at = at
    fields = ["last_customer_message_at", "updated_at"]
    if ticket.status != Ticket.Status.NEW and ticket.status != Ticket.Status.OPEN:
        _set_status(ticket, Ticket.Status.OPEN, actor=None, at=at)
        fields += ["status", "solved_at", "closed_at"]
    ticket.save(update_fields=fields)
    sla.refresh(ticket, now=at)
    return message


def do_record_automatic_mail(
    ticket: Ticket, *, kind: str, body: str, headers: MailHeaders, at=None
) -> TicketMessage:
    """Keep an auto-reply or a bounce on the ticket it answers, for the record.

    It changes neither the status nor the SLA clock, and nothing ever answers it.
    """
    if kind not in {TicketMessage.Kind.AUTO_REPLY, TicketMessage.Kind.BOUNCE}:
        raise ValueError(f"{kind!r} is not automatic mail.")
    return _add_message(
        ticket,
        kind=kind,
        direction=TicketMessage.Direction.INBOUND,
        channel=Ticket.Channel.EMAIL,
        body=body,
        headers=headers,
        at=at,
    )


def _record_agent_answer(ticket: Ticket, author, at) -> list[str]:
    """Note that an agent answered the customer (a reply or a logged call): the first
    response, the last reply, and the ticket goes to them if nobody had it. Returns the
    fields changed, for the caller's save."""
    if ticket.first_response_at is None:
        ticket.first_response_at = at
    ticket.last_agent_reply_at = at
    if ticket.assignee_id is None:
        _assign(ticket, author, actor=author, at=at)
    return ["first_response_at", "last_agent_reply_at", "assignee", "updated_at"]


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
    _check_member(ticket, author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "The reply is empty."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    key = idempotency.require(idempotency_key)
    if key:
        existing = ticket.messages.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    at = at or timezone.now()
    message = _add_message(
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
    fields = _record_agent_answer(ticket, author, at)
    new_status = status or (
        Ticket.Status.PENDING_CUSTOMER
        if ticket.status in {Ticket.Status.NEW, Ticket.Status.OPEN}
        else ticket.status
    )
    if new_status != ticket.status:
        _set_status(ticket, new_status, actor=author, at=at)
        fields += ["status", "solved_at", "closed_at"]
    ticket.save(update_fields=fields)
    sla.refresh(ticket, now=at)
    if ticket.channel in {Ticket.Channel.EMAIL, Ticket.Channel.WEB, Ticket.Channel.FOLLOW_UP}:
        from contento.support.channels.email import outbound

        outbound.queue(message)
    if new_status == Ticket.Status.SOLVED:
        from contento.support import ratings

        ratings.schedule(ticket, at=at)
    return message


@transaction.atomic
def do_add_note(ticket: Ticket, author: Membership, body: str, at=None) -> TicketMessage:
    """Write an internal note: seen by the team, never by the customer."""
    _check_member(ticket, author)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "The note is empty."})
    return _add_message(
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
    _check_member(ticket, author)
    if channel not in {Ticket.Channel.PHONE, Ticket.Channel.IN_PERSON}:
        raise ValidationError({"channel": "A conversation is logged as a phone call or a visit."})
    if outcome not in TicketMessage.Outcome.values:
        raise ValidationError({"outcome": f"Unknown outcome {outcome!r}."})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Say what was discussed."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    at = at or timezone.now()
    message = _add_message(
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
    fields = _record_agent_answer(ticket, author, at)
    if outcome == TicketMessage.Outcome.RESOLVED and ticket.is_open:
        _set_status(ticket, Ticket.Status.SOLVED, actor=author, at=at)
        fields += ["status", "solved_at", "closed_at"]
    ticket.save(update_fields=fields)
    sla.refresh(ticket, now=at)
    if ticket.status == Ticket.Status.SOLVED:
        from contento.support import ratings

        ratings.schedule(ticket, at=at)
    return message


def _set_status(ticket: Ticket, status: str, *, actor, at) -> None:
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
    _event(ticket, TicketEvent.Kind.STATUS, old, status, actor=actor, at=at)


@transaction.atomic
def do_set_ticket_status(ticket: Ticket, status: str, actor: Membership | None, at=None) -> Ticket:
    """Move the ticket to another status; solving it schedules the satisfaction question."""
    _check_member(ticket, actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == ticket.status:
        return ticket
    at = at or timezone.now()
    _set_status(ticket, status, actor=actor, at=at)
    ticket.save(update_fields=["status", "solved_at", "closed_at", "updated_at"])
    sla.refresh(ticket, now=at)
    if status == Ticket.Status.SOLVED:
        from contento.support import ratings

        ratings.schedule(ticket, at=at)
    return ticket


@transaction.atomic
def do_set_ticket_priority(
    ticket: Ticket, priority: str, actor: Membership | None, at=None
) -> Ticket:
    _check_member(ticket, actor)
    if priority not in Ticket.Priority.values:
        raise ValidationError({"priority": f"Unknown priority {priority!r}."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if priority != ticket.priority:
        at = at or timezone.now()
        _event(ticket, TicketEvent.Kind.PRIORITY, ticket.priority, priority, actor=actor, at=at)
        ticket.priority = priority
        ticket.save(update_fields=["priority", "updated_at"])
        sla.refresh(ticket, now=at)
    return ticket


def _assign(ticket: Ticket, assignee: Membership | None, *, actor, at) -> None:
    old = ticket.assignee
    ticket.assignee = assignee
    _event(
        ticket,
        TicketEvent.Kind.ASSIGNED,
        old.user.email if old else "",
        assignee.user.email if assignee else "",
        actor=actor,
        at=at,
    )


@transaction.atomic
def do_assign_ticket(
    ticket: Ticket, assignee: Membership | None, actor: Membership | None, at=None
) -> Ticket:
    """Give the ticket to a member (or to nobody)."""
    _check_member(ticket, actor)
    _check_member(ticket, assignee)
    if assignee is not None and not assignee.can("ticket.work"):
        raise ValidationError({"assignee": "That member cannot work on tickets."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.assignee_id != (assignee.pk if assignee else None):
        _assign(ticket, assignee, actor=actor, at=at or timezone.now())
        ticket.save(update_fields=["assignee", "updated_at"])
    return ticket


@transaction.atomic
def do_set_ticket_team(ticket: Ticket, team: Team | None, actor: Membership | None, at=None):
    """Move the ticket to another team, which assigns it by its own rule and SLA."""
    _check_member(ticket, actor)
    if team is not None and team.organization_id != ticket.organization_id:
        raise ValidationError({"team": "The team belongs to another workspace."})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.team_id == (team.pk if team else None):
        return ticket
    at = at or timezone.now()
    _event(ticket, TicketEvent.Kind.TEAM, ticket.team, team, actor=actor, at=at)
    ticket.team = team
    ticket.save(update_fields=["team", "updated_at"])
    if ticket.assignee_id and not (team and team.members.filter(pk=ticket.assignee_id).exists()):
        _assign(ticket, None, actor=actor, at=at)
        ticket.save(update_fields=["assignee"])
    if ticket.assignee_id is None:
        _auto_assign(ticket)
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
    _event(ticket, TicketEvent.Kind.ANGRY, "", "angry", at=at)
    order = list(Ticket.Priority.values)
    raised = order[min(order.index(ticket.priority) + 1, len(order) - 1)]
    if raised != ticket.priority:
        _event(ticket, TicketEvent.Kind.PRIORITY, ticket.priority, raised, at=at)
        ticket.priority = raised
    ticket.save(update_fields=["angry", "priority", "updated_at"])
    sla.refresh(ticket, now=at)
    return ticket


# Assignment ------------------------------------------------------------------------------------


def _auto_assign(ticket: Ticket) -> None:
    """Give a new ticket to a member of its team, by the team's rule.

    Round-robin takes the member after the last one assigned (in a stable order); least-busy
    takes whoever has the fewest open tickets, ties broken by that same order.
    """
    team = ticket.team
    if team is None or team.assignment == Team.Assignment.MANUAL or ticket.assignee_id:
        return
    team = Team.objects.select_for_update().get(pk=team.pk)
    members = list(
        team.members.filter(role__in=roles_with("ticket.work"))
        .select_related("user")
        .order_by("pk")
    )
    if not members:
        return
    if team.assignment == Team.Assignment.LEAST_BUSY:
        load = dict(
            Membership.objects.filter(pk__in=[m.pk for m in members])
            .annotate(
                n=Count(
                    "assigned_tickets",
                    filter=Q(assigned_tickets__status__in=_OPEN_STATUSES),
                )
            )
            .values_list("pk", "n")
        )
        chosen = min(members, key=lambda m: (load.get(m.pk, 0), m.pk))
    else:
        after = [m for m in members if team.last_assigned_id and m.pk > team.last_assigned_id]
        chosen = (after or members)[0]
    _assign(ticket, chosen, actor=None, at=ticket.created_at)
    ticket.save(update_fields=["assignee"])
    team.last_assigned = chosen
    team.save(update_fields=["last_assigned"])


@transaction.atomic
def do_revoke_customer_links(ticket: Ticket, actor: Membership, at=None) -> Ticket:
    """Void every link the customer was sent for this ticket (their ticket page, its ratings).

    Messages sent from now on carry new links; the old ones show "this link has expired".
    """
    _check_member(ticket, actor)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.link_version += 1
    ticket.save(update_fields=["link_version", "updated_at"])
    _event(ticket, TicketEvent.Kind.LINKS_REVOKED, actor=actor, at=at)
    return ticket


# Ratings ---------------------------------------------------------------------------------------

BAD_RATING = 2


def do_rate_ticket(rating, score: int | None = None, comment: str | None = None, at=None):
    """Record the customer's answer to "How were you treated?" (score first, comment after).

    The answer is saved into the organisation's rating survey, page by page, so a one-click
    score counts at once and a comment added later completes the response. A score of 2 or
    less opens a follow-up for the team's manager, once per rating.
    """
    from contento.support import ratings
    from contento.surveys.actions import do_save_page, do_start_response
    from contento.surveys.localize import localize
    from contento.surveys.models import Response

    if score is not None and not (isinstance(score, int) and 1 <= score <= 5):
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    at = at or timezone.now()
    survey = ratings.rating_survey(rating.organization)
    language = rating.language if rating.language in survey.all_languages else "en"
    local = localize(survey, language)
    questions = local.by_key()
    with transaction.atomic():
        rating = type(rating).objects.select_for_update().get(pk=rating.pk)
        response = do_start_response(
            survey,
            code=rating.code,
            language=language,
            source=Response.Source.PERSONAL,
            customer=rating.ticket.customer,
            at=at,
        )
        fields = []
        if score is not None and response.status != Response.Status.COMPLETE:
            field = questions[ratings.RATING_QUESTION].field_name
            errors = do_save_page(local, response, 1, {field: str(score)}, at=at).errors
            if errors:
                raise ValidationError(errors)
            rating.score = score
            rating.answered_at = at
            rating.status = rating.Status.ANSWERED
            fields += ["score", "answered_at", "status"]
        if comment is not None and rating.score is not None:
            response.refresh_from_db()
            if response.status != Response.Status.COMPLETE:
                field = questions[ratings.COMMENT_QUESTION].field_name
                do_save_page(local, response, 2, {field: comment.strip()[:10000]}, at=at)
                rating.comment = comment.strip()[:10000]
                fields.append("comment")
        rating.response = response
        rating.save(update_fields=[*fields, "response"])
        if score is not None:
            _event(rating.ticket, TicketEvent.Kind.RATED, "", score, at=at)
        if rating.score is not None and rating.score <= BAD_RATING:
            _open_follow_up(rating, at)
    return rating


def _open_follow_up(rating, at) -> None:
    ticket = rating.ticket
    body = f"{rating.score}/5" + (f"\n\n{rating.comment}" if rating.comment else "")
    if rating.follow_up_id is not None:
        if rating.comment:
            TicketMessage.objects.filter(
                ticket_id=rating.follow_up_id, kind=TicketMessage.Kind.MESSAGE
            ).update(body=body)
        return
    manager = (ticket.team.manager if ticket.team else None) or (
        Membership.objects.filter(organization_id=ticket.organization_id, role="manager")
        .order_by("pk")
        .first()
    )
    follow_up = do_create_ticket(
        ticket.organization,
        customer=ticket.customer,
        subject=f"Follow-up: [#{ticket.reference}] {ticket.subject}"[:250],
        body=body,
        channel=Ticket.Channel.FOLLOW_UP,
        team=ticket.team,
        priority=Ticket.Priority.HIGH,
        product=ticket.product,
        language=ticket.language,
        idempotency_key=IdempotencyKey.for_system(f"rating-follow-up:{rating.code}"),
        at=at,
    )
    follow_up.parent = ticket
    follow_up.assignee = manager
    follow_up.save(update_fields=["parent", "assignee"])
    rating.follow_up = follow_up
    rating.save(update_fields=["follow_up"])


def do_record_conversation_rating(ticket: Ticket, author: Membership, score: int, at=None):
    """Record the satisfaction a customer told a member in person or on the phone.

    It is the same answer as the emailed question, credited to the member who spoke with them.
    """
    from contento.support.models import TicketRating

    _check_member(ticket, author)
    at = at or timezone.now()
    rating = TicketRating.objects.create(
        ticket=ticket,
        organization_id=ticket.organization_id,
        agent=author,
        team=ticket.team,
        language=ticket.language,
        status=TicketRating.Status.SENT,
        send_after=at,
        sent_at=at,
    )
    return do_rate_ticket(rating, score, at=at)
