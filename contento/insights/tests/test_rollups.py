"""The per-day score counts always equal a fresh count of the answers."""

import datetime as dt
import random
import uuid
from collections import Counter

import pytest
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from contento.surveys.actions import (
    do_create_survey,
    do_save_page,
    do_set_survey_status,
    do_start_response,
    do_submit_response,
)
from contento.surveys.localize import localize
from contento.surveys.metrics import METRIC_KINDS, Filters, score_counts, score_counts_scan
from contento.surveys.models import Answer, MonthlyScoreCount, PairMoment, ScoreCount

DEFINITION = {
    "default_language": "en",
    "languages": ["en", "es", "vi"],
    "title": "Rollups",
    "questions": [
        {"key": "nps", "type": "nps", "required": True, "page": 1, "text": "NPS"},
        {
            "key": "csat",
            "type": "csat",
            "page": 2,
            "text": "CSAT",
            "show_if": {"question": "nps", "op": "lte", "value": 6},
        },
        {
            "key": "drivers",
            "type": "matrix",
            "page": 2,
            "text": "Drivers",
            "items": [{"key": "speed", "label": "Speed"}, {"key": "price", "label": "Price"}],
        },
        {"key": "gap", "type": "expectation", "page": 2, "text": "Gap"},
        {"key": "ces", "type": "ces", "page": 3, "text": "CES"},
    ],
}


@pytest.fixture
def survey(personas):
    return do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")


def pairs(survey):
    return sorted(
        PairMoment.objects.filter(survey=survey)
        .exclude(n=0, sum_a=0, sum_b=0, sum_aa=0, sum_bb=0, sum_ab=0)
        .values_list(
            "month",
            "dimension",
            "dimension_value",
            "var_a",
            "var_b",
            "n",
            "sum_a",
            "sum_b",
            "sum_aa",
            "sum_bb",
            "sum_ab",
        )
    )


def direct_pair(survey, key_a, key_b):
    """Count, sums and cross-products over responses that answered both, from the answers."""
    values = {}
    for response_id, key, value in Answer.objects.filter(
        survey=survey, question__key__in=[key_a, key_b]
    ).values_list("response_id", "question__key", "value"):
        values.setdefault(response_id, {})[key] = value
    both = [(v[key_a], v[key_b]) for v in values.values() if key_a in v and key_b in v]
    return (
        len(both),
        sum(a for a, _ in both),
        sum(b for _, b in both),
        sum(a * b for a, b in both),
    )


def monthly(survey):
    return sorted(
        MonthlyScoreCount.objects.filter(survey=survey, n__gt=0).values_list(
            "question__key",
            "item_key",
            "part",
            "month",
            "dimension",
            "dimension_value",
            "value",
            "n",
        )
    )


def table(survey):
    return sorted(
        ScoreCount.objects.filter(survey=survey, n__gt=0).values_list(
            "question__key", "item_key", "part", "day", "dimension", "dimension_value", "value", "n"
        )
    )


def form(**fields):
    data = QueryDict(mutable=True)
    data.update({f"q-{k}": str(v) for k, v in fields.items()})
    return data


def test_changed_and_hidden_answers_are_taken_back(survey):
    local = localize(survey, "es")
    response = do_start_response(survey, code=uuid.uuid4(), language="es", source="link")
    do_save_page(local, response, 1, form(nps=3))
    do_save_page(local, response, 1, form(nps=4))  # the respondent changes the answer
    counts = score_counts(survey, Filters())
    nps_id = survey.questions.get(key="nps").id
    assert counts[nps_id] == {4: 1}
    assert score_counts(survey, Filters(language="es"))[nps_id] == {4: 1}
    assert score_counts(survey, Filters(language="en")) == {}
    do_save_page(
        local,
        response,
        2,
        form(**{"csat": 2, "drivers-speed": 4, "gap-expected": 6, "gap-perceived": 3}),
    )
    csat_id = survey.questions.get(key="csat").id
    assert score_counts(survey, Filters())[csat_id] == {2: 1}
    do_save_page(local, response, 1, form(nps=9))  # back to page 1: now a promoter
    do_save_page(local, response, 3, form(ces=5))  # the CSAT question is hidden: its answer goes
    response.refresh_from_db()
    assert response.status == "complete"
    assert csat_id not in score_counts(survey, Filters())
    assert score_counts(survey, Filters()) == score_counts_scan(survey, Filters())
    kept = pairs(survey)
    call_command("rebuildrollups", "--survey", str(survey.code))
    assert pairs(survey) == kept  # the hidden CSAT left no pair sums behind


def test_counts_match_a_scan_under_every_filter(survey):
    rng = random.Random(7)
    now = timezone.now()
    for _ in range(60):
        nps = rng.randint(0, 10)
        answers = {
            "nps": nps,
            "ces": rng.randint(1, 7),
            "drivers": {"speed": rng.randint(1, 5)},
            "gap": {"expected": rng.randint(1, 7), "perceived": rng.randint(1, 7)},
        }
        if nps <= 6:
            answers["csat"] = rng.randint(1, 5)
        do_submit_response(
            survey,
            answers=answers,
            language=rng.choice(["en", "es", "vi"]),
            at=now - dt.timedelta(days=rng.uniform(0, 90)),
        )
    local = localize(survey, "en")
    for _ in range(10):  # partial responses edited page by page
        response = do_start_response(survey, code=uuid.uuid4(), language="vi", source="link")
        do_save_page(local, response, 1, form(nps=rng.randint(0, 10)))
        do_save_page(local, response, 1, form(nps=rng.randint(0, 10)))
    today = timezone.localdate()
    filters = [
        Filters(),
        Filters(language="es"),
        Filters(language="vi"),
        Filters(since=today - dt.timedelta(days=30)),
        Filters(until=today - dt.timedelta(days=45)),
        Filters(
            since=today - dt.timedelta(days=60), until=today - dt.timedelta(days=10), language="en"
        ),
    ]
    for f in filters:
        assert score_counts(survey, f) == score_counts_scan(survey, f), f
    assert sum(score_counts(survey, Filters())[survey.questions.get(key="nps").id].values()) == 70
    before, before_pairs, before_months = table(survey), pairs(survey), monthly(survey)
    call_command("rebuildrollups", "--survey", str(survey.code))
    assert table(survey) == before
    assert pairs(survey) == before_pairs
    assert monthly(survey) == before_months
    # The monthly counts are the daily counts summed by month.
    by_month = Counter()
    for key, item, part, day, dimension, value_of_dim, value, n in before:
        by_month[(key, item, part, day.replace(day=1), dimension, value_of_dim, value)] += n
    assert sorted((*k, n) for k, n in by_month.items()) == before_months
    nps, ces = (str(survey.questions.get(key=k).id) + "::" for k in ("nps", "ces"))
    a, b = sorted([nps, ces])
    stored = PairMoment.objects.filter(survey=survey, dimension="all", var_a=a, var_b=b)
    total = [sum(getattr(m, f) for m in stored) for f in ("n", "sum_a", "sum_b", "sum_ab")]
    n, sum_nps, sum_ces, cross = direct_pair(survey, "nps", "ces")
    assert total == ([n, sum_nps, sum_ces, cross] if a == nps else [n, sum_ces, sum_nps, cross])
    assert n == 60
    assert set(METRIC_KINDS) == {"nps", "csat", "ces"}


def test_answers_to_a_deleted_survey_take_their_counts_along(survey):
    do_submit_response(survey, answers={"nps": 9})
    assert ScoreCount.objects.filter(survey=survey).exists()
    survey.delete()
    assert not ScoreCount.objects.exists()
