"""Rate limits of public and sign-in endpoints (django-ratelimit, counted in the cache).

Limits count per client address. Behind a reverse proxy every request comes from the proxy, so
with `BEHIND_PROXY` the address is read from `X-Forwarded-For`, where each of the
`TRUSTED_PROXY_COUNT` proxies in front of Contento appended the address it was reached from:
the client is the entry that many places from the right (what Werkzeug's ProxyFix and Rails
do). Entries further left were written by the client itself and are never trusted.
"""

import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _


def client_ip(request) -> str:
    """Return the address of the client, as far as the trusted proxies say."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a unix socket
    if not settings.BEHIND_PROXY:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    count = settings.TRUSTED_PROXY_COUNT
    if count < 1 or len(forwarded) < count:
        return remote  # not every proxy spoke: the nearest one is all we know
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate.strip("[]")))
    except ValueError:
        return remote


def public_rate(group, request):
    return settings.RATELIMIT_PUBLIC


def poll_rate(group, request):
    """What a page that polls for news (a live chat) may ask, per client."""
    return settings.RATELIMIT_POLL


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
