"""The site's own error pages: plain, in the visitor's language, and needing no database.

When the database is unreachable (a restart, a failover) every page would otherwise answer
500; such a failure is temporary, so it answers 503 with `Retry-After`, which browsers,
proxies and API clients understand as "try again shortly".
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_ERRORS)


def unavailable(request) -> HttpResponse:
    """Return 503 with Retry-After: JSON for the API, a short page in the visitor's language."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The service is briefly unavailable; try again in a moment."}, status=503
        )
    else:
        response = _page(request, "503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request) -> HttpResponse:
    """Django's handler500: a database outage is a 503, anything else a plain 500 page."""
    if is_database_outage(sys.exc_info()[1]):
        return unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": "Something went wrong on our side; it has been logged."}, status=500
        )
    return _page(request, "500.html", 500)


def _page(request, template: str, status: int) -> HttpResponse:
    # Only the request's headers and cookies decide the language: no session, no database.
    language = translation.get_language_from_request(request, check_path=False)
    with translation.override(language):
        html = render_to_string(template, {"language": language})
    return HttpResponse(html, status=status)
