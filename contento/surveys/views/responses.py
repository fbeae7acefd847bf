"""A survey's responses: the list (with the dashboard's filters) and one response's page."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.core.paging import paginate
from contento.surveys.access import access_survey
from contento.surveys.actions import do_delete_response, stored_values
from contento.surveys.localize import display_language, localize
from contento.surveys.models import Answer, Response
from contento.surveys.views.dashboard import SENTIMENT_LABELS, filter_form

PER_PAGE = 50
HEADLINE_KINDS = ("nps", "csat", "ces")
PART_LABELS = dict(Answer.Part.choices)


@member_required("survey.view")
def response_list(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    local = localize(survey, display_language(request, survey))
    form = filter_form(request, local)
    responses = (
        form.filters().responses(survey).select_related("customer").order_by("-started_at", "-pk")
    )
    page, query = paginate(request, responses, PER_PAGE)
    headline = next((lq for lq in local.questions if lq.question.kind in HEADLINE_KINDS), None)
    scores, comments = {}, {}
    answers = Answer.objects.filter(response__in=list(page.object_list)).filter(
        question__kind__in=[*HEADLINE_KINDS, "text"]
    )
    for response_id, question_id, value, text in answers.values_list(
        "response_id", "question_id", "value", "text"
    ).order_by("pk"):
        if headline and question_id == headline.question.id:
            scores[response_id] = value
        elif text and response_id not in comments:
            comments[response_id] = text
    return render(
        request,
        "surveys/responses.html",
        {
            "survey": survey,
            "local": local,
            "form": form,
            "page": page,
            "rows": [
                (response, scores.get(response.pk), comments.get(response.pk, ""))
                for response in page.object_list
            ],
            "headline": headline,
            "query": query,
        },
    )


def _response(survey, response_code) -> Response:
    try:
        code = uuid.UUID(str(response_code))
    except ValueError:
        raise Http404("No such response.") from None
    response = (
        Response.all_objects.filter(survey=survey, code=code).select_related("customer").first()
    )
    if response is None:
        raise Http404("No such response.")
    return response


@member_required("survey.view")
def response_detail(request, membership, code, response_code):
    """Every answer of one response, its language and customer, what was read in its
    comments, and what can follow."""
    survey = access_survey(membership, code, "survey.view")
    response = _response(survey, response_code)
    language = request.GET.get("lang")
    if language not in survey.all_languages:
        language = response.language if response.language in survey.all_languages else None
    local = localize(survey, language or display_language(request, survey))
    values = stored_values(response, local)
    readings = {
        answer.question_id: answer
        for answer in Answer.all_objects.filter(response=response, question__kind="text")
        .exclude(text="")
        .select_related("theme")
    }
    rows = []
    for lq in local.questions:
        if lq.key not in values:
            continue
        cells = lq.kind.cells(lq, values[lq.key])
        columns = lq.kind.columns(lq)
        parts = [
            (_part_label(lq, column) if len(cells) > 1 else "", cell)
            for column, cell in zip(columns, cells, strict=False)
            if cell not in ("", None)
        ]
        reading = readings.get(lq.question.id)
        rows.append(
            {
                "lq": lq,
                "parts": parts,
                "reading": reading,
                "sentiment": SENTIMENT_LABELS.get(reading.sentiment, "") if reading else "",
            }
        )
    return render(
        request,
        "surveys/response.html",
        {"survey": survey, "local": local, "response": response, "rows": rows},
    )


def _part_label(lq, column: str) -> str:
    """What a column of a many-column answer is: a matrix item, or a part of the answer."""
    inner = column[len(lq.key) + 1 : -1] if column.endswith("]") else column
    if lq.question.kind == "matrix":
        return lq.choice_label(inner)
    return str(PART_LABELS.get(inner, inner))


@require_POST
@member_required("survey.delete")
def response_delete(request, membership, code, response_code):
    survey = access_survey(membership, code, "survey.delete")
    response = _response(survey, response_code)
    do_delete_response(response)
    if not response.is_test:
        audit.record(membership, "response.deleted", response, survey=str(survey.code))
    messages.success(request, _("The response is deleted; the figures no longer count it."))
    return redirect("surveys:responses", survey.code)
