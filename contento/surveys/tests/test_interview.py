"""Interviewer mode: a member records a customer's answers on the phone or in person; the
response carries its mode and interviewer, and the dashboard tells the modes apart."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from contento import stats
from contento.accounts.models import Membership
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.surveys.actions import ResponseRejected, do_record_interview, do_submit_response
from contento.surveys.localize import localize
from contento.surveys.metrics import Filters
from contento.surveys.models import Response
from contento.surveys.modes import split_by_mode


@pytest.fixture
def ana(personas):
    return do_create_customer(
        personas.org, name="Ana Pérez", email="ana@example.net", language="es"
    )


def _form(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in fields.items():
        data[key] = value
    return data


def test_an_agent_records_a_phone_interview_once(personas, live_survey, ana):
    agent = personas.client(Role.AGENT)
    start = agent.get(
        reverse("surveys:interview_start"),
        {"survey": str(live_survey.code), "customer": str(ana.code), "mode": "in_person"},
    )
    path = reverse("surveys:interview", args=[live_survey.code, ana.code])
    assert start["Location"] == f"{path}?mode=in_person"
    page = agent.get(start["Location"]).content.decode()
    assert "¿Nos recomendaría?" in page  # the customer's language
    assert 'name="q-csat"' in page  # every page of the survey on one form
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {"mode": "phone", "lang": "es", "q-nps": "9", "q-why": "Me atendieron bien.",
            "idempotency_key": key}  # fmt: skip
    saved = agent.post(path, form)
    assert saved["Location"] == reverse("customers:detail", args=[ana.code])
    agent.post(path, form)  # a double click
    response = Response.objects.get()
    assert (response.mode, response.source, response.customer) == ("phone", "interview", ana)
    assert response.interviewer == Membership.objects.get(user=personas.members[Role.AGENT])
    assert response.status == Response.Status.COMPLETE
    assert response.answers.get(question__key="why").text == "Me atendieron bien."


def test_a_missing_answer_is_said_and_nothing_is_saved(personas, live_survey, ana):
    agent = personas.client(Role.AGENT)
    path = reverse("surveys:interview", args=[live_survey.code, ana.code])
    refused = agent.post(path, {"mode": "phone", "q-why": "Kept"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "This question needs an answer." in html and "Kept" in html
    assert not Response.objects.exists()
    with pytest.raises(ResponseRejected, match="how the customer answered"):
        do_record_interview(
            live_survey,
            data=_form(**{"q-nps": "3"}),
            customer=ana,
            interviewer=Membership.objects.get(user=personas.owner),
            mode="self",
        )


def test_who_may_interview(personas, live_survey, ana):
    path = reverse("surveys:interview", args=[live_survey.code, ana.code])
    assert personas.client(Role.ANALYST).get(path).status_code == 403
    assert personas.client(personas.outsider).get(path).status_code == 404
    other = do_create_customer(personas.other_org, name="Zed", email="zed@example.net")
    foreign = reverse("surveys:interview", args=[live_survey.code, other.code])
    assert personas.client(Role.AGENT).get(foreign).status_code == 404
    start = reverse("surveys:interview_start")
    assert (
        personas.client(Role.AGENT).get(start, {"survey": "x", "customer": "y"}).status_code == 404
    )


def test_the_customer_page_offers_the_interview(personas, live_survey, ana):
    page = personas.client(Role.AGENT).get(reverse("customers:detail", args=[ana.code]))
    assert reverse("surveys:interview_start") in page.content.decode()
    analyst = personas.client(Role.ANALYST).get(reverse("customers:detail", args=[ana.code]))
    assert reverse("surveys:interview_start") not in analyst.content.decode()


def test_a_ticket_offers_the_interview_and_the_choice_of_survey(personas, live_survey, ana):
    from contento.support.actions.tickets import do_create_ticket

    ticket = do_create_ticket(
        personas.org, customer=ana, subject="Router", body="It blinks.", channel="in_person"
    )
    agent = personas.client(Role.AGENT)
    page = agent.get(ticket.get_absolute_url()).content.decode()
    start = reverse("surveys:interview_start")
    link = f"{start}?customer={ana.code}&amp;mode=in_person"
    assert link in page
    choose = agent.get(start, {"customer": str(ana.code), "mode": "in_person"})
    body = choose.content.decode()
    assert f'value="{live_survey.code}"' in body
    assert '<option value="in_person" selected>' in body
    chosen = agent.get(
        start, {"customer": str(ana.code), "mode": "in_person", "survey": str(live_survey.code)}
    )
    assert chosen["Location"] == (
        reverse("surveys:interview", args=[live_survey.code, ana.code]) + "?mode=in_person"
    )
    assert personas.client(Role.ANALYST).get(start, {"customer": str(ana.code)}).status_code == 403
    assert (
        personas.client(personas.outsider).get(start, {"customer": str(ana.code)}).status_code
        == 404
    )


def test_the_dashboard_splits_and_filters_by_mode(personas, live_survey, ana):
    member = Membership.objects.get(user=personas.owner)
    alone = [10, 9, 6, 3, 7, 2]
    asked = [10, 10, 9, 9, 8]
    for score in alone:
        answers = {"nps": score, **({"fix": "x"} if score <= 6 else {})}
        do_submit_response(live_survey, answers=answers, customer=ana)
    for score in asked:
        do_record_interview(
            live_survey, data=_form(**{"q-nps": str(score)}), customer=ana,
            interviewer=member, mode="in_person",
        )  # fmt: skip
    split = split_by_mode(localize(live_survey, "en"), Filters())
    expected_alone = stats.nps(alone)
    expected_asked = stats.nps(asked)
    assert split.self_completed.value == pytest.approx(expected_alone.value)
    assert split.interviewed.value == pytest.approx(expected_asked.value)
    difference = stats.nps_difference(expected_asked, expected_alone)
    assert (split.difference.value, split.difference.lower) == pytest.approx(
        (difference.value, difference.lower)
    )
    page = personas.client(Role.OWNER).get(reverse("surveys:dashboard", args=[live_survey.code]))
    assert "Alone or with an interviewer" in page.content.decode()
    only = personas.client(Role.OWNER).get(
        reverse("surveys:responses", args=[live_survey.code]), {"mode": "in_person"}
    )
    assert only.content.decode().count("Ana Pérez") == len(asked)


def test_a_survey_and_a_customer_have_qr_codes_to_print(personas, live_survey, ana):
    owner = personas.client(Role.OWNER)
    for kind, mime in (("svg", "image/svg+xml"), ("png", "image/png")):
        qr = owner.get(reverse("surveys:qr", args=[live_survey.code, kind]))
        assert (qr.status_code, qr["Content-Type"]) == (200, mime)
    assert owner.get(reverse("surveys:qr", args=[live_survey.code, "gif"])).status_code == 404
    assert (
        personas.client(Role.AGENT)
        .get(reverse("surveys:qr", args=[live_survey.code, "svg"]))
        .status_code
        == 403
    )
    assert (
        personas.client(personas.outsider)
        .get(reverse("surveys:qr", args=[live_survey.code, "svg"]))
        .status_code
        == 404
    )
    page = owner.get(reverse("customers:detail", args=[ana.code])).content.decode()
    assert "QR code of the personal link" in page and "<svg" in page
