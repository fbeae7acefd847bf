"""The key-driver page of a survey, computed from the pair sums."""

import random

import numpy as np
import pytest
from django.urls import reverse

from contento import stats
from contento.accounts.roles import Role
from contento.insights.drivers import analyse, variables
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response
from contento.surveys.localize import localize

DEFINITION = {
    "title": "Drivers",
    "questions": [
        {"key": "nps", "type": "nps", "required": True, "text": "Recommend?"},
        {
            "key": "items",
            "type": "matrix",
            "text": "Rate",
            "items": [
                {"key": "speed", "label": "Speed"},
                {"key": "price", "label": "Price"},
                {"key": "app", "label": "App"},
            ],
        },
    ],
}


@pytest.fixture
def survey(personas):
    survey = do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")
    rng = random.Random(3)
    rows = []
    for _ in range(80):
        speed, price, app = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
        nps = max(0, min(10, 2 * speed + rng.choice([-1, 0, 1])))  # speed drives the outcome
        answers = {"nps": nps, "items": {"speed": speed, "price": price}}
        if rng.random() < 0.8:  # some skip the app: pairwise deletion
            answers["items"]["app"] = app
        do_submit_response(survey, answers=answers)
        rows.append([speed, price, answers["items"].get("app", np.nan), nps])
    survey.rows = np.array(rows, dtype=float)
    return survey


def test_importance_from_pair_sums_equals_the_raw_computation(survey):
    outcomes, items = variables(localize(survey, "en"))
    result = analyse(survey, outcomes[0], items)
    direct = stats.shapley_r2(survey.rows[:, :3], survey.rows[:, 3], missing="pairwise")
    assert np.allclose(result["shapley"].importance, direct.importance)
    assert result["shapley"].r_squared == pytest.approx(direct.r_squared)
    speed, price, app = result["rows"]
    assert speed["percent"] > 80 and speed["percent"] > price["percent"]
    assert speed["lower"] is not None and speed["lower"] <= speed["importance"] <= speed["upper"]
    assert speed["performance"] == pytest.approx(np.nanmean(survey.rows[:, 0]))


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.OWNER, 200),
        (Role.MANAGER, 200),
        (Role.ANALYST, 200),
        (Role.AGENT, 403),
    ],
)
def test_drivers_page_by_role(personas, survey, role, status):
    reply = personas.client(role).get(reverse("insights:drivers", args=[survey.code]))
    assert reply.status_code == status
    if status == 200:
        body = reply.content.decode()
        assert 'id="ipa-chart"' in body and "<svg" in body and 'id="drivers"' in body
        assert body.index(">Speed<") < body.index(">Price<")


def test_drivers_page_for_outsiders(personas, survey):
    assert (
        personas.client(personas.outsider)
        .get(reverse("insights:drivers", args=[survey.code]))
        .status_code
        == 404
    )
    assert personas.client().get(reverse("insights:drivers", args=[survey.code])).status_code == 302


def test_not_enough_answers_is_said_plainly(personas):
    empty = do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")
    do_submit_response(empty, answers={"nps": 9, "items": {"speed": 5, "price": 4, "app": 3}})
    body = (
        personas.client(Role.OWNER)
        .get(reverse("insights:drivers", args=[empty.code]))
        .content.decode()
    )
    assert "Not enough answers yet" in body


def test_drivers_page_queries_do_not_grow(personas, survey, django_assert_max_num_queries):
    client = personas.client(Role.OWNER)
    with django_assert_max_num_queries(15):
        client.get(reverse("insights:drivers", args=[survey.code]) + "?language=en")


def test_drivers_download(personas, survey):
    client = personas.client(Role.OWNER)
    data = client.get(reverse("insights:drivers", args=[survey.code]) + "?download=csv").content
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("item,importance,percent") and lines[1].startswith("Speed,")
    svg = client.get(reverse("insights:drivers", args=[survey.code]) + "?download=svg")
    assert b"<svg" in svg.content
