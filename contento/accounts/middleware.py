"""Attach the signed-in user's current workspace membership to each request."""

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
        request.membership = current_membership(request)
        return self.get_response(request)
