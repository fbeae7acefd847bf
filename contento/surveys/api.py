"""Survey endpoints of the REST API."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import Http404
from ninja import Body, Header, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from contento.accounts import audit
from contento.accounts.access import require_member
from contento.core.api import Date, MappedPage, Pagination, choice_of, documented_body, one_of
from contento.core.idempotency import IdempotencyKey
from contento.customers.models import Customer
from contento.surveys import definition
from contento.surveys.access import access_survey
from contento.surveys.actions import (
    do_create_survey,
    do_set_survey_status,
    do_submit_response,
    do_update_survey,
    stored_values,
)
from contento.surveys.localize import localize
from contento.surveys.metrics import Filters, completion, question_metrics
from contento.surveys.models import Response, Survey
from contento.surveys.schemas import (
    MetricsOut,
    ResponseIn,
    ResponseOut,
    StatusIn,
    SurveyDefinition,
    SurveyDetailOut,
    SurveyOut,
)

router = Router(tags=["surveys"])


def _survey_out(survey: Survey, with_definition: bool = False) -> dict:
    out = {
        "code": survey.code,
        "title": survey.title,
        "status": survey.status,
        "default_language": survey.default_language,
        "languages": survey.all_languages,
        "created_at": survey.created_at,
        "updated_at": survey.updated_at,
        "public_url": survey.organization.public_link(survey.get_public_url()),
    }
    if with_definition:
        out["definition"] = definition.export(survey)
    return out


@router.get("/surveys", response=list[SurveyOut], summary="List the workspace's surveys")
def list_surveys(request):
    membership = require_member(request.auth, "survey.view")
    return [_survey_out(s) for s in Survey.objects.filter(organization=membership.organization)]


@router.post(
    "/surveys", response={201: SurveyDetailOut}, summary="Create a survey from a JSON definition"
)
@documented_body(SurveyDefinition)
def create_survey(request, payload: dict[str, Any] = Body(...)):
    membership = require_member(request.auth, "survey.edit")
    survey = do_create_survey(membership.organization, payload, user=membership.user)
    return Status(201, _survey_out(survey, with_definition=True))


@router.get("/surveys/{code}", response=SurveyDetailOut, summary="Read a survey and its definition")
def get_survey(request, code: UUID):
    return _survey_out(access_survey(request.auth, code, "survey.view"), with_definition=True)


@router.put("/surveys/{code}", response=SurveyDetailOut, summary="Replace a survey's definition")
@documented_body(SurveyDefinition)
def update_survey(request, code: UUID, payload: dict[str, Any] = Body(...)):
    survey = access_survey(request.auth, code, "survey.edit")
    survey = do_update_survey(survey, payload)
    return _survey_out(survey, with_definition=True)


@router.post(
    "/surveys/{code}/status", response=SurveyOut, summary="Publish, close or reopen a survey"
)
def set_status(request, code: UUID, payload: StatusIn):
    survey = access_survey(request.auth, code, "survey.edit")
    before = survey.status
    try:
        do_set_survey_status(survey, payload.status)
    except ValueError as error:
        raise HttpError(422, str(error)) from None
    audit.record(request.auth, "survey.status", survey, before=before, after=survey.status)
    return _survey_out(survey)


def _response_out(response: Response, values: dict) -> dict:
    return {
        "code": response.code,
        "status": response.status,
        "source": response.source,
        "language": response.language,
        "customer": response.customer.code if response.customer_id else None,
        "started_at": response.started_at,
        "completed_at": response.completed_at,
        "answers": values,
    }


@router.get(
    "/surveys/{code}/responses", response=list[ResponseOut], summary="List responses, newest first"
)
@paginate(Pagination)
def list_responses(request, code: UUID, status: choice_of(Response, "status") | None = Query(None)):
    survey = access_survey(request.auth, code, "survey.view")
    local = localize(survey, survey.default_language)
    responses = (
        survey.responses.select_related("customer")
        .prefetch_related("answers")
        .order_by("-started_at", "-pk")
    )
    if status:
        responses = responses.filter(status=status)
    return MappedPage(responses, lambda r: _response_out(r, stored_values(r, local)))


@router.post(
    "/surveys/{code}/responses",
    response={200: ResponseOut, 201: ResponseOut},
    summary="Submit a complete response",
    description=(
        "Answers are keyed by question key. Send an `Idempotency-Key` header to make retries "
        "safe: the same key and body return the first response (200) instead of creating "
        "another; the same key with another body is refused (409)."
    ),
)
def submit_response(
    request,
    code: UUID,
    payload: ResponseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    survey = _submit_target(request.auth, code)
    customer = None
    if payload.customer:
        customer = Customer.objects.filter(
            organization=survey.organization_id, code=payload.customer
        ).first()
        if customer is None:
            raise Http404("No such customer in this workspace.")
    response, created = do_submit_response(
        survey,
        answers=payload.answers,
        language=payload.language,
        customer=customer,
        idempotency_key=IdempotencyKey.for_member(request.auth, idempotency_key),
    )
    local = localize(survey, survey.default_language)
    return Status(201 if created else 200, _response_out(response, stored_values(response, local)))


def _submit_target(membership, code) -> Survey:
    survey = access_survey(membership, code, "response.submit")
    if survey.status == Survey.Status.CLOSED:
        raise HttpError(409, "The survey is closed.")
    return survey


@router.get(
    "/surveys/{code}/metrics", response=MetricsOut, summary="NPS, CSAT and CES with 95% intervals"
)
def metrics(
    request,
    code: UUID,
    since: Date | None = Query(None),
    until: Date | None = Query(None),
    language: one_of(code for code, _name in settings.LANGUAGES) | None = Query(None),
):
    survey = access_survey(request.auth, code, "survey.view")
    filters = Filters(since, until, language)
    local = localize(survey, survey.default_language)
    out = []
    for metric in question_metrics(local, filters):
        est = metric["estimate"]
        out.append(
            {
                "question": metric["key"],
                "kind": metric["kind"],
                "value": est.value if est else None,
                "lower": est.lower if est else None,
                "upper": est.upper if est else None,
                "confidence": est.confidence if est else 0.95,
                "method": est.method if est else None,
                "n": metric["n"],
                "counts": {str(k): v for k, v in metric["counts"].items()},
            }
        )
    done = completion(survey, filters)
    return {
        "survey": survey.code,
        "responses_started": done["started"],
        "responses_completed": done["complete"],
        "metrics": out,
    }
