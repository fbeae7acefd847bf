"""The expectation-gap page, computed from the pair sums."""

import re

import numpy as np
import pytest
from django.urls import reverse

from contento import stats
from contento.accounts.roles import Role
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response

# Session, user, membership, the survey, the pair sums (one grouped read) and the
# navigation's kinds of question, whatever the number of answers. The questions and items come
# from the localized survey the process keeps (built by a first, uncounted view).
PAGE_QUERIES = 6


def test_gap_page_matches_the_paired_t_test(personas, live_survey):
    pairs = [(7, 4), (6, 5), (7, 6), (5, 5), (6, 3), (7, 5)]
    for expected, perceived in pairs:
        do_submit_response(
            live_survey, answers={"nps": 9, "gap": {"expected": expected, "perceived": perceived}}
        )
    reply = personas.client(Role.ANALYST).get(reverse("insights:gaps", args=[live_survey.code]))
    assert reply.status_code == 200
    body = reply.content.decode()
    direct = stats.gaps(np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])).items[0]
    assert direct.value == pytest.approx(-10 / 6)  # gaps −3, −1, −1, 0, −3, −2
    assert f"<td>{direct.value:.2f}</td>" in body
    assert f"{direct.lower:.2f} – {direct.upper:.2f}" in body
    assert 'id="gap-chart"' in body
    spanish = personas.client(Role.ANALYST).get(
        reverse("insights:gaps", args=[live_survey.code]) + "?language=es"
    )
    assert "Not enough answers yet." in spanish.content.decode()


@pytest.mark.parametrize(("role", "status"), [(Role.MANAGER, 200), (Role.AGENT, 403)])
def test_gap_page_roles(personas, live_survey, role, status):
    assert (
        personas.client(role).get(reverse("insights:gaps", args=[live_survey.code])).status_code
        == status
    )


def test_gap_page_for_outsiders(personas, live_survey):
    assert (
        personas.client(personas.outsider)
        .get(reverse("insights:gaps", args=[live_survey.code]))
        .status_code
        == 404
    )


def test_gap_page_queries_do_not_grow_with_answers(
    personas, live_survey, django_assert_num_queries
):
    client = personas.client(Role.ANALYST)
    url = reverse("insights:gaps", args=[live_survey.code])

    def answer(times):
        for k in range(times):
            pair = {"expected": 7, "perceived": 3 + k % 4}
            do_submit_response(live_survey, answers={"nps": 9, "gap": pair})

    answer(3)
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES):
        assert "<td>" in client.get(url).content.decode()
    answer(20)
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(url)


ROUTER = {
    "title": "Installation",
    "questions": [
        {"key": "router-swap", "type": "expectation", "min": 1, "max": 7, "text": "Router swap"},
    ],
}


@pytest.fixture
def router(personas):
    survey = do_set_survey_status(do_create_survey(personas.org, ROUTER), "live")
    for expected, perceived in ((7, 4), (6, 5), (7, 6), (5, 5)):
        do_submit_response(
            survey, answers={"router-swap": {"expected": expected, "perceived": perceived}}
        )
    return survey


def _page(personas, survey) -> str:
    url = reverse("insights:gaps", args=[survey.code])
    return personas.client(Role.ANALYST).get(url).content.decode()


def test_the_download_links_are_links_not_the_chart(personas, router):
    # They once carried the page's chart, raw SVG, in their query string.
    links = re.search(r'<p class="downloads muted">.*?</p>', _page(personas, router), re.S)
    assert "<svg" not in links.group(0)


def test_the_download_links_point_at_the_files(personas, router):
    links = re.search(r'<p class="downloads muted">.*?</p>', _page(personas, router), re.S)
    assert re.findall(r'href="([^"]*)"', links.group(0)) == ["?download=svg", "?download=csv"]


def test_the_chart_names_an_item_by_its_text(personas, router):
    chart = re.search(r'id="gap-chart">.*?</svg>', _page(personas, router), re.S).group(0)
    assert "<title>Router swap: " in chart


def test_the_chart_never_shows_an_item_s_key(personas, router):
    chart = re.search(r'id="gap-chart">.*?</svg>', _page(personas, router), re.S).group(0)
    assert "router-swap" not in chart


def test_the_csv_names_an_item_by_its_text(personas, router):
    url = reverse("insights:gaps", args=[router.code])
    reply = personas.client(Role.ANALYST).get(url, {"download": "csv"})
    lines = reply.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("Router swap,")
