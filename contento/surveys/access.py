"""Permission-checked lookups of surveys."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from contento.surveys.models import Survey


def access_survey(membership, code, permission: str = "survey.view") -> Survey:
    """Return the member's workspace survey with this code.

    Raise 403 when the member lacks `permission`, 404 when no such survey is in their workspace
    (another workspace's survey is indistinguishable from a missing one).
    """
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    survey = Survey.objects.filter(organization=membership.organization, code=code).first()
    if survey is None:
        raise Http404("No such survey.")
    return survey
