"""Inbound mail held for an agent (`contento.support.attention`): open a ticket from it for the
sender the agent names, or set it aside."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contento.customers.actions import do_find_or_create_customer
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import InboundEmail, Ticket


@transaction.atomic
def do_open_ticket_from_mail(mail: InboundEmail, member, *, email: str, name: str = "") -> Ticket:
    """Open a ticket with a mail's text for the sender an agent names; the mail is handled."""
    mail = InboundEmail.objects.select_for_update().get(pk=mail.pk)
    if mail.handled_at is not None and mail.ticket_id:
        return mail.ticket
    if member.organization_id != mail.organization_id:
        raise ValidationError("That person is not a member of this workspace.")
    customer = do_find_or_create_customer(mail.organization, email=email, name=name)
    ticket = do_create_ticket(
        mail.organization,
        customer=customer,
        subject=mail.subject or mail.text.strip().split("\n", 1)[0][:120],
        body=mail.text or mail.subject,
        channel=Ticket.Channel.EMAIL,
        team=mail.team,
        author=member,
        at=mail.received_at,
    )
    mail.ticket = ticket
    mail.handled_at, mail.handled_by = timezone.now(), member
    mail.save(update_fields=["ticket", "handled_at", "handled_by"])
    return ticket


def do_set_mail_aside(mail: InboundEmail, member) -> None:
    """Mark a mail that needed attention as dealt with (nothing else changes)."""
    InboundEmail.objects.filter(pk=mail.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=member
    )
