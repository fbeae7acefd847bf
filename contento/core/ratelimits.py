"""Rate limits of public and sign-in endpoints (django-ratelimit, counted in the cache)."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


def public_rate(group, request):
    return settings.RATELIMIT_PUBLIC


def login_rate(group, request):
    return settings.RATELIMIT_LOGIN


def ratelimited(request, exception):
    """Answer a request over its rate limit with 429 and a plain explanation."""
    response = HttpResponse(
        _("Too many requests. Please wait a minute and try again."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response
