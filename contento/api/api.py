"""The REST API under /api/v1/ (django-ninja; OpenAPI schema at /api/v1/openapi.json).

Errors are JSON objects with a `detail` message and the fitting status code.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from contento.api.auth import MemberSessionAuth, TokenAuth
from contento.core.api import Api, Parser, field_errors
from contento.core.errors import is_database_outage, unavailable
from contento.core.idempotency import IdempotencyKeyError
from contento.customers.api import router as customers_router
from contento.support.api import router as support_router
from contento.surveys.actions import IdempotencyConflict, ResponseRejected
from contento.surveys.api import router as surveys_router
from contento.surveys.definition import InvalidDefinition

log = logging.getLogger(__name__)

api = Api(
    title="Contento API",
    version="1",
    description=(
        "Surveys, responses and satisfaction metrics; support tickets and their messages; "
        "customers, companies, products, purchases and subscriptions. "
        "Authenticate with a personal API token: "
        "`Authorization: Bearer <token>` (create one under API tokens, or with "
        "`contento createtoken <email>`)."
    ),
    auth=[TokenAuth(), MemberSessionAuth()],
    urls_namespace="api",
    parser=Parser(),
)
api.add_router("/", surveys_router)
api.add_router("/", support_router)
api.add_router("/", customers_router)


def _error(request, message, status, **extra):
    return api.create_response(request, {"detail": message, **extra}, status=status)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(
        request,
        "Authentication required: send a valid API token as 'Authorization: Bearer <token>'.",
        401,
    )


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1000
    return _error(request, f"The request body is larger than {limit} kB.", 413)


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request, exc):
    return _error(request, "The request is malformed.", 400)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, "Your role in this workspace does not allow this.", 403)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, str(exc) or "Not found.", 404)


@api.exception_handler(ValidationError)
def on_invalid(request, exc):
    return _error(request, "The request is not valid.", 422, errors=field_errors(exc.errors))


@api.exception_handler(DjangoValidationError)
def on_refused(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, "The request is not valid.", 422, errors=errors)


@api.exception_handler(InvalidDefinition)
def on_invalid_definition(request, exc):
    return _error(
        request,
        "The survey definition is not valid.",
        422,
        errors=[e.as_dict() for e in exc.errors],
    )


@api.exception_handler(ResponseRejected)
def on_rejected(request, exc):
    return _error(request, "Some answers are not valid.", 422, errors=exc.errors)


@api.exception_handler(IdempotencyKeyError)
def on_bad_idempotency_key(request, exc):
    return _error(request, str(exc), 422)


@api.exception_handler(IdempotencyConflict)
def on_conflict(request, exc):
    return _error(request, str(exc), 409)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    if is_database_outage(exc):
        log.warning("API unavailable: the database cannot be reached", extra={"path": request.path})
        return unavailable(request)
    log.exception("API error", extra={"path": request.path})
    return _error(request, "Something went wrong on our side; it has been logged.", 500)
