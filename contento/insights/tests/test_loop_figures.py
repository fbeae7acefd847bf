"""The loop figures on a small, hand-computed example: shares followed up and closed, the
times to contact and close, and the recovery of the next NPS with Welch's interval."""

import datetime as dt
import math

import pytest
from django.urls import reverse
from scipy import stats as scipy_stats

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.distribution.models import FollowUpCase, FollowUpRule, RootCause
from contento.insights import loop
from contento.support.models import Team
from contento.surveys.actions import do_submit_response

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _nps(survey, customer, score, at):
    answers = {"nps": score}
    if score <= 6:
        answers["fix"] = "Call me."
    response, _new = do_submit_response(survey, answers=answers, customer=customer, at=at)
    return response


@pytest.fixture
def cases(personas, live_survey):
    team = Team.objects.create(organization=personas.org, name="Recovery")
    rule = FollowUpRule.objects.create(
        organization=personas.org,
        name="Detractors",
        team=team,
        condition={"kind": "score", "question": "nps", "max": 6},
        is_active=False,  # the cases are made by hand below
    )
    # (contacted after, closed after, the next NPS) per customer; None: did not happen.
    plan = [
        (2, 5, 9),
        (4, 6, 7),
        (10, 30, 8),
        (None, None, 3),
        (None, None, 5),
        (1, None, None),  # contacted, not resolved, never answered again
    ]
    made = []
    for i, (contact, close, later) in enumerate(plan):
        customer = do_create_customer(personas.org, name=f"C{i}", email=f"c{i}@example.net")
        response = _nps(live_survey, customer, 2, T0)
        case = FollowUpCase.objects.create(
            organization=personas.org,
            response=response,
            customer=customer,
            rule=rule,
            created_at=T0,
            contacted="phone" if contact is not None else "",
            contacted_at=T0 + dt.timedelta(hours=contact) if contact is not None else None,
            resolved=close is not None,
            closed_at=T0 + dt.timedelta(hours=close) if close is not None else None,
        )
        if later is not None:
            _nps(live_survey, customer, later, T0 + dt.timedelta(days=30))
        made.append(case)
    return made


def test_the_loop_figures_match_the_hand_computed_example(personas, cases):
    figures = loop.figures(personas.org)
    total = figures.total
    assert total.cases == 6
    assert (total.followed_up.successes, total.followed_up.n) == (4, 6)
    assert (total.closed.successes, total.closed.n) == (3, 6)
    # First contact after 1, 2, 4 and 10 hours: median 3; 90th percentile at rank 2.7 of
    # 0..3, 4 + 0.7 × (10 − 4) = 8.2.
    assert total.first_contact.median_hours == pytest.approx(3.0)
    assert total.first_contact.p90_hours == pytest.approx(4 + 0.7 * (10 - 4))
    # Closed after 5, 6 and 30 hours: median 6, 90th percentile 6 + 0.8 × 24 = 25.2.
    assert total.close.median_hours == pytest.approx(6.0)
    assert total.close.p90_hours == pytest.approx(25.2)
    assert [g.name for g in figures.by_team] == ["Recovery"]
    assert [g.name for g in figures.by_rule] == ["Detractors"]

    # Recovery: next NPS 9, 7, 8 (mean 8, sd 1) after closing the loop; 3, 5 (mean 4, sd √2)
    # when never contacted. Welch: se² = 1/3 + 2/2, df = se⁴ / ((1/3)²/2 + 1²/1) = 32/19.
    recovery = figures.recovery
    assert (recovery.followed_mean, recovery.followed_n) == (8.0, 3)
    assert (recovery.ignored_mean, recovery.ignored_n) == (4.0, 2)
    se = math.sqrt(1 / 3 + 1)
    df = 32 / 19
    half = scipy_stats.t.ppf(0.975, df) * se
    assert recovery.difference.value == pytest.approx(4.0)
    assert recovery.difference.df == pytest.approx(df)
    assert recovery.difference.lower == pytest.approx(4 - half)
    assert recovery.difference.upper == pytest.approx(4 + half)
    assert "not an experiment" in figures.caveat


def test_the_loop_figures_count_the_root_causes(personas, cases):
    late = RootCause.objects.create(organization=personas.org, name="Late delivery")
    FollowUpCase.objects.filter(pk__in=[cases[0].pk, cases[1].pk]).update(root_cause=late)
    by_cause = {g.name: g for g in loop.figures(personas.org).by_cause}
    assert by_cause["Late delivery"].cases == 2
    assert by_cause["Late delivery"].closed.successes == 2
    assert by_cause["No root cause given"].cases == 4


def test_without_cases_there_is_nothing_to_show(personas):
    figures = loop.figures(personas.org)
    assert figures.total.cases == 0
    assert figures.total.followed_up is None and figures.recovery is None


def test_the_loop_page(personas, cases):
    page = personas.client(Role.ANALYST).get(reverse("insights:loop"))
    html = page.content.decode()
    assert "6 unhappy responses" in html
    assert "Recovery" in html and "not an experiment" in html
    assert personas.client(Role.AGENT).get(reverse("insights:loop")).status_code == 403
    other = personas.client(personas.outsider).get(reverse("insights:loop")).content.decode()
    assert "No follow-up case yet." in other
