"""Attach the signed-in user's current workspace membership to each request, and show times
in the workspace's time zone."""

import zoneinfo

from django.utils import timezone

from contento.accounts.models import Membership

SESSION_KEY = "workspace"


def current_membership(request) -> Membership | None:
    """Return the membership of the workspace chosen in the session, else the user's first."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("organization").filter(user=user)
    chosen = request.session.get(SESSION_KEY)
    if chosen:
        membership = memberships.filter(organization__code=chosen).first()
        if membership is not None:
            return membership
    return memberships.order_by("created_at", "pk").first()


class WorkspaceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = membership = current_membership(request)
        if membership is None:
            return self.get_response(request)
        try:
            zone = zoneinfo.ZoneInfo(membership.organization.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None  # a zone this machine's database lacks: the installation's own
        with timezone.override(zone):
            return self.get_response(request)
