"""Attach the signed-in user's current workspace membership to each request, and show times
in the workspace's time zone."""

import zoneinfo

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from contento.accounts import twofactor
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


# Pages a member may open before setting up a second factor the workspace requires.
_OPEN_WHILE_ENROLLING = ("accounts:two_factor", "accounts:logout", "set_language")


class TwoFactorRequired:
    """Send a member of a workspace that requires two-factor sign-in, who has no second factor
    yet, to set one up before anything else (the API's tokens are not affected)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request, "membership", None)
        if (
            membership is not None
            and membership.organization.require_two_factor
            and not _is_open_path(request.path_info)
            and not twofactor.has_two_factor(request.user)
        ):
            return redirect("accounts:two_factor")
        return self.get_response(request)


def _is_open_path(path: str) -> bool:
    if path.startswith(("/static/", "/api/")):
        return True
    return path in {reverse(name) for name in _OPEN_WHILE_ENROLLING}
