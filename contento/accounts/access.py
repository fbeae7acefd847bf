"""Permission-checked access to the current workspace.

Views never look objects up by user input directly: they call `require(request, permission)`
for the member, then an app's `access_<thing>(membership, code)` for the object, and these
raise 404 or 403. Every `access_<thing>` is `access_in_workspace` with its model's queryset.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from contento.accounts.models import Membership


def require(request, permission: str) -> Membership:
    """Return the signed-in member of the current workspace if they hold `permission`."""
    return require_member(getattr(request, "membership", None), permission)


def require_member(membership: Membership | None, permission: str) -> Membership:
    """Return the member if they hold `permission` (403 otherwise, or without a member)."""
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    return membership


def access_in_workspace(membership, permission: str, queryset, code, name: str):
    """Return the row of `queryset` with this `code` in the member's workspace.

    403 when the member lacks `permission`; 404 when the workspace has no such row, which is
    also what another workspace's row and a malformed code look like.
    """
    require_member(membership, permission)
    try:
        found = queryset.filter(organization=membership.organization, code=code).first()
    except (ValidationError, ValueError):
        found = None
    if found is None:
        raise Http404(f"No such {name}.")
    return found


def member_required(permission: str):
    """Decorate a view: sign-in needed, then `permission` in the current workspace.

    The view receives the membership as its second argument.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = require(request, permission)
            return view(request, membership, *args, **kwargs)

        return wrapped

    return decorator
