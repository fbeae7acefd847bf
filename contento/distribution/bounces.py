"""Invitations that come back undelivered.

Each invitation and reminder leaves with a Message-ID that names its delivery
(`<invitation.<code>[.r<n>]@<domain>>`). When the desk's mail listener receives the delivery report,
it announces it (`contento.support.signals.mail_bounced`); a permanent failure marks the
delivery bounced and the customer's address as undeliverable, so no campaign mails it
again until the address changes.
"""

import re
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from contento.customers.actions import do_mark_bounced
from contento.distribution.models import Delivery
from contento.support.signals import mail_bounced

_OURS = re.compile(r"^<?invitation\.([0-9a-f-]{36})(?:\.r\d+)?@", re.IGNORECASE)


def invitation_message_id(delivery, reminder: int = 0) -> str:
    """The Message-ID of a delivery's invitation, or of its `reminder`th reminder."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "contento.invalid"
    suffix = f".r{reminder}" if reminder else ""
    return f"<invitation.{delivery.code}{suffix}@{domain}>"


@receiver(mail_bounced)
def on_mail_bounced(sender, *, message_id, recipients, permanent, at=None, **kwargs):
    """Mark the invitation a delivery report names, and its address, when it failed for good."""
    match = _OURS.match(message_id or "")
    if not match or not permanent:
        return
    try:
        code = uuid.UUID(match.group(1))
    except ValueError:
        return
    delivery = (
        Delivery.objects.select_related("customer", "campaign__organization")
        .filter(code=code)
        .first()
    )
    if delivery is None:
        return
    at = at or timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.BOUNCED, bounced_at=at, next_reminder_at=None
    )
    address = delivery.customer.email
    if address and (not recipients or address.lower() in recipients):
        do_mark_bounced(delivery.campaign.organization, [address], at=at)
