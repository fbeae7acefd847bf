"""Permission-checked access to the current workspace.

Views never look objects up by user input directly: they call `require(request, permission)`
for the member, then an app's `access_<thing>(membership, code)` for the object, and these
raise 404 or 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from contento.accounts.models import Membership


def require(request, permission: str) -> Membership:
    """Return the signed-in member of the current workspace if they hold `permission`."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can(permission):
        raise PermissionDenied
    return membership


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
