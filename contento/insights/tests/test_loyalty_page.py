"""The satisfaction → loyalty page: renewal, repurchase and revenue by satisfaction level."""

import datetime as dt
import random
import re

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from contento import stats
from contento.accounts.roles import Role
from contento.customers.actions import (
    do_record_purchase,
    do_save_customer,
    do_save_product,
    do_save_subscription,
)
from contento.insights.loyalty import analyse, source_value
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response

DEFINITION = {
    "title": "Relationship",
    "questions": [
        {"key": "nps", "type": "nps", "text": "Recommend?"},
        {"key": "csat", "type": "csat", "text": "Satisfied?"},
    ],
}


class World:
    pass


@pytest.fixture
def world(personas):
    """Forty customers whose renewal and spending grow with their CSAT, and a few edge cases.

    `expected` holds, per counted customer, the level, renewal, repurchase and revenue the
    page must find, written down independently of the code under test.
    """
    org = personas.org
    now = timezone.now()
    rng = random.Random(11)
    w = World()
    w.survey = do_set_survey_status(do_create_survey(org, DEFINITION), "live")
    w.question = w.survey.questions.get(key="csat")
    gadget = do_save_product(org, {"name": "Gadget", "kind": "product"})[0]
    plan = do_save_product(org, {"name": "Plan", "kind": "service"})[0]
    w.expected = []

    def customer(name):
        return do_save_customer(org, {"name": name, "email": f"{name}@example.net"})[0]

    def answer(person, csat, days_ago):
        do_submit_response(
            w.survey,
            answers={"csat": csat},
            customer=person,
            at=now - dt.timedelta(days=days_ago),
        )

    def subscription(person, renewed: bool, answered):
        changes = {"started_on": (answered - dt.timedelta(days=400)).date()}
        if renewed:
            changes.update(status="active", renewals=3)
        else:
            changes.update(status="cancelled", ends_on=(answered + dt.timedelta(days=20)).date())
        do_save_subscription(org, changes, customer=person, product=plan)

    def purchase(person, at, amount):
        do_record_purchase(
            org, {"purchased_at": at, "amount": amount}, customer=person, product=gadget
        )

    for i in range(40):
        level = 1 + i % 5
        person = customer(f"c{i}")
        days_ago = 150 + i
        answered = now - dt.timedelta(days=days_ago)
        answer(person, level, days_ago)
        renewed = rng.random() < 0.15 + 0.17 * level
        subscription(person, renewed, answered)
        bought = rng.random() < 0.1 + 0.15 * level
        revenue = 0.0
        if bought:
            revenue = float(10 * level + i)
            purchase(person, answered + dt.timedelta(days=30), revenue)
        purchase(person, answered + dt.timedelta(days=120), 500)  # after the 90-day window
        purchase(person, answered - dt.timedelta(days=3), 700)  # before the answer
        w.expected.append((level, renewed, bought, revenue))

    # Answered twice: the latest answer old enough for the window is the one that counts;
    # a newer one (10 days old) is too recent, an older one superseded.
    twice = customer("twice")
    answer(twice, 1, 300)
    answer(twice, 5, 200)
    answer(twice, 1, 10)
    subscription(twice, True, now - dt.timedelta(days=200))
    w.expected.append((5, True, False, 0.0))
    # Left out of renewal: no subscription; a subscription not yet up for renewal; one that
    # ended before the answer. They still count for repurchase and revenue.
    for name, changes in (
        ("nosub", None),
        ("fresh", {"started_on": (now - dt.timedelta(days=20)).date(), "status": "active"}),
        (
            "gone",
            {
                "started_on": (now - dt.timedelta(days=900)).date(),
                "status": "expired",
                "ends_on": (now - dt.timedelta(days=400)).date(),
            },
        ),
    ):
        person = customer(name)
        answer(person, 3, 160)
        if changes:
            do_save_subscription(org, changes, customer=person, product=plan)
        w.expected.append((3, None, False, 0.0))
    do_submit_response(w.survey, answers={"csat": 5}, at=now - dt.timedelta(days=200))  # anon
    return w


def _arrays(world, outcome):
    rows = [r for r in world.expected if outcome == "repurchase" or r[1] is not None]
    levels = np.array([r[0] for r in rows], dtype=float)
    y = np.array([(r[1] if outcome == "renewal" else r[2]) for r in rows], dtype=float)
    revenue = np.array([r[3] for r in rows], dtype=float)
    return levels, y, revenue


@pytest.mark.parametrize("outcome", ["renewal", "repurchase"])
def test_figures_are_contento_stats_on_each_customer(world, outcome):
    levels, y, revenue = _arrays(world, outcome)
    result = analyse(world.question, outcome, 90)
    assert result.n == len(levels) == (41 if outcome == "renewal" else 44)
    table = stats.loyalty_by_level(levels, y)
    fit = stats.logistic_renewal(levels, y)
    assert len(result.table.levels) == len(table.levels) == 5
    for mine, direct in zip(result.table.levels, table.levels, strict=True):
        assert (mine.level, mine.n, mine.renewed) == (direct.level, direct.n, direct.renewed)
        assert (mine.rate.lower, mine.rate.upper) == pytest.approx(
            (direct.rate.lower, direct.rate.upper)
        )
        spend = stats.mean_score(revenue[levels == direct.level], scale_min=0)
        mine_spend = result.revenue_by_level[mine.level]
        assert (mine_spend.value, mine_spend.lower, mine_spend.upper) == pytest.approx(
            (spend.value, spend.lower, spend.upper)
        )
        assert spend.lower >= 0  # the t interval, clipped at 0: no revenue is negative
    assert result.fit.odds_ratio == pytest.approx(fit.odds_ratio)
    assert result.fit.odds_ratio_lower == pytest.approx(fit.odds_ratio_lower)
    assert result.revenue.value == pytest.approx(revenue.mean())


def test_the_page_shows_the_table_and_the_fit(personas, world):
    levels, y, revenue = _arrays(world, "renewal")
    table = stats.loyalty_by_level(levels, y)
    fit = stats.logistic_renewal(levels, y)
    reply = personas.client(Role.ANALYST).get(
        reverse("insights:loyalty"), {"source": source_value(world.question), "window": 90}
    )
    body = reply.content.decode()
    assert reply.status_code == 200
    assert 'id="loyalty-rate"' in body
    assert "<svg" in body
    for level in table.levels:
        row = re.search(rf'<tr data-level="{level.level}">(.*?)</tr>', body, re.S).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[1] == str(level.n)
        # Shown rounded (1 decimal for rates in percent, 2 for money).
        assert float(cells[2].rstrip("%")) == pytest.approx(100 * level.rate.value, abs=0.051)
        lower, upper = (float(x) for x in cells[3].split(" – "))
        assert lower == pytest.approx(100 * level.rate.lower, abs=0.051)
        assert upper == pytest.approx(100 * level.rate.upper, abs=0.051)
        spend = stats.mean_score(revenue[levels == level.level], scale_min=0)
        assert float(cells[4]) == pytest.approx(spend.value, abs=0.0051)
        lower, upper = (float(x) for x in cells[5].split(" – "))
        assert (lower, upper) == pytest.approx((spend.lower, spend.upper), abs=0.0051)
    assert f"<strong data-odds-ratio>{fit.odds_ratio:.2f}</strong>" in body
    p = fit.slope_p_value
    assert (f"p = {p:.4f};" if p >= 0.0001 else "p < 0.0001;") in body
    assert fit.odds_ratio > 1  # renewals were planted to grow with satisfaction


def test_the_page_links_from_the_overview_and_downloads(personas, world):
    client = personas.client(Role.OWNER)
    assert reverse("insights:loyalty") in client.get(reverse("insights:overview")).content.decode()
    query = {"source": source_value(world.question), "outcome": "repurchase"}
    data = client.get(reverse("insights:loyalty"), {**query, "download": "csv"})
    lines = data.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("level,customers,successes,rate,lower,upper,revenue")
    assert len(lines) == 1 + 5
    svg = client.get(reverse("insights:loyalty"), {**query, "download": "svg", "chart": "revenue"})
    assert b"<svg" in svg.content
    assert "revenue.svg" in svg["Content-Disposition"]


def test_not_enough_data_is_said_plainly(personas, world):
    client = personas.client(Role.OWNER)
    # NPS: nobody answered it, so no customer qualifies.
    nps = world.survey.questions.get(key="nps")
    body = client.get(reverse("insights:loyalty"), {"source": source_value(nps)}).content.decode()
    assert 'id="not-enough"' in body
    assert "Not enough data yet" in body
    # A window longer than every answer's age leaves nobody either.
    body = client.get(
        reverse("insights:loyalty"), {"source": source_value(world.question), "window": 700}
    ).content.decode()
    assert 'id="not-enough"' in body
    # Everyone renewed: a table, but no logistic fit.
    solo = do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")
    plan = do_save_product(personas.org, {"name": "Solo plan", "kind": "service"})[0]
    for i, level in enumerate((2, 4)):
        person = do_save_customer(personas.org, {"name": f"s{i}", "email": f"s{i}@example.net"})[0]
        do_submit_response(
            solo,
            answers={"csat": level},
            customer=person,
            at=timezone.now() - dt.timedelta(days=100),
        )
        do_save_subscription(
            personas.org,
            {"started_on": dt.date(2020, 1, 1), "status": "active", "renewals": 2},
            customer=person,
            product=plan,
        )
    source = source_value(solo.questions.get(key="csat"))
    body = client.get(reverse("insights:loyalty"), {"source": source}).content.decode()
    assert 'id="loyalty"' in body
    assert 'id="fit-not-enough"' in body
    assert "Every customer renewed" in body


def test_outsiders_and_agents(personas, world):
    outsider = personas.client(personas.outsider)
    body = outsider.get(reverse("insights:loyalty")).content.decode()
    assert 'id="no-source"' in body  # their own workspace has no survey
    source = {"source": source_value(world.question)}
    assert outsider.get(reverse("insights:loyalty"), source).status_code == 404
    assert outsider.get(reverse("insights:loyalty"), {"source": "nonsense"}).status_code == 404
    owner = personas.client(Role.OWNER)
    unknown = {"source": f"{world.survey.code}:nope"}
    assert owner.get(reverse("insights:loyalty"), unknown).status_code == 404
    assert personas.client(Role.AGENT).get(reverse("insights:loyalty")).status_code == 403
    assert personas.client().get(reverse("insights:loyalty")).status_code == 302


def test_loyalty_query_count_is_pinned(personas, world, django_assert_num_queries):
    client = personas.client(Role.OWNER)
    url = reverse("insights:loyalty")
    query = {"source": source_value(world.question), "outcome": "renewal"}
    client.get(url, query)
    # Session, user, membership, the questions offered, the survey asked for, and one query
    # for every customer's level and outcomes.
    with django_assert_num_queries(6):
        client.get(url, query)
    person = do_save_customer(personas.org, {"name": "late", "email": "late@example.net"})[0]
    do_submit_response(
        world.survey,
        answers={"csat": 4},
        customer=person,
        at=timezone.now() - dt.timedelta(days=120),
    )
    with django_assert_num_queries(6):
        client.get(url, query)
