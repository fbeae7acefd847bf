"""A survey's life: preview with test answers, copy, archive, delete; one response's page,
the response list and the dashboard's filters."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import FULL_DEFINITION
from contento.accounts.models import AuditEvent
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.surveys import rollups
from contento.surveys.actions import (
    do_create_survey,
    do_delete_response,
    do_set_survey_status,
    do_submit_response,
)
from contento.surveys.localize import localize
from contento.surveys.metrics import AnswerFilter, Filters, question_metrics
from contento.surveys.models import (
    Answer,
    MonthlyScoreCount,
    PairMoment,
    Response,
    ScoreCount,
    Survey,
)
from contento.surveys.tests.test_public import PAGE_2, form_fields


def _preview(client, survey, **query):
    return client.get(reverse("surveys:preview", args=[survey.code]), query)


def _answer_in_preview(client, survey, nps="3"):
    path = reverse("surveys:preview", args=[survey.code])
    fields = form_fields(_preview(client, survey).content.decode())
    client.post(path, {**fields, "q-nps": nps, "q-why": "testing"})
    fields = form_fields(client.get(path).content.decode())
    client.post(path, {**fields, **PAGE_2})
    fields = form_fields(client.get(path).content.decode())
    return client.post(path, {**fields, "q-fix": "nothing"})


def _nps_n(survey) -> int:
    [nps] = [m for m in question_metrics(localize(survey, "en"), Filters()) if m["key"] == "nps"]
    return nps["n"]


def test_a_draft_is_previewed_in_each_language_and_its_answers_are_tests(personas, survey):
    client = personas.client(Role.MANAGER)
    spanish = _preview(client, survey, lang="es")
    assert spanish.status_code == 200
    assert spanish["Content-Language"] == "es"
    assert "¿Nos recomendaría?" in spanish.content.decode()
    _answer_in_preview(client, survey)
    test = Response.all_objects.get(survey=survey)
    assert test.is_test
    assert test.status == Response.Status.COMPLETE
    assert Answer.all_objects.filter(response=test).exists()
    assert not Response.objects.filter(survey=survey).exists()
    assert not Answer.objects.filter(survey=survey).exists()
    assert not ScoreCount.objects.filter(survey=survey).exists()
    assert _nps_n(survey) == 0
    assert survey.status == Survey.Status.DRAFT
    assert Client().get(reverse("public:open", args=[survey.code])).status_code == 404


def test_the_test_answers_can_be_deleted(personas, survey):
    client = personas.client(Role.MANAGER)
    _answer_in_preview(client, survey)
    client.post(reverse("surveys:delete_tests", args=[survey.code]))
    assert not Response.all_objects.filter(survey=survey).exists()
    assert not Answer.all_objects.filter(survey=survey).exists()


def test_a_preview_form_cannot_carry_on_as_a_real_response(personas, live_survey):
    client = personas.client(Role.MANAGER)
    fields = form_fields(_preview(client, live_survey).content.decode())
    public = reverse("public:open", args=[live_survey.code])
    reply = client.post(public, {**fields, "q-nps": "9"})
    assert reply.status_code == 400
    assert not Response.all_objects.filter(survey=live_survey).exists()


@pytest.mark.parametrize("role", [Role.AGENT])
def test_only_survey_viewers_preview(personas, survey, role):
    assert _preview(personas.client(role), survey).status_code == 403
    assert _preview(personas.client(personas.outsider), survey).status_code == 404
    assert _preview(Client(), survey).status_code == 302


def test_a_survey_is_copied_with_or_without_its_translations(personas, survey):
    do_submit_response(survey, answers={"nps": 9})
    client = personas.client(Role.MANAGER)
    client.post(reverse("surveys:copy", args=[survey.code]), {"translations": "1"})
    client.post(reverse("surveys:copy", args=[survey.code]))
    copies = Survey.objects.exclude(pk=survey.pk).order_by("pk")
    assert [c.title for c in copies] == ["Copy of Customer survey", "Copy of Customer survey"]
    assert copies[0].languages == ["en", "es"]
    assert copies[0].translations.get(language="es").title == "Copia de Encuesta de clientes"
    assert copies[1].languages == ["en"]
    assert not copies[1].translations.exists()
    assert copies[1].questions.count() == survey.questions.count()
    assert all(c.status == Survey.Status.DRAFT for c in copies)
    assert not Response.objects.filter(survey__in=copies).exists()


def test_an_archived_survey_leaves_the_list_and_answers_no_one(personas, live_survey):
    client = personas.client(Role.MANAGER)
    do_set_survey_status(live_survey, "closed")
    client.post(reverse("surveys:status", args=[live_survey.code]), {"status": "archived"})
    live_survey.refresh_from_db()
    assert live_survey.status == Survey.Status.ARCHIVED
    listed = client.get(reverse("surveys:list")).content.decode()
    archived = client.get(reverse("surveys:list"), {"archived": "1"}).content.decode()
    assert "Customer survey" not in listed
    assert "Customer survey" in archived
    assert Client().get(reverse("public:open", args=[live_survey.code])).status_code == 404


def test_a_survey_is_deleted_with_its_responses_after_its_title_is_typed(personas, survey):
    do_submit_response(survey, answers={"nps": 9})
    client = personas.client(Role.MANAGER)
    path = reverse("surveys:delete", args=[survey.code])
    wrong = client.post(path, {"confirm": "Customer"})
    assert "exactly" in wrong.content.decode()
    assert Survey.objects.filter(pk=survey.pk).exists()
    client.post(path, {"confirm": "Customer survey"})
    assert not Survey.objects.filter(pk=survey.pk).exists()
    assert not Answer.all_objects.filter(survey_id=survey.pk).exists()
    assert not ScoreCount.objects.filter(survey_id=survey.pk).exists()
    event = AuditEvent.objects.get(action="survey.deleted")
    assert event.detail == {"responses": 1}


def test_analysts_cannot_delete(personas, survey):
    response, _new = do_submit_response(survey, answers={"nps": 9})
    client = personas.client(Role.ANALYST)
    path = reverse("surveys:delete", args=[survey.code])
    assert client.post(path, {"confirm": "Customer survey"}).status_code == 403
    gone = reverse("surveys:response_delete", args=[survey.code, response.code])
    assert client.post(gone).status_code == 403
    assert Response.objects.filter(pk=response.pk).exists()


def _counts(survey):
    score = sorted(
        ScoreCount.objects.filter(survey=survey, n__gt=0).values_list(
            "question_id", "item_key", "part", "day", "dimension", "dimension_value", "value", "n"
        )
    )
    month = sorted(
        MonthlyScoreCount.objects.filter(survey=survey, n__gt=0).values_list(
            "question_id", "item_key", "part", "month", "dimension", "value", "n"
        )
    )
    pairs = sorted(
        PairMoment.objects.filter(survey=survey, n__gt=0).values_list(
            "var_a", "var_b", "dimension", "n", "sum_a", "sum_b", "sum_ab"
        )
    )
    return score, month, pairs


def test_deleting_a_response_takes_it_out_of_every_count(personas, survey):
    answers = {"nps": 3, "csat": 2, "ces": 5, "drivers": {"speed": 4, "price": 1}, "fix": "x"}
    keep, _new = do_submit_response(survey, answers={"nps": 9, "csat": 5, "ces": 7})
    gone, _new = do_submit_response(survey, answers=answers)
    assert _nps_n(survey) == 2
    client = personas.client(Role.MANAGER)
    client.post(reverse("surveys:response_delete", args=[survey.code, gone.code]))
    assert not Response.objects.filter(pk=gone.pk).exists()
    assert _nps_n(survey) == 1
    incremental = _counts(survey)
    rollups.rebuild(survey)
    assert _counts(survey) == incremental
    event = AuditEvent.objects.get(action="response.deleted")
    assert event.object_code == str(gone.code)
    assert keep.pk


def test_deleting_a_partial_response_keeps_the_counts_right(personas, live_survey):
    client = Client()
    public = reverse("public:open", args=[live_survey.code])
    fields = form_fields(client.get(public).content.decode())
    client.post(public, {**fields, "q-nps": "4"})
    partial = Response.objects.get(survey=live_survey)
    assert _nps_n(live_survey) == 1
    do_delete_response(partial)
    assert _nps_n(live_survey) == 0
    incremental = _counts(live_survey)
    rollups.rebuild(live_survey)
    assert _counts(live_survey) == incremental


def test_a_response_has_its_own_page(personas, survey):
    customer = do_create_customer(personas.org, name="Lan Pham", email="lan@example.vn")
    response, _new = do_submit_response(
        survey,
        answers={"nps": 4, "why": "Chậm quá", "drivers": {"speed": 2}, "fix": "<b>speed</b>"},
        language="es",
        customer=customer,
    )
    path = reverse("surveys:response", args=[survey.code, response.code])
    page = personas.client(Role.MANAGER).get(path).content.decode()
    assert "Chậm quá" in page
    assert "Lan Pham" in page
    assert reverse("customers:detail", args=[customer.code]) in page
    assert "&lt;b&gt;speed&lt;/b&gt;" in page
    assert "Speed" in page  # the matrix item by its label
    assert "¿Nos recomendaría?" in page  # in the response's language
    assert personas.client(personas.outsider).get(path).status_code == 404
    assert personas.client(Role.AGENT).get(path).status_code == 403


def _nps_survey(personas):
    survey = do_create_survey(personas.org, FULL_DEFINITION, user=personas.owner)
    customers = [
        do_create_customer(personas.org, name=f"C{i}", email=f"c{i}@example.net") for i in range(4)
    ]
    customers[0].attributes = {"plan": "business"}
    customers[0].save()
    for score, plan, customer in zip(
        (2, 6, 9, 10), ("basic", "pro", "pro", "basic"), customers, strict=True
    ):
        do_submit_response(
            survey, answers={"nps": score, "plan": plan, "fix": "x"}, customer=customer
        )
    return survey


def test_the_response_list_filters_by_answer_and_attribute(personas):
    survey = _nps_survey(personas)
    client = personas.client(Role.ANALYST)
    path = reverse("surveys:responses", args=[survey.code])
    detractors = client.get(path, {"question": "nps", "op": "le", "value": "6"})
    assert "2 responses" in detractors.content.decode()
    chose = client.get(path, {"question": "plan", "value": "Pro"})
    assert "2 responses" in chose.content.decode()
    business = client.get(path, {"attribute": "plan", "attribute_value": "business"})
    assert "1 response" in business.content.decode()
    wrong = client.get(path, {"question": "nps", "value": "eleven"})
    assert wrong.status_code == 200
    assert "score from 0 to 10" in wrong.content.decode()


def test_the_dashboard_counts_only_the_filtered_responses_and_flags_small_samples(personas):
    survey = _nps_survey(personas)
    filters = Filters(answer=AnswerFilter("plan", "chose", "pro"))
    assert filters.responses(survey).count() == 2
    [nps] = [m for m in question_metrics(localize(survey, "en"), filters) if m["key"] == "nps"]
    assert nps["counts"][6] == 1
    assert nps["counts"][9] == 1
    assert nps["n"] == 2
    page = personas.client(Role.ANALYST).get(
        reverse("surveys:dashboard", args=[survey.code]), {"question": "plan", "value": "pro"}
    )
    body = page.content.decode()
    assert "Small sample (n = 2)" in body


@pytest.mark.parametrize(
    ("method", "name", "with_response"),
    [
        ("get", "surveys:responses", False),
        ("get", "surveys:response", True),
        ("post", "surveys:response_delete", True),
        ("get", "surveys:preview", False),
        ("post", "surveys:copy", False),
        ("post", "surveys:delete", False),
        ("post", "surveys:delete_tests", False),
    ],
)
def test_another_workspace_reaches_none_of_the_lifecycle_pages(
    personas, survey, method, name, with_response
):
    response, _new = do_submit_response(survey, answers={"nps": 9})
    args = [survey.code, response.code] if with_response else [survey.code]
    outsider = personas.client(personas.outsider)
    reply = getattr(outsider, method)(reverse(name, args=args), {"confirm": "Customer survey"})
    assert reply.status_code == 404
    assert Survey.objects.filter(pk=survey.pk).exists()
    assert Survey.objects.count() == 1
    assert Response.objects.filter(pk=response.pk).exists()
