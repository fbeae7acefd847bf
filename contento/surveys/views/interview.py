"""Interviewer mode: a member asks a customer the survey's questions on the phone or in
person and writes down their answers and their own words.

The whole survey is one form (every question, its display logic decided in the browser as on
the public page); the response carries its mode and interviewer, so the dashboards can tell
these answers apart (people answer an interviewer more kindly).
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from contento.accounts.access import access_in_workspace, member_required
from contento.core.idempotency import IdempotencyKey
from contento.customers.models import Customer
from contento.surveys.access import access_survey
from contento.surveys.actions import IdempotencyConflict, ResponseRejected, do_record_interview
from contento.surveys.localize import localize
from contento.surveys.logic import referenced_keys
from contento.surveys.models import Response, Survey

INTERVIEW_MODES = [
    (Response.Mode.PHONE, Response.Mode.PHONE.label),
    (Response.Mode.IN_PERSON, Response.Mode.IN_PERSON.label),
]


def _questions(local, values: dict, errors: dict) -> list[dict]:
    keys = {lq.key for lq in local.questions}
    return [
        {
            "lq": lq,
            "value": values.get(lq.key),
            "error": errors.get(lq.key),
            # Every condition is decided in the browser: the whole survey is one page here.
            "live_logic": bool(referenced_keys(lq.question.logic) & keys),
            "points": lq.kind.points(lq.question) if lq.kind.has_scale else [],
        }
        for lq in local.questions
    ]


@member_required("response.submit")
def interview(request, membership, code, customer):
    survey = access_survey(membership, code, "response.submit")
    customer = get_object_or_404(
        Customer, organization=membership.organization, code=customer, erased_at__isnull=True
    )
    if survey.status != Survey.Status.LIVE:
        messages.error(request, _("Only a live survey can be asked."))
        return redirect("customers:detail", customer.code)
    language = request.POST.get("lang") or request.GET.get("lang") or customer.language
    if language not in survey.all_languages:
        language = survey.default_language
    mode = request.POST.get("mode") or request.GET.get("mode") or Response.Mode.PHONE
    if request.method == "GET" and mode not in dict(INTERVIEW_MODES):
        mode = Response.Mode.PHONE
    local = localize(survey, language)
    values, errors = {}, {}
    if request.method == "POST":
        try:
            do_record_interview(
                survey,
                data=request.POST,
                customer=customer,
                interviewer=membership,
                mode=mode,
                language=language,
                idempotency_key=IdempotencyKey.from_form(
                    request.POST.get("idempotency_key"), "survey-interview"
                ),
            )
        except ResponseRejected as rejected:
            errors = dict(rejected.errors)
            values = {
                lq.key: _posted(lq, request.POST) for lq in local.questions if lq.key not in errors
            }
        except IdempotencyConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("customers:detail", customer.code)
        else:
            messages.success(
                request,
                _("The answers of %(customer)s are saved.") % {"customer": customer.name},
            )
            return redirect("customers:detail", customer.code)
    return render(
        request,
        "surveys/interview.html",
        {
            "survey": survey,
            "local": local,
            "customer": customer,
            "questions": _questions(local, values, errors),
            "errors": errors,
            "mode": mode,
            "modes": INTERVIEW_MODES,
            "language": language,
            "languages": survey.all_languages,
        },
        status=400 if errors else 200,
    )


@member_required("response.submit")
def interview_start(request, membership):
    """From the customer's page or a ticket: the survey and mode chosen, on to the interview;
    without a survey, the choice of one."""
    customer = access_in_workspace(
        membership, "response.submit", Customer.objects, request.GET.get("customer"), "customer"
    )
    mode = request.GET.get("mode")
    if mode not in dict(INTERVIEW_MODES):
        mode = Response.Mode.PHONE
    if not request.GET.get("survey"):
        live = Survey.objects.filter(
            organization=membership.organization, status=Survey.Status.LIVE
        ).order_by("title", "pk")
        return render(
            request,
            "surveys/interview_choose.html",
            {"customer": customer, "surveys": live, "modes": INTERVIEW_MODES, "mode": mode},
        )
    survey = access_survey(membership, request.GET["survey"], "response.submit")
    return redirect(
        f"{reverse('surveys:interview', args=[survey.code, customer.code])}?mode={mode}"
    )


def _posted(lq, data):
    try:
        return lq.kind.parse_form(lq, data)
    except Exception:  # noqa: BLE001 - a value that does not parse is shown empty again
        return None
