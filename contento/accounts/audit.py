"""The audit log: who did what in a workspace, and when.

Views and API endpoints call `record()` after a change succeeds, inside its transaction where
there is one, so that a change that rolls back leaves no entry. An entry names its object by
code and carries details such as a role, a count or the names of changed settings; it never
carries the personal data it concerns, and `record()` refuses a detail that looks like an email
address, so a mistake shows in the tests instead of in the log.
"""

import re

from django.utils.translation import gettext_lazy as _

from contento.accounts.models import AuditEvent

# Every action the log knows, with the words an owner reads.
ACTIONS = {
    "workspace.created": _("Created the workspace"),
    "workspace.updated": _("Changed the workspace's settings"),
    "workspace.logo": _("Changed the logo"),
    "workspace.widget_secret": _("Replaced the widget secret"),
    "member.invited": _("Invited a member"),
    "invitation.revoked": _("Withdrew an invitation"),
    "member.joined": _("Joined the workspace"),
    "member.role": _("Changed a member's role"),
    "member.removed": _("Removed a member"),
    "token.created": _("Created an API token"),
    "token.revoked": _("Revoked an API token"),
    "export.downloaded": _("Downloaded an export"),
    "customer.exported": _("Exported a customer's data"),
    "customer.erased": _("Erased a customer"),
    "customer.changed": _("Changed a customer"),
    "customers.imported": _("Imported customers"),
    "survey.status": _("Changed a survey's status"),
    "survey.deleted": _("Deleted a survey"),
    "response.deleted": _("Deleted a response"),
    "audience.saved": _("Saved an audience"),
    "campaign.created": _("Created a campaign"),
    "campaign.sent": _("Sent a campaign"),
    "campaign.cancelled": _("Stopped a campaign"),
    "rule.saved": _("Saved a follow-up rule"),
    "root_cause.added": _("Added a root cause"),
    "theme.saved": _("Saved a tracked theme"),
    "theme.merged": _("Merged two tracked themes"),
    "root_cause.changed": _("Withdrew or offered again a root cause"),
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SCALARS = (str, int, float, bool, type(None))


def record(membership, action: str, obj=None, **detail) -> AuditEvent:
    """Log that the member did `action`, to `obj` (a model with a `code`) if given."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}.")
    for key, value in detail.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if not isinstance(item, _SCALARS):
                raise TypeError(f"Audit detail {key!r} must be plain values.")
            if isinstance(item, str) and _EMAIL.search(item):
                raise ValueError(f"Audit detail {key!r} looks like personal data.")
    return AuditEvent.objects.create(
        organization=membership.organization,
        actor=membership.user,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_code=str(getattr(obj, "code", "") or getattr(obj, "pk", "")) if obj else "",
        detail=detail,
    )


def describe(event: AuditEvent) -> str:
    """The action's words in the reader's language (the code itself for an unknown one)."""
    return str(ACTIONS.get(event.action, event.action))
