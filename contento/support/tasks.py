"""Background work of the support desk (Django's Tasks API).

Every task is safe to run twice: rows are locked and their state says what was already done.
`desk_tick` is the periodic job the worker runs every minute: SLA warnings, breaches and
escalations, rating requests whose time has come, closing long-solved tickets, and polling the
IMAP mailbox when `IMAP_URL` is set.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from contento.accounts.models import Organization
from contento.core import queues
from contento.support import analysis, ratings, sla
from contento.support.actions.tickets import do_set_ticket_status
from contento.support.channels import channel_of
from contento.support.channels.email import imap, outbound
from contento.support.models import Ticket, TicketMessage, TicketRating

log = logging.getLogger(__name__)


@task(queue_name=queues.MAIL)
def send_ticket_message(message_code: str) -> str:
    """Send an agent's answer through the ticket's channel, once."""
    with transaction.atomic():
        message = (
            TicketMessage.objects.select_for_update(of=("self",))
            .select_related("ticket__customer", "ticket__team", "ticket__organization")
            .filter(code=message_code)
            .first()
        )
        if message is None or message.delivery != TicketMessage.Delivery.QUEUED:
            return "skipped"
        if not message.ticket.organization.sends_mail:
            message.delivery = TicketMessage.Delivery.NONE
            message.save(update_fields=["delivery"])
            return "skipped"
        try:
            channel_of(message.ticket).send(message)
        except Exception as error:  # noqa: BLE001 - any delivery failure is recorded
            message.delivery = TicketMessage.Delivery.FAILED
            message.delivery_error = str(error)[:1000]
            message.save(update_fields=["delivery", "delivery_error"])
            log.warning("reply not sent", extra={"message_code": message_code, "error": str(error)})
            return "failed"
        message.delivery = TicketMessage.Delivery.SENT
        message.delivery_error = ""
        message.save(update_fields=["delivery", "delivery_error"])
    return "sent"


@task(queue_name=queues.MAIL)
def send_acknowledgement(ticket_code: str) -> str:
    """Tell the customer their request arrived, once (the ticket row says if it went)."""
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("customer", "team", "organization")
            .filter(code=ticket_code)
            .first()
        )
        if ticket is None or ticket.acknowledgement != "pending":
            return "skipped"
        if not ticket.organization.sends_mail:
            ticket.acknowledgement = ""
            ticket.save(update_fields=["acknowledgement"])
            return "skipped"
        outbound.send_acknowledgement(ticket)
        ticket.acknowledgement = "sent"
        ticket.save(update_fields=["acknowledgement"])
    return "sent"


# How many tickets one transaction of `send_acknowledgements` locks and answers, and how many
# one run takes before it queues the next run (a long backlog is not one endless task).
ACKNOWLEDGE_BATCH = 100
ACKNOWLEDGE_RUN = 1000


@task(queue_name=queues.MAIL)
def send_acknowledgements() -> int:
    """Tell every customer whose new ticket waits for it that their request arrived.

    The batch form of `send_acknowledgement`, which the desk queues for new mail: one run
    answers all the tickets marked "pending" before it started, a batch at a time (rows
    locked, one mail connection per batch). A ticket is marked "sent" in the transaction
    that sent it; when the mail server fails half-way, what went is marked, the rest stays
    pending, and the task raises to be run again.
    """
    sent = 0
    while sent < ACKNOWLEDGE_RUN:
        done, error = _acknowledge_batch()
        sent += done
        if error is not None:
            raise error
        if done < ACKNOWLEDGE_BATCH:
            return sent
    queues.enqueue("contento.support.tasks.send_acknowledgements")  # more wait
    return sent


def _acknowledge_batch() -> tuple[int, Exception | None]:
    error = None
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("customer", "team", "organization")
            .filter(acknowledgement="pending")
            .order_by("pk")[:ACKNOWLEDGE_BATCH]
        )
        quiet = [t.pk for t in tickets if not t.organization.sends_mail]
        loud = [t for t in tickets if t.organization.sends_mail]
        sent: list[int] = []
        if loud:
            first = outbound.first_message_ids(loud)
            try:
                with mail.get_connection() as connection:
                    for ticket in loud:
                        outbound.send_acknowledgement(
                            ticket, first_message_id=first.get(ticket.pk, ""), connection=connection
                        )
                        sent.append(ticket.pk)
            except Exception as failure:  # noqa: BLE001 - what went is recorded, then it raises
                error = failure
                log.warning("acknowledgements not sent", extra={"error": str(failure)})
        if quiet:
            Ticket.objects.filter(pk__in=quiet).update(acknowledgement="")
        if sent:
            Ticket.objects.filter(pk__in=sent).update(acknowledgement="sent")
    return len(tickets) if error is None else len(sent) + len(quiet), error


@task(queue_name=queues.ANALYSIS)
def analyze_messages(message_codes: list[str]) -> int:
    """Read the customer's messages for language, sentiment and anger; flag angry tickets."""
    return analysis.analyze_messages(message_codes)


@task(queue_name=queues.ANALYSIS)
def analyze_unread() -> int:
    """Read every message nobody has read yet, in batches (what the desk queues for new
    messages: one run serves all the messages saved before it started)."""
    done, more = analysis.analyze_unread()
    if more:
        queues.enqueue("contento.support.tasks.analyze_unread")
    return done


@task(queue_name=queues.MAIL)
def send_rating(rating_code: str) -> str:
    """Ask "How were you treated?" of a solved ticket's customer, once."""
    return _send_rating(rating_code)


def _send_rating(rating_code: str) -> str:
    """Email the rating question with five one-click answers, once; return what happened.

    A customer who withdrew consent, was erased or has no address is not asked.
    """
    with transaction.atomic():
        rating = (
            TicketRating.objects.select_for_update(of=("self",))
            .select_related("ticket__customer", "ticket__team", "ticket__organization")
            .filter(code=rating_code)
            .first()
        )
        if rating is None or rating.status != TicketRating.Status.SCHEDULED:
            return "skipped"
        customer = rating.ticket.customer
        reachable = customer.email and customer.contact_consent and not customer.erased_at
        if not reachable or not rating.ticket.organization.sends_mail:
            rating.status = TicketRating.Status.SKIPPED
            rating.save(update_fields=["status"])
            return "skipped"
        outbound.send_rating_request(rating)
        rating.status = TicketRating.Status.SENT
        rating.sent_at = timezone.now()
        rating.save(update_fields=["status", "sent_at"])
    return "sent"


@task()
def desk_tick() -> dict:
    """Run the desk's periodic duties once (the worker calls this every minute)."""
    now = timezone.now()
    result = {"sla": sla.check_due(now)}
    due = TicketRating.objects.filter(
        status=TicketRating.Status.SCHEDULED, send_after__lte=now
    ).values_list("code", flat=True)[:500]
    result["ratings"] = sum(_send_rating(str(code)) == "sent" for code in due)
    result["closed"] = _close_solved(now)
    if settings.IMAP_URL:
        result["mail"] = _poll_mailbox()
    return result


@task()
def refresh_due_times(organization_id: int) -> int:
    """Recompute the SLA due times of a workspace's open tickets (after a policy or calendar
    changed); return how many were refreshed."""
    open_tickets = Ticket.objects.filter(organization_id=organization_id).exclude(
        status__in=[Ticket.Status.SOLVED, Ticket.Status.CLOSED]
    )
    count = 0
    for ticket in open_tickets.select_related("team").iterator(chunk_size=500):
        with transaction.atomic():
            sla.refresh(ticket)
        count += 1
    return count


def _poll_mailbox() -> dict:
    """Fetch the IMAP mailbox's new mail; a failure is logged and never stops the tick."""
    try:
        return imap.poll_mailbox().as_dict()
    except Exception as error:  # noqa: BLE001 - the other duties of the tick must go on
        log.exception("mailbox poll failed")
        return {"error": str(error)}


def _close_solved(now) -> int:
    """Close tickets solved longer ago than their organisation's auto-close delay."""
    closed = 0
    organizations = Organization.objects.filter(tickets__status=Ticket.Status.SOLVED).distinct()
    for organization in organizations:
        days = ratings.desk_settings(organization).auto_close_days
        if not days:
            continue
        old = Ticket.objects.filter(
            organization=organization,
            status=Ticket.Status.SOLVED,
            solved_at__lte=now - timedelta(days=days),
        )
        for ticket in old[:1000]:
            do_set_ticket_status(ticket, Ticket.Status.CLOSED, actor=None, at=now)
            closed += 1
    return closed


# Work queued after a commit is lost if the process dies between the commit and the enqueue,
# or if Redis is down at that instant. The sweep finds what such a loss leaves behind and
# queues it again; every task it queues is idempotent, so a task that was in fact queued
# does no harm by being queued twice.
SWEEP_AFTER = timedelta(minutes=2)  # younger work is probably still in its queue
SWEEP_WITHIN = timedelta(days=7)


@task()
def sweep() -> dict:
    """Queue again the desk's work whose queueing was lost; return how much of each."""
    now = timezone.now()
    window = {"created_at__lt": now - SWEEP_AFTER, "created_at__gte": now - SWEEP_WITHIN}
    unread = list(
        analysis.unread_messages()
        .filter(**window)
        .order_by("pk")
        .values_list("code", flat=True)[:5000]
    )
    if unread:
        analyze_unread.enqueue()  # one run reads them all, a batch at a time
    unsent = list(
        TicketMessage.objects.filter(delivery=TicketMessage.Delivery.QUEUED, **window)
        .order_by("pk")
        .values_list("code", flat=True)[:1000]
    )
    for code in unsent:
        send_ticket_message.enqueue(str(code))
    unacknowledged = list(
        Ticket.objects.filter(acknowledgement="pending", **window).values_list("code", flat=True)[
            :1000
        ]
    )
    if unacknowledged:
        send_acknowledgements.enqueue()
    return {
        "analysis": len(unread),
        "replies": len(unsent),
        "acknowledgements": len(unacknowledged),
    }
