"""Permission-checked lookups of tickets, and the signed links customers use to reach theirs."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from contento.support.models import CannedReply, Team, Ticket

_CUSTOMER_SALT = "contento.support.customer-ticket"


def access_ticket(membership, code, permission: str = "ticket.view") -> Ticket:
    """Return the workspace ticket with this code (403 without `permission`, else 404)."""
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    ticket = (
        Ticket.objects.select_related("customer", "team", "assignee__user", "product")
        .filter(organization=membership.organization, code=code)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket.")
    return ticket


def access_team(membership, code, permission: str = "ticket.view") -> Team:
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    team = Team.objects.filter(organization=membership.organization, code=code).first()
    if team is None:
        raise Http404("No such team.")
    return team


def access_canned_reply(membership, code, permission: str = "ticket.work") -> CannedReply:
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    reply = CannedReply.objects.filter(organization=membership.organization, code=code).first()
    if reply is None:
        raise Http404("No such reply.")
    return reply


def customer_ticket_token(ticket: Ticket) -> str:
    return signing.dumps(str(ticket.code), salt=_CUSTOMER_SALT, compress=True)


def customer_ticket_url(ticket: Ticket) -> str:
    """Return the customer's own link to follow and answer their ticket (no sign-in)."""
    path = reverse("support_public:ticket", args=[customer_ticket_token(ticket)])
    return f"{settings.SITE_URL}{path}"


def ticket_from_customer_token(token: str) -> Ticket:
    """Return the ticket a customer's signed link names, or raise 404."""
    try:
        code = signing.loads(token, salt=_CUSTOMER_SALT)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    ticket = Ticket.objects.select_related("customer", "organization").filter(code=code).first()
    if ticket is None or ticket.customer.erased_at is not None:
        raise Http404("This link is not valid.")
    return ticket
