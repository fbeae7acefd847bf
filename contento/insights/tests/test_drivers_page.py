"""The key-driver page of a survey, computed from the pair sums."""

import datetime as dt
import html
import random
import re

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from contento import stats
from contento.accounts.roles import Role
from contento.insights.drivers import analyse, from_summary, summary_from_pair_sums, variables
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response
from contento.surveys.localize import localize
from contento.surveys.periods import Period

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
    assert np.allclose(result.shapley.importance, direct.importance)
    assert result.shapley.r_squared == pytest.approx(direct.r_squared)
    speed, price, app = result.rows
    assert speed.percent > 80
    assert speed.percent > price.percent
    assert speed.lower is not None
    assert speed.lower <= speed.importance <= speed.upper
    assert speed.performance == pytest.approx(np.nanmean(survey.rows[:, 0]))


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
        assert 'id="ipa-chart"' in body
        assert "<svg" in body
        assert 'id="drivers"' in body
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
    assert lines[0].startswith("item,importance,percent")
    assert lines[1].startswith("Speed,")
    svg = client.get(reverse("insights:drivers", args=[survey.code]) + "?download=svg")
    assert b"<svg" in svg.content


@pytest.fixture
def two_periods(personas):
    """Speed drove the outcome about 100 days ago; price drives it these last days."""
    survey = do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")
    rng = random.Random(5)
    now = timezone.now()
    rows = {"old": [], "new": []}
    for period, days_ago, driver in (("old", 100, "speed"), ("new", 2, "price")):
        for i in range(40):
            items = {
                "speed": rng.randint(1, 5),
                "price": rng.randint(1, 5),
                "app": rng.randint(1, 5),
            }
            nps = max(0, min(10, 2 * items[driver] + rng.choice([-1, 0, 1])))
            do_submit_response(
                survey,
                answers={"nps": nps, "items": items},
                at=now - dt.timedelta(days=days_ago, minutes=i),
            )
            rows[period].append([items["speed"], items["price"], items["app"], nps])
    survey.rows = {k: np.array(v, dtype=float) for k, v in rows.items()}
    return survey


def _month_of(day):
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def test_a_date_range_from_the_pair_sums_or_the_answers(two_periods):
    today = timezone.localdate()
    outcomes, items = variables(localize(two_periods, "en"))
    first, last = _month_of(today - dt.timedelta(days=100))
    whole = Period(first, last)
    since = today - dt.timedelta(days=10)
    if since.day == 1:
        since -= dt.timedelta(days=1)
    ad_hoc = Period(since, today)
    assert whole.whole_months
    assert not ad_hoc.whole_months
    for period, key, top in ((whole, "old", 0), (ad_hoc, "new", 1)):
        result = analyse(two_periods, outcomes[0], items, period=period)
        rows = two_periods.rows[key]
        direct = stats.shapley_r2(rows[:, :3], rows[:, 3], missing="pairwise")
        assert np.allclose(result.shapley.importance, direct.importance)
        assert result.shapley.n == 40
        assert result.responses == 40
        assert int(np.argmax(result.shapley.importance)) == top
        assert result.rows[1].performance == pytest.approx(rows[:, 1].mean())
        assert result.intervals is not None


def _importance(body: str, item: str) -> float:
    return float(re.search(rf"<td>{item}</td><td>([0-9.]+)%</td>", body).group(1))


def test_the_drivers_page_filters_by_date(personas, two_periods, django_assert_num_queries):
    client = personas.client(Role.OWNER)
    url = reverse("insights:drivers", args=[two_periods.code])
    today = timezone.localdate()
    since = (today - dt.timedelta(days=10)).isoformat()
    body = client.get(url, {"since": since, "until": today.isoformat()}).content.decode()
    assert 'id="period"' in body
    assert _importance(body, "Price") > 80 > _importance(body, "Speed")
    assert 'name="since"' in body
    assert f'value="{since}"' in body
    first, last = _month_of(today - dt.timedelta(days=100))
    body = client.get(url, {"since": first, "until": last}).content.decode()
    assert _importance(body, "Speed") > 80 > _importance(body, "Price")
    body = client.get(url, {"since": today, "until": first}).content.decode()
    assert "The start date is after the end date." in body
    # Session, user, membership, the survey, the answers of the period (an ad-hoc range reads
    # them: one query, whatever their number) and the survey's kinds of question for the
    # navigation; the questions and items come from the localized survey the process keeps.
    with django_assert_num_queries(6):
        client.get(url, {"since": since})
    do_submit_response(two_periods, answers={"nps": 3, "items": {"speed": 1, "price": 2}})
    with django_assert_num_queries(6):
        client.get(url, {"since": since})
    assert personas.client(personas.outsider).get(url, {"since": since}).status_code == 404


def test_pair_sums_in_either_order_give_the_pairwise_summary_of_the_rows():
    rng = np.random.default_rng(3)
    table = rng.integers(1, 6, (300, 4)).astype(float)
    table[:, 3] += table[:, 0]  # the outcome follows the first item
    table[rng.random((300, 4)) < 0.1] = np.nan
    names = ["a", "b", "c", "y"]
    sums = {}
    for i in range(4):
        for j in range(i, 4):
            both = ~np.isnan(table[:, i]) & ~np.isnan(table[:, j])
            first, second = (j, i) if (i + j) % 2 else (i, j)  # either order, as names sort
            x, z = table[both, first], table[both, second]
            sums[(names[first], names[second])] = (len(x), x.sum(), z.sum(), x @ x, z @ z, x @ z)
    summary = summary_from_pair_sums(names, sums)
    direct = stats.CovarianceSummary.from_data(table[:, :3], table[:, 3], missing="pairwise")
    assert (summary.pair_counts == direct.pair_counts).all()
    for matrix in ("pair_means", "pair_squares", "comoments"):
        assert np.allclose(getattr(summary, matrix), getattr(direct, matrix)), matrix
    result = from_summary(summary, names[:3])
    expected = stats.shapley_r2(table[:, :3], table[:, 3], missing="pairwise")
    assert result.shapley.importance == pytest.approx(expected.importance)
    assert list(result.performance) == pytest.approx(list(np.nanmean(table[:, :3], axis=0)))
    assert result.responses == int((~np.isnan(table)).sum(axis=0).max())


def _downloads(body: str) -> str:
    """The page's download links (the first chart's), as HTML."""
    return re.search(r'<p class="downloads muted">.*?</p>', body, re.S).group(0)


def test_the_download_links_are_links_not_the_chart(personas, survey):
    # They once carried the page's chart, raw SVG, in their query string.
    url = reverse("insights:drivers", args=[survey.code])
    links = _downloads(personas.client(Role.OWNER).get(url).content.decode())
    assert "<svg" not in links


def test_the_download_links_keep_the_page_s_filters(personas, survey):
    url = reverse("insights:drivers", args=[survey.code])
    links = _downloads(personas.client(Role.OWNER).get(url, {"language": "en"}).content.decode())
    assert 'href="?language=en&amp;download=svg"' in links
    assert 'href="?language=en&amp;download=csv"' in links


def test_the_download_links_serve_the_chart_and_its_table(personas, survey):
    client = personas.client(Role.OWNER)
    url = reverse("insights:drivers", args=[survey.code])
    links = _downloads(client.get(url).content.decode())
    svg, csv = re.findall(r'href="\?([^"]*)"', links)
    assert client.get(f"{url}?{html.unescape(svg)}")["Content-Type"].startswith("image/svg+xml")
    assert client.get(f"{url}?{html.unescape(csv)}")["Content-Type"].startswith("text/csv")


def test_the_chart_names_the_items_by_their_text(personas, survey):
    body = personas.client(Role.OWNER).get(reverse("insights:drivers", args=[survey.code]))
    chart = re.search(r'<div class="card chart" id="ipa-chart">.*?</svg>', body.content.decode())
    assert "<title>Speed: " in chart.group(0)
