"""Permission-checked lookups of tickets, and the signed links customers use to reach theirs."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from contento.accounts.access import access_in_workspace
from contento.support.models import Attachment, CannedReply, InboundEmail, SlaPolicy, Team, Ticket

_CUSTOMER_SALT = "contento.support.customer-ticket"


def access_ticket(membership, code, permission: str = "ticket.view") -> Ticket:
    """Return the workspace ticket with this code (403 without `permission`, else 404)."""
    tickets = Ticket.objects.select_related("customer", "team", "assignee__user", "product")
    return access_in_workspace(membership, permission, tickets, code, "ticket")


def access_team(membership, code, permission: str = "ticket.view") -> Team:
    return access_in_workspace(membership, permission, Team.objects, code, "team")


def access_canned_reply(membership, code, permission: str = "ticket.work") -> CannedReply:
    return access_in_workspace(membership, permission, CannedReply.objects, code, "reply")


def access_policy(membership, code, permission: str = "support.configure") -> SlaPolicy:
    policies = SlaPolicy.objects.select_related("team")
    return access_in_workspace(membership, permission, policies, code, "policy")


def access_attachment(membership, code, permission: str = "ticket.view") -> Attachment:
    """Return an attachment of a ticket the member may read (and only such a ticket's)."""
    attachments = Attachment.objects.select_related("message__ticket")
    attachment = access_in_workspace(membership, permission, attachments, code, "attachment")
    access_ticket(membership, attachment.message.ticket.code, permission)
    return attachment


def access_inbound_mail(membership, code, permission: str = "ticket.view") -> InboundEmail:
    return access_in_workspace(membership, permission, InboundEmail.objects, code, "mail")


class LinkExpired(Exception):
    """A genuine customer link that is too old or was revoked; `ticket` says whose it was."""

    def __init__(self, ticket: Ticket):
        super().__init__("This link has expired.")
        self.ticket = ticket


def link_max_age() -> int:
    """Return how long a customer's link stays valid, in seconds."""
    return settings.CUSTOMER_LINK_MAX_AGE_DAYS * 86400


def signed_for_ticket(value: str, ticket: Ticket, salt: str) -> str:
    """Sign `value` with the ticket's link version, so that revoking the links voids it."""
    return signing.dumps([value, ticket.link_version], salt=salt, compress=True)


def read_signed_for_ticket(token: str, salt: str, find) -> Ticket | object | None:
    """Return what `find(value)` gives for a valid token, None for a forged one.

    A genuine token that is older than the links' lifetime, or signed before the ticket's links
    were revoked, raises LinkExpired, so the customer is told how to go on instead of "not
    found". `find` returns the record and its ticket.
    """
    expired = False
    try:
        payload = signing.loads(token, salt=salt, max_age=link_max_age())
    except signing.SignatureExpired:
        expired = True
        payload = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    value, version = payload if isinstance(payload, list) else (payload, 0)
    found = find(value)
    if found is None:
        return None
    record, ticket = found
    if expired or version != ticket.link_version:
        raise LinkExpired(ticket)
    return record


def customer_ticket_token(ticket: Ticket) -> str:
    return signed_for_ticket(str(ticket.code), ticket, _CUSTOMER_SALT)


def customer_ticket_url(ticket: Ticket) -> str:
    """Return the customer's own link to follow and answer their ticket (no sign-in)."""
    path = reverse("support_public:ticket", args=[customer_ticket_token(ticket)])
    return ticket.organization.public_link(path)


def ticket_from_customer_token(token: str) -> Ticket:
    """Return the ticket a customer's signed link names; raise 404 or LinkExpired."""

    def find(code):
        ticket = Ticket.objects.select_related("customer", "organization").filter(code=code).first()
        return (ticket, ticket) if ticket is not None else None

    try:
        ticket = read_signed_for_ticket(token, _CUSTOMER_SALT, find)
    except ValidationError:  # a payload that is not a ticket code
        ticket = None
    if ticket is None or ticket.customer.erased_at is not None:
        raise Http404("This link is not valid.")
    return ticket
