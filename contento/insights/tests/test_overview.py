"""The workspace overview page, from the score counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contento.accounts.roles import Role
from contento.insights.overview import by_dimension, by_month
from contento.surveys.actions import do_submit_response


def _answer(survey, nps, language="en", days_ago=0):
    answers = {"nps": nps, "fix": "x"} if nps <= 6 else {"nps": nps}
    do_submit_response(
        survey, answers=answers, language=language, at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_by_month_and_by_language(personas, live_survey):
    for nps in (10, 10, 9, 3):  # this month: 3 promoters, 1 detractor of 4 -> 50
        _answer(live_survey, nps, "es")
    for nps in (0, 5):  # about two months ago: 2 detractors -> -100
        _answer(live_survey, nps, "en", days_ago=62)
    months = by_month(personas.org, "nps")
    assert len(months) == 12
    assert months[-1].label == timezone.localdate().strftime("%Y-%m")
    assert months[-1].figure.value == pytest.approx(50.0)
    assert months[-1].n == 4
    two_ago = [m for m in months if m.n == 2]
    assert len(two_ago) == 1
    assert two_ago[0].figure.value == pytest.approx(-100.0)
    assert sum(m.n for m in months) == 6
    languages = {s.label: s for s in by_dimension(personas.org, "nps", "language")}
    assert languages["es"].figure.value == pytest.approx(50.0)
    assert languages["en"].n == 2
    assert by_month(personas.other_org, "nps")[-1].n == 0  # nothing leaks across workspaces


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.OWNER, 200),
        (Role.MANAGER, 200),
        (Role.ANALYST, 200),
        (Role.AGENT, 403),
    ],
)
def test_overview_page_by_role(personas, live_survey, role, status):
    _answer(live_survey, 9, "es")
    reply = personas.client(role).get(reverse("insights:overview"))
    assert reply.status_code == status
    if status == 200:
        body = reply.content.decode()
        assert "<svg" in body
        assert 'id="by-language"' in body
        assert "100.0" in body


def test_overview_for_outsiders_and_strangers(personas, live_survey):
    _answer(live_survey, 9, "es")
    body = (
        personas.client(personas.outsider)
        .get(reverse("insights:metric", args=["csat"]))
        .content.decode()
    )
    assert "No answers yet." in body
    assert personas.client().get(reverse("insights:overview")).status_code == 302
    assert (
        personas.client(Role.OWNER).get(reverse("insights:metric", args=["bogus"])).status_code
        == 404
    )


def test_overview_query_count_does_not_grow(personas, live_survey, django_assert_max_num_queries):
    client = personas.client(Role.OWNER)
    for nps in range(11):
        _answer(live_survey, nps, "es", days_ago=nps * 20)
    with django_assert_max_num_queries(8):
        client.get(reverse("insights:overview"))
    for nps in range(11):
        _answer(live_survey, nps, "en", days_ago=nps * 25)
    with django_assert_max_num_queries(8):
        client.get(reverse("insights:overview"))


def _csat(survey, score, language="en", days_ago=0):
    do_submit_response(
        survey,
        answers={"nps": 9, "csat": score},
        language=language,
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


def test_a_drop_in_satisfaction_is_flagged(personas, live_survey):
    # Eleven months at 80% satisfied (16 of 20), then this month 4 of 20: far below the p-chart's
    # lower limit, 0.8 − 3·sqrt(0.8·0.2/20) ≈ 0.53 (Montgomery's p-chart with p̄ from all months).
    for month in range(1, 12):
        for i in range(20):
            _csat(live_survey, 5 if i < 16 else 2, days_ago=31 * month)
    for i in range(20):
        _csat(live_survey, 5 if i < 4 else 1)
    body = (
        personas.client(Role.OWNER).get(reverse("insights:metric", args=["csat"])).content.decode()
    )
    assert body.count('data-drop="1"') == 1
    assert "Significant drop" in body
    assert "p-chart" in body or "p chart" in body.lower()


def test_a_language_that_differs_is_marked(personas, live_survey):
    for i in range(30):
        _csat(live_survey, 5, "es")
        _csat(live_survey, 1 if i % 3 else 4, "en")
    body = (
        personas.client(Role.OWNER).get(reverse("insights:metric", args=["csat"])).content.decode()
    )
    assert 'data-segment="es" data-significant="higher"' in body
    assert 'data-segment="en" data-significant="lower"' in body


def test_charts_download_as_svg_and_their_data_as_csv(personas, live_survey):
    for nps in (10, 9, 2):
        _answer(live_survey, nps, "es")
    client = personas.client(Role.ANALYST)
    svg = client.get(reverse("insights:overview") + "?download=svg")
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    assert 'filename="nps-by-month.svg"' in svg["Content-Disposition"]
    data = client.get(reverse("insights:overview") + "?download=csv&chart=language")
    lines = data.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("language,value,lower,upper,n")
    assert lines[1].startswith("es,33.3")
    assert (
        personas.client(Role.AGENT).get(reverse("insights:overview") + "?download=csv").status_code
        == 403
    )
    page = client.get(reverse("insights:overview")).content.decode()
    assert "download=svg" in page
    assert 'data-png="nps-by-month"' in page
