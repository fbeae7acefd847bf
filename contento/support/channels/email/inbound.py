"""Mail that arrives at the desk: route it, thread it, and make or extend a ticket.

Threading, in order (the most common complaint about open-source desks is replies that do not
thread, the second is two customers' mail merged):
1. `In-Reply-To`, then `References` from the newest: a message of a ticket with that id;
2. the ticket reference in the subject (`[#K7Q2MD]`) or in the plus-address replied to;
3. otherwise a new ticket.
A header match joins the ticket only when the sender is its customer or someone the thread
was addressed to (a colleague in Cc); a reference match only when the sender is the customer.
Anyone else gets a ticket of their own.

Someone who answers one of the desk's own messages joins its ticket as a participant: only a
person that message reached knows its Message-ID.

Automatic mail is kept but never answered: auto-replies and read receipts are stored on the
ticket they answer, bounces mark our outbound message as failed. A loop is what loops look
like: our own mail coming back, the same text again and again, automatic mail that keeps
coming. A person who writes often is never a loop. Whatever becomes no ticket is kept with its
decoded text, and what an agent should see is listed in the desk (`attention.py`).
"""

import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from contento.accounts.models import Organization
from contento.customers.actions import do_find_or_create_customer
from contento.support.actions.messages import do_add_customer_message, do_record_automatic_mail
from contento.support.actions.steps import MailDetails, MailHeaders, NewAttachment
from contento.support.actions.tickets import do_create_ticket
from contento.support.channels.email import outbound, threads
from contento.support.channels.email.parsing import ParsedMail, parse_message
from contento.support.models import InboundEmail, Team, Ticket, TicketMessage, TicketParticipant
from contento.support.signals import mail_bounced

log = logging.getLogger(__name__)

# The same text this many times from one sender in ten minutes, and the next one is a loop.
LOOP_REPEATS = 3
_USABLE_ADDRESS = re.compile(
    r"[^@\s<>()\[\],;:\\\"]+@(?:[^@\s<>()\[\],;:\\\".]+\.)+[^@\s<>()\[\],;:\\\".]+"
)


class Refused(Exception):
    """The mail cannot be accepted; `smtp_code` and the message are what the sender is told."""

    def __init__(self, smtp_code: int, message: str):
        super().__init__(message)
        self.smtp_code = smtp_code


@dataclass(frozen=True)
class Route:
    organization: Organization
    team: Team | None
    mailbox: str
    # The workspace's own addresses (lower case), read with the team; None: not read yet.
    own_addresses: frozenset[str] | None = None


def route(recipients) -> Route:
    """Return the workspace and team a mail is for, from its envelope recipients.

    The team comes with every team of its workspace, in the same query: their addresses are
    the workspace's own, which the loop check needs for every mail.
    """
    for recipient in recipients:
        address = (recipient or "").strip().strip("<>").lower()
        local, _, domain = address.rpartition("@")
        base = f"{local.partition('+')[0]}@{domain}"
        teams = list(
            Team.objects.select_related("organization")
            .filter(organization__teams__email_address__iexact=base)
            .annotate(
                addressed=ExpressionWrapper(
                    Q(email_address__iexact=base), output_field=BooleanField()
                )
            )
        )
        team = next((t for t in teams if t.addressed), None)
        if team is not None:
            own = {
                t.email_address.lower() for t in teams if t.organization_id == team.organization_id
            }
            return Route(team.organization, team, base, frozenset(own - {""}))
        if base == settings.SUPPORT_EMAIL.lower():
            organization = Organization.objects.order_by("pk").first()
            if organization is not None:
                return Route(organization, None, base)
    raise Refused(550, "5.1.1 No such mailbox here.")


def _addresses(parsed: ParsedMail) -> list[str]:
    return [a.address.lower() for a in (*parsed.to, *parsed.cc) if a.address]


def _store(route_, parsed, raw, outcome, *, ticket=None, detail="", at) -> InboundEmail:
    record = InboundEmail(
        organization=route_.organization,
        team=route_.team,
        message_id=(parsed.message_id or "")[:255],
        digest=_digest(raw),
        body_digest=_body_digest(parsed),
        sender=parsed.from_address[:254],
        subject=parsed.subject[:250],
        text=parsed.text[:100_000],
        size=len(raw),
        outcome=outcome,
        detail=detail[:2000],
        ticket=ticket,
        received_at=at,
    )
    # A name of its own: a shared one ("message.eml") is taken, and finding a free one costs
    # queries.
    record.raw.save(f"{record.code.hex}.eml", ContentFile(raw), save=False)
    record.save()
    return record


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _body_digest(parsed: ParsedMail) -> str:
    text = " ".join((parsed.visible_text or parsed.text).split()).lower()
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() if text else ""


def _headers(parsed: ParsedMail) -> MailHeaders:
    return MailHeaders(
        message_id=parsed.message_id or "",
        in_reply_to=" ".join(parsed.in_reply_to),
        references=" ".join(parsed.references),
        email_from=parsed.from_address,
        email_to=" ".join(_addresses(parsed)),
    )


def _details(parsed: ParsedMail) -> MailDetails:
    return MailDetails(
        headers=_headers(parsed),
        body_html=parsed.html,
        quoted_text="\n\n".join(p for p in (parsed.quoted_text, parsed.signature) if p),
    )


def _attachments(parsed: ParsedMail) -> list[NewAttachment]:
    return [
        NewAttachment(
            filename=a.filename,
            content_type=a.content_type,
            content=a.content,
            content_id=a.content_id or "",
            inline=a.inline,
        )
        for a in parsed.attachments
    ]


def _parent(organization, parsed: ParsedMail) -> TicketMessage | None:
    """Return the message of a ticket that this mail answers, by its threading headers."""
    ids = threads.candidate_parent_ids(parsed.in_reply_to, parsed.references)
    for message_id in ids:
        message = (
            TicketMessage.objects.filter(organization=organization, message_id=message_id)
            .select_related("ticket__customer")
            .order_by("pk")
            .first()
        )
        if message is not None:
            return message
    return None


def _thread_by_headers(organization, parsed: ParsedMail) -> Ticket | None:
    parent = _parent(organization, parsed)
    return parent.ticket if parent is not None else None


def _thread_by_reference(route_: Route, parsed: ParsedMail, recipients) -> Ticket | None:
    reference = threads.ticket_reference_from_subject(parsed.subject) or (
        threads.ticket_reference_from_addresses(recipients, route_.mailbox)
    )
    if not reference:
        return None
    return (
        Ticket.objects.filter(organization=route_.organization, reference__iexact=reference)
        .select_related("customer")
        .first()
    )


def _may_join(ticket: Ticket, sender: str, *, by_headers: bool) -> bool:
    if sender in {e.lower() for e in ticket.customer.all_emails()}:
        return True
    joined = {
        email.lower()
        for email in ticket.participants.values_list("customer__email", flat=True)
        if email
    }
    if sender in joined:
        return True
    if not by_headers:
        return False
    participants = set()
    for to in ticket.messages.exclude(email_to="").values_list("email_to", flat=True):
        participants.update(to.split())
    return sender in participants


def _is_ours(message: TicketMessage) -> bool:
    """Say whether this is a message the desk itself sent (its id reached only its readers)."""
    return message.direction == TicketMessage.Direction.OUTBOUND and message.message_id.endswith(
        f"@{outbound.mail_domain()}>"
    )


def _is_loop(route_: Route, parsed: ParsedMail, at) -> str:
    header_names = {name.lower() for name, _value in parsed.headers}
    if outbound.LOOP_HEADER.lower() in header_names:
        return "it carries our own loop header"
    if parsed.message_id and parsed.message_id.endswith(f"@{outbound.mail_domain()}>"):
        return "it is a message we sent"
    own = route_.own_addresses
    if own is None:
        own = frozenset(
            a.lower()
            for a in Team.objects.filter(organization=route_.organization)
            .exclude(email_address="")
            .values_list("email_address", flat=True)
        )
    own = own | {settings.SUPPORT_EMAIL.lower()}
    if parsed.from_address in own:
        return "it comes from our own address"
    if not parsed.from_address:
        return ""
    recent = InboundEmail.objects.filter(
        organization=route_.organization,
        sender=parsed.from_address,
        received_at__gte=at - timedelta(minutes=10),
    )
    # A loop repeats itself: the same text again and again, or automatic mail that keeps
    # coming. A person who writes often is not a loop: their mail is always taken.
    body = _body_digest(parsed)
    if body and recent.filter(body_digest=body).count() >= LOOP_REPEATS:
        return f"the same text came {LOOP_REPEATS + 1} times from the sender in 10 minutes"
    if parsed.kind != "message":
        automatic = recent.filter(
            outcome__in=[InboundEmail.Outcome.AUTO_REPLY, InboundEmail.Outcome.LOOP]
        ).count()
        if automatic >= settings.MAIL_LOOP_LIMIT:
            return (
                f"more than {settings.MAIL_LOOP_LIMIT} automatic messages from the sender in "
                "10 minutes"
            )
    return ""


def receive(
    raw: bytes, recipients, *, mail_from: str = "", at=None, route_: Route | None = None
) -> InboundEmail:
    """Turn one inbound mail into a ticket or a message of one; return its record.

    The same mail delivered again (same Message-ID, same bytes) returns the first record; a
    different mail that reuses a Message-ID is taken like any other. `mail_from` is the SMTP
    envelope's sender, the last place a sender's address is looked for. `route_` is what
    `route(recipients)` returned already (the listener routes at RCPT time). Raise `Refused`
    for a mail the desk does not take.
    """
    if len(raw) > settings.MAIL_MAX_BYTES:
        raise Refused(552, "5.3.4 Message too big for this desk.")
    route_ = route_ or route(recipients)
    parsed = parse_message(
        raw,
        max_attachment_bytes=settings.ATTACHMENT_MAX_BYTES,
        max_attachments=settings.ATTACHMENT_MAX_COUNT,
        languages=(route_.organization.default_language,),
    )
    parsed = _with_envelope_sender(parsed, mail_from)
    at = at or timezone.now()
    seen = _redelivered(route_, parsed, raw)
    if seen is not None:
        return seen
    try:
        with transaction.atomic():
            return _receive(route_, parsed, raw, [r.lower() for r in recipients], at)
    except IntegrityError:
        # The same mail was being delivered concurrently, and the other delivery won.
        seen = _redelivered(route_, parsed, raw)
        if seen is None:
            raise
        return seen


def _redelivered(route_: Route, parsed: ParsedMail, raw: bytes) -> InboundEmail | None:
    if not parsed.message_id:
        return None
    return (
        InboundEmail.objects.filter(
            organization=route_.organization, message_id=parsed.message_id[:255]
        )
        .filter(digest__in=[_digest(raw), ""])  # "": kept before digests were recorded
        .first()
    )


def _with_envelope_sender(parsed: ParsedMail, mail_from: str) -> ParsedMail:
    """Take the envelope's sender when no header named one (a null sender "<>" is none)."""
    address = (mail_from or "").strip().strip("<>").strip().lower()
    if parsed.from_address or not _USABLE_ADDRESS.fullmatch(address):
        return parsed
    return dataclasses.replace(parsed, from_address=address, sender_source="envelope")


def _receive(route_: Route, parsed: ParsedMail, raw: bytes, recipients, at) -> InboundEmail:
    loop = _is_loop(route_, parsed, at)
    if loop:
        log.warning("mail loop stopped", extra={"sender": parsed.from_address, "why": loop})
        return _store(route_, parsed, raw, InboundEmail.Outcome.LOOP, detail=loop, at=at)
    if parsed.kind == "bounce":
        return _bounce(route_, parsed, raw, at)
    if parsed.kind != "message":
        ticket = _thread_by_headers(route_.organization, parsed) or _thread_by_reference(
            route_, parsed, recipients
        )
        if ticket is not None:
            do_record_automatic_mail(
                ticket,
                kind=TicketMessage.Kind.AUTO_REPLY,
                body=parsed.visible_text or parsed.text,
                headers=_headers(parsed),
                at=at,
            )
        detail = ", ".join(parsed.classification_reasons)
        return _store(
            route_,
            parsed,
            raw,
            InboundEmail.Outcome.AUTO_REPLY,
            ticket=ticket,
            detail=detail,
            at=at,
        )
    if not parsed.from_address:
        return _store(
            route_, parsed, raw, InboundEmail.Outcome.REJECTED, detail="no sender address", at=at
        )
    sender = parsed.from_address
    parent = _parent(route_.organization, parsed)
    ticket = parent.ticket if parent is not None else None
    if ticket is not None and not _may_join(ticket, sender, by_headers=True):
        if _is_ours(parent):
            # They answer the desk's own message: only someone it reached knows its id.
            _add_participant(ticket, sender, parsed.from_name, at)
        else:
            ticket = None
    if ticket is None:
        ticket = _thread_by_reference(route_, parsed, recipients)
        if ticket is not None and not _may_join(ticket, sender, by_headers=False):
            ticket = None
    body = parsed.visible_text or parsed.text
    if ticket is not None:
        do_add_customer_message(
            ticket,
            body=body,
            channel=Ticket.Channel.EMAIL,
            attachments=_attachments(parsed),
            mail=_details(parsed),
            at=at,
        )
        return _store(route_, parsed, raw, InboundEmail.Outcome.APPENDED, ticket=ticket, at=at)
    try:
        customer = do_find_or_create_customer(
            route_.organization, email=sender, name=parsed.from_name
        )
    except Exception:  # noqa: BLE001 - an address Django rejects is still a customer's mail
        return _store(
            route_,
            parsed,
            raw,
            InboundEmail.Outcome.REJECTED,
            detail=f"the sender's address {sender!r} cannot be answered",
            at=at,
        )
    ticket = do_create_ticket(
        route_.organization,
        customer=customer,
        subject=threads.strip_reply_prefixes(parsed.subject) or parsed.subject,
        body=body,
        channel=Ticket.Channel.EMAIL,
        team=route_.team,
        priority=parsed.priority if parsed.priority in Ticket.Priority.values else "normal",
        attachments=_attachments(parsed),
        mail=_details(parsed),
        acknowledgement="" if parsed.is_bulk else "pending",
        at=at,
    )
    skipped = "; ".join(f"{s.filename}: {s.reason}" for s in parsed.skipped_attachments)
    if not parsed.is_bulk:
        outbound.queue_acknowledgement(ticket, marked=True)
    return _store(
        route_, parsed, raw, InboundEmail.Outcome.CREATED, ticket=ticket, detail=skipped, at=at
    )


def _add_participant(ticket: Ticket, email: str, name: str, at) -> None:
    try:
        person = do_find_or_create_customer(ticket.organization, email=email, name=name)
    except Exception:  # noqa: BLE001 - an address that cannot be a customer stays a sender
        return
    if person.pk != ticket.customer_id:
        TicketParticipant.objects.get_or_create(
            ticket=ticket, customer=person, defaults={"added_at": at}
        )


def _bounce(route_: Route, parsed: ParsedMail, raw: bytes, at) -> InboundEmail:
    ticket = None
    if parsed.bounce_original_message_id:
        message = (
            TicketMessage.objects.filter(
                organization=route_.organization, message_id=parsed.bounce_original_message_id
            )
            .select_related("ticket")
            .first()
        )
        if message is not None:
            ticket = message.ticket
            if message.direction == TicketMessage.Direction.OUTBOUND and parsed.bounce_permanent:
                message.delivery = TicketMessage.Delivery.FAILED
                message.delivery_error = (parsed.bounce_status or "bounced")[:1000]
                message.save(update_fields=["delivery", "delivery_error"])
    if ticket is None:
        ticket = _thread_by_headers(route_.organization, parsed)
    if ticket is not None:
        do_record_automatic_mail(
            ticket,
            kind=TicketMessage.Kind.BOUNCE,
            body=parsed.text[:20000],
            headers=_headers(parsed),
            at=at,
        )
    mail_bounced.send(
        sender=InboundEmail,
        organization=route_.organization,
        message_id=parsed.bounce_original_message_id,
        recipients=tuple(parsed.bounce_recipients),
        permanent=bool(parsed.bounce_permanent),
        at=at,
    )
    detail = ", ".join(parsed.bounce_recipients)
    return _store(
        route_, parsed, raw, InboundEmail.Outcome.BOUNCE, ticket=ticket, detail=detail, at=at
    )
