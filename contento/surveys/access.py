"""Permission-checked lookups of surveys."""

from contento.accounts.access import access_in_workspace
from contento.surveys.models import Survey


def access_survey(membership, code, permission: str = "survey.view") -> Survey:
    """Return the member's workspace survey with this code.

    Raise 403 when the member lacks `permission`, 404 when no such survey is in their workspace
    (another workspace's survey is indistinguishable from a missing one).
    """
    return access_in_workspace(membership, permission, Survey.objects, code, "survey")
