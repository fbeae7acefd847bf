"""Pages a business puts inside its own website (the web widget).

Such a page is framed by another site, where the browser gives it no cookies (a third-party
frame): it must work without the session or the CSRF cookie. Only pages that need neither are
embeddable: anonymous forms, whose own signed fields stop a forged or replayed post, and pages
reached through an unguessable link (a customer's ticket), which a forger cannot know.
"""

from functools import wraps

from django.views.decorators.csrf import csrf_exempt


def embeddable(view):
    """Serve `view` for the widget: framed by the workspace's sites (any site when it names
    none), and needing no cookie.

    The view sees `request.embedded` set, to keep links inside the widget and set no cookie,
    and calls `allow_framing_by(request, organization)` to say whose sites may frame it.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.embedded = True
        response = view(request, *args, **kwargs)
        response.xframe_options_exempt = True
        origins = getattr(request, "frame_origins", None) or ["*"]
        response._csp_replace = {"frame-ancestors": origins}  # read by django-csp
        # The forms' CSRF fields are not checked here: set no CSRF cookie for them either.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
        return response

    return csrf_exempt(wrapped)


def allow_framing_by(request, organization) -> None:
    """Let only the workspace's own sites frame this page, when it lists them."""
    request.frame_origins = list(getattr(organization, "widget_origins", None) or [])


def is_embedded(request) -> bool:
    return getattr(request, "embedded", False)
