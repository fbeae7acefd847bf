"""Pages a business puts inside its own website (the web widget).

Such a page is framed by another site, where the browser gives it no cookies (a third-party
frame): it must work without the session or the CSRF cookie. Only pages that need neither are
embeddable: anonymous forms, whose own signed fields stop a forged or replayed post, and pages
reached through an unguessable link (a customer's ticket), which a forger cannot know.
"""

from functools import wraps

from csp.decorators import csp_replace
from django.views.decorators.csrf import csrf_exempt


def embeddable(view):
    """Serve `view` for the widget: any site may frame it, and it needs no cookie.

    The view sees `request.embedded` set, to keep links inside the widget and set no cookie.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.embedded = True
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True
        # The forms' CSRF fields are not checked here: set no CSRF cookie for them either.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    return csrf_exempt(csp_replace({"frame-ancestors": ["*"]})(wrapped))


def is_embedded(request) -> bool:
    return getattr(request, "embedded", False)
