"""Mail the desk sends: replies to customers, acknowledgements, rating requests.

The worker calls these with the row locked (`contento.support.tasks`); what is sent is
decided before, by the actions that queue it.

Every message carries a Message-ID of ours, `In-Reply-To` and `References` pointing at the
conversation so far, the ticket reference in the subject and a plus-addressed Reply-To: the
customer's answer threads back into the same ticket whichever of them their mail program keeps.
"""

import logging
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from contento.accounts.registers import speaking
from contento.core import queues
from contento.support import ratings
from contento.support.access import customer_ticket_url
from contento.support.models import Ticket, TicketMessage, TicketRating

log = logging.getLogger(__name__)

# Our own mail carries this header; mail that comes back with it is a loop.
LOOP_HEADER = "X-Contento-Loop"


def mail_domain() -> str:
    return settings.CONTENTO_MAIL_DOMAIN


def new_message_id(code) -> str:
    return f"<contento.{code}@{mail_domain()}>"


def reply_address(ticket: Ticket) -> str:
    """The address replies go to: the team's inbound address, plus-tagged with the reference."""
    base = (ticket.team.email_address if ticket.team else "") or settings.SUPPORT_EMAIL
    local, _, domain = base.partition("@")
    return f"{local}+{ticket.reference.lower()}@{domain}"


def sender(ticket: Ticket) -> str:
    address = (ticket.team.email_address if ticket.team else "") or settings.SUPPORT_EMAIL
    business = ticket.organization.sender_name or ticket.organization.name
    if ticket.team is None:
        return formataddr((business, address))
    return formataddr((f"{business} · {ticket.team.name}", address))


def subject_of(ticket: Ticket, prefix: str = "Re: ") -> str:
    return f"{prefix}[#{ticket.reference}] {ticket.subject}"


def thread_headers(ticket: Ticket, own_id: str) -> dict[str, str]:
    ids = [
        m
        for m in ticket.messages.exclude(message_id="")
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
        if m != own_id
    ]
    headers = {"Message-ID": own_id, LOOP_HEADER: ticket.reference}
    if ids:
        inbound = list(
            ticket.messages.filter(direction=TicketMessage.Direction.INBOUND)
            .exclude(message_id="")
            .order_by("-created_at", "-pk")
            .values_list("message_id", flat=True)[:1]
        )
        headers["In-Reply-To"] = inbound[0] if inbound else ids[-1]
        # The first message and the most recent ones are enough to thread (RFC 5322 3.6.4).
        headers["References"] = " ".join(([ids[0]] + ids[-9:]) if len(ids) > 10 else ids)
    return headers


def participants(ticket: Ticket) -> list[str]:
    """Return the addresses of the others in the conversation, who get the replies in copy."""
    return [
        email
        for email in ticket.participants.filter(customer__erased_at__isnull=True)
        .exclude(customer__email="")
        .values_list("customer__email", flat=True)
        if email != ticket.customer.email
    ]


def send(message: TicketMessage) -> None:
    """Email an agent's reply to the customer (called by the worker, with the row locked).

    Its Message-ID comes from its code, so a reply sent again after a crash has the same one.
    """
    ticket = message.ticket
    customer = ticket.customer
    if not customer.email:
        raise ValueError("The customer has no email address.")
    if not message.message_id:
        message.message_id = new_message_id(message.code)
        message.save(update_fields=["message_id"])
    context = {
        "ticket": ticket,
        "message": message,
        "customer": customer,
        "agent": message.author.user if message.author else None,
        "url": customer_ticket_url(ticket),
    }
    with translation.override(speaking(ticket.organization, ticket.language)):
        body = render_to_string("support/email/reply.txt", context)
        html = render_to_string("support/email/reply.html", context)
    mail = EmailMultiAlternatives(
        subject_of(ticket),
        body,
        from_email=sender(ticket),
        to=[customer.email],
        cc=participants(ticket),
        reply_to=[reply_address(ticket)],
        headers=thread_headers(ticket, message.message_id),
    )
    mail.attach_alternative(html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as f:
            mail.attach(attachment.filename, f.read(), attachment.content_type)
    mail.send()


def queue_acknowledgement(ticket: Ticket, *, marked: bool = False) -> None:
    """Tell the customer their request arrived: once per ticket, after the commit.

    The ticket remembers it is "pending" until the worker sends it, so the sweep
    (`tasks.sweep`) finds one whose queueing was lost, and a retried request sends nothing new.
    The worker sends the pending ones in batches (`tasks.send_acknowledgements`). `marked`:
    the caller created the ticket "pending" in this transaction, so no other request can have
    queued it (inbound mail, saving an update per ticket).
    """
    if marked or Ticket.objects.filter(pk=ticket.pk, acknowledgement="").update(
        acknowledgement="pending"
    ):
        queues.enqueue_batch_on_commit("contento.support.tasks.send_acknowledgements")


def first_message_ids(tickets) -> dict[int, str]:
    """Return the Message-ID of each ticket's first message ("" when it has none), in one
    query."""
    first: dict[int, str] = {}
    rows = (
        TicketMessage.objects.filter(ticket__in=[t.pk for t in tickets])
        .order_by("ticket_id", "created_at", "pk")
        .values_list("ticket_id", "message_id")
    )
    for ticket_id, message_id in rows:
        first.setdefault(ticket_id, message_id)
    return first


def send_acknowledgement(ticket: Ticket, *, first_message_id=None, connection=None) -> None:
    """Tell the customer their request arrived, with its reference, once per ticket.

    Marked `Auto-Submitted: auto-replied` (RFC 3834) so that well-behaved autoresponders do
    not answer it; those that do are caught as loops on the way in. A batch gives the first
    message's id (`first_message_ids`) and one open mail `connection` for all its messages.
    """
    customer = ticket.customer
    if not customer.email:
        return
    if first_message_id is None:
        first = ticket.messages.order_by("created_at", "pk").first()
        first_message_id = first.message_id if first is not None else ""
    context = {"ticket": ticket, "customer": customer, "url": customer_ticket_url(ticket)}
    with translation.override(speaking(ticket.organization, ticket.language)):
        subject = render_to_string("support/email/acknowledgement_subject.txt", context).strip()
        body = render_to_string("support/email/acknowledgement.txt", context)
    headers = {
        "Message-ID": make_msgid("contento.ack", domain=mail_domain()),
        "Auto-Submitted": "auto-replied",
        LOOP_HEADER: ticket.reference,
    }
    if first_message_id:
        headers["In-Reply-To"] = first_message_id
        headers["References"] = first_message_id
    EmailMultiAlternatives(
        subject,
        body,
        from_email=sender(ticket),
        to=[customer.email],
        reply_to=[reply_address(ticket)],
        headers=headers,
        connection=connection,
    ).send()
    log.info("acknowledgement sent", extra={"ticket": ticket.reference, "at": timezone.now()})


def send_rating_request(rating: TicketRating) -> None:
    """Email the rating question with five one-click answers (called by the worker, with the
    rating locked)."""
    ticket, customer = rating.ticket, rating.ticket.customer
    question = ratings.local_survey(rating).by_key()[ratings.RATING_QUESTION]
    context = {
        "ticket": ticket,
        "customer": customer,
        "question": question.text,
        "scores": [(n, ratings.rating_url(rating, n)) for n in range(1, 6)],
        "url": ratings.rating_url(rating),
    }
    with translation.override(speaking(rating.ticket.organization, rating.language)):
        subject = render_to_string("support/email/rating_subject.txt", context).strip()
        body = render_to_string("support/email/rating.txt", context)
        html = render_to_string("support/email/rating.html", context)
    mail = EmailMultiAlternatives(
        subject,
        body,
        from_email=sender(ticket),
        to=[customer.email],
        headers={"Auto-Submitted": "auto-generated", LOOP_HEADER: ticket.reference},
    )
    mail.attach_alternative(html, "text/html")
    mail.send()
