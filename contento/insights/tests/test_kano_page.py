"""The Kano page classifies each feature from its answer pairs."""

import re

import pytest
from django.urls import reverse

from contento.accounts.roles import Role
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response

# Session, user, membership, the survey, the Kano pairs' counts (one grouped read) and the
# navigation's kinds of question, whatever the number of answers. The questions and items come
# from the localized survey the process keeps (built by a first, uncounted view).
PAGE_QUERIES = 6

DEFINITION = {
    "title": "Features",
    "questions": [
        {"key": "boost", "type": "kano", "text": "Night boost"},
        {"key": "router", "type": "kano", "text": "Router swap"},
    ],
}


@pytest.fixture
def survey(personas):
    survey = do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")
    # boost: 3 × (like, neutral) = A, 1 × (like, dislike) = O → attractive;
    # better = 4/4, worse = −1/4.
    # router: 2 × (neutral, dislike) = M, 1 × (must-be, dislike) = M, 1 × (neutral, neutral) = I.
    answers = [((1, 3), (3, 5)), ((1, 3), (3, 5)), ((1, 3), (2, 5)), ((1, 5), (3, 3))]
    for boost, router in answers:
        do_submit_response(
            survey,
            answers={
                "boost": {"functional": boost[0], "dysfunctional": boost[1]},
                "router": {"functional": router[0], "dysfunctional": router[1]},
            },
        )
    return survey


def test_features_are_classified_with_berger_coefficients(personas, survey):
    body = (
        personas.client(Role.ANALYST)
        .get(reverse("insights:kano", args=[survey.code]))
        .content.decode()
    )
    assert 'data-key="boost" data-category="A"' in body
    assert 'data-key="router" data-category="M"' in body
    assert "<td>1.00</td><td>-0.25</td>" in body  # boost: better (3+1)/4, worse −1/4
    assert "<td>0.00</td><td>-0.75</td>" in body  # router: better 0/4, worse −3/4
    assert 'id="kano-chart"' in body


@pytest.mark.parametrize(("role", "status"), [(Role.OWNER, 200), (Role.AGENT, 403)])
def test_kano_page_roles(personas, survey, role, status):
    assert (
        personas.client(role).get(reverse("insights:kano", args=[survey.code])).status_code
        == status
    )


def test_kano_page_for_outsiders_and_surveys_without_pairs(personas, survey):
    outsider = personas.client(personas.outsider)
    assert outsider.get(reverse("insights:kano", args=[survey.code])).status_code == 404
    plain = do_create_survey(
        personas.org, {"title": "Plain", "questions": [{"key": "n", "type": "nps", "text": "?"}]}
    )
    page = personas.client(Role.OWNER).get(reverse("insights:kano", args=[plain.code]))
    assert "no Kano pairs" in page.content.decode()


def test_kano_is_offered_only_where_there_are_pairs(personas, survey):
    client = personas.client(Role.OWNER)
    body = client.get(reverse("insights:drivers", args=[survey.code])).content.decode()
    assert reverse("insights:kano", args=[survey.code]) in body
    assert reverse("insights:gaps", args=[survey.code]) not in body  # no expectation items
    plain = do_create_survey(
        personas.org, {"title": "Plain", "questions": [{"key": "n", "type": "nps", "text": "?"}]}
    )
    body = client.get(reverse("insights:drivers", args=[plain.code])).content.decode()
    assert reverse("insights:kano", args=[plain.code]) not in body
    assert reverse("insights:survey_trend", args=[plain.code, "nps"]) in body


def test_kano_page_queries_do_not_grow_with_answers(personas, survey, django_assert_num_queries):
    client = personas.client(Role.ANALYST)
    url = reverse("insights:kano", args=[survey.code])
    client.get(url)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200
    for _ in range(20):
        do_submit_response(survey, answers={"boost": {"functional": 1, "dysfunctional": 3}})
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(url)


def _page(personas, survey) -> str:
    url = reverse("insights:kano", args=[survey.code])
    return personas.client(Role.ANALYST).get(url).content.decode()


def test_the_download_links_are_links_not_the_chart(personas, survey):
    # They once carried the page's chart, raw SVG, in their query string.
    links = re.search(r'<p class="downloads muted">.*?</p>', _page(personas, survey), re.S)
    assert "<svg" not in links.group(0)


def test_the_download_links_point_at_the_files(personas, survey):
    links = re.search(r'<p class="downloads muted">.*?</p>', _page(personas, survey), re.S)
    assert re.findall(r'href="([^"]*)"', links.group(0)) == ["?download=svg", "?download=csv"]


def test_the_chart_names_a_feature_by_its_text(personas, survey):
    chart = re.search(r'id="kano-chart">.*?</svg>', _page(personas, survey), re.S).group(0)
    assert "<title>Router swap: " in chart


def test_the_chart_never_shows_a_feature_s_key(personas, survey):
    chart = re.search(r'id="kano-chart">.*?</svg>', _page(personas, survey), re.S).group(0)
    assert "<title>router: " not in chart


def test_the_csv_names_a_feature_by_its_text(personas, survey):
    url = reverse("insights:kano", args=[survey.code])
    reply = personas.client(Role.ANALYST).get(url, {"download": "csv"})
    features = [line.split(",")[0] for line in reply.content.decode("utf-8-sig").splitlines()]
    assert features == ["feature", "Night boost", "Router swap"]
