"""Roles of a workspace member and what each may do.

A permission names an action; every view and API endpoint asks for one through
`Membership.can` (or the `require` helpers in `access.py`), so the table below is the single
place where the product's authorisation is decided.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Agent")
    ANALYST = "analyst", _("Analyst")


_ALL = frozenset(Role)

PERMISSIONS: dict[str, frozenset[str]] = {
    # Use the workspace at all (own profile, own API tokens).
    "workspace.use": _ALL,
    # Read surveys, their dashboards and individual responses.
    "survey.view": frozenset({Role.OWNER, Role.MANAGER, Role.ANALYST}),
    # Create, edit, publish and close surveys; invite customers.
    "survey.edit": frozenset({Role.OWNER, Role.MANAGER}),
    # Delete a survey with all its responses, or one response (both audited).
    "survey.delete": frozenset({Role.OWNER, Role.MANAGER}),
    # Export responses (CSV/XLSX).
    "survey.export": frozenset({Role.OWNER, Role.MANAGER, Role.ANALYST}),
    # Record a response on a customer's behalf (phone call, API integration).
    "response.submit": frozenset({Role.OWNER, Role.MANAGER, Role.AGENT}),
    "customer.view": _ALL,
    "customer.edit": frozenset({Role.OWNER, Role.MANAGER, Role.AGENT}),
    # Erase a customer's personal data, or export all of it (GDPR requests).
    "customer.erase": frozenset({Role.OWNER, Role.MANAGER}),
    # Import customers, products, purchases and subscriptions from files.
    "customer.import": frozenset({Role.OWNER, Role.MANAGER}),
    # Read tickets and the support reports.
    "ticket.view": _ALL,
    # Answer tickets, write notes, log calls, change status, priority and tags.
    "ticket.work": frozenset({Role.OWNER, Role.MANAGER, Role.AGENT}),
    # See every team's queue, reassign anyone's tickets, act on escalations.
    "ticket.manage": frozenset({Role.OWNER, Role.MANAGER}),
    # Configure the desk: teams, calendars, SLA policies, canned replies, rating survey.
    "support.configure": frozenset({Role.OWNER, Role.MANAGER}),
    "members.manage": frozenset({Role.OWNER}),
    # The workspace's name, brand, language, time zone, sender and public address.
    "workspace.configure": frozenset({Role.OWNER}),
    # Read and export the audit log: who did what, and when.
    "audit.view": frozenset({Role.OWNER}),
    # See the state of the installation's background work (queues, workers, mail listener).
    "installation.status": frozenset({Role.OWNER}),
}


def roles_with(permission: str) -> list[str]:
    """Return the roles that hold `permission`, sorted (for filtering members by role)."""
    return sorted(PERMISSIONS.get(permission, frozenset()))


def role_can(role: str, permission: str) -> bool:
    """Return whether a member with `role` holds `permission` (unknown names hold nothing)."""
    return role in PERMISSIONS.get(permission, frozenset())
