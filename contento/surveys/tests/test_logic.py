"""Display logic, as evaluated on the server."""

import pytest

from contento.surveys.localize import localize
from contento.surveys.logic import evaluate


@pytest.fixture
def types(survey):
    return localize(survey, "en").types()


@pytest.mark.parametrize(
    ("logic", "values", "shown"),
    [
        (None, {}, True),
        ({"question": "nps", "op": "lte", "value": 6}, {"nps": 6}, True),
        ({"question": "nps", "op": "lte", "value": 6}, {"nps": 7}, False),
        ({"question": "nps", "op": "lte", "value": 6}, {}, False),
        ({"question": "nps", "op": "gt", "value": 8}, {"nps": 9}, True),
        ({"question": "nps", "op": "in", "value": [0, 10]}, {"nps": 10}, True),
        ({"question": "nps", "op": "not_in", "value": [0, 10]}, {"nps": 10}, False),
        ({"question": "plan", "op": "eq", "value": "pro"}, {"plan": "pro"}, True),
        ({"question": "plan", "op": "neq", "value": "pro"}, {"plan": "pro"}, False),
        (
            {"question": "channels", "op": "eq", "value": "chat"},
            {"channels": ["phone", "chat"]},
            True,
        ),
        (
            {"question": "channels", "op": "in", "value": ["email"]},
            {"channels": ["phone", "chat"]},
            False,
        ),
        (
            {"question": "channels", "op": "not_in", "value": ["email"]},
            {"channels": ["phone"]},
            True,
        ),
        (
            {"question": "drivers", "op": "lt", "value": 3},
            {"drivers": {"speed": 1, "price": 4}},
            True,
        ),
        (
            {"question": "gap", "op": "lt", "value": 0},
            {"gap": {"expected": 6, "perceived": 4}},
            True,
        ),
        ({"question": "why", "op": "answered"}, {"why": "slow"}, True),
        ({"question": "why", "op": "not_answered"}, {"why": "slow"}, False),
        ({"question": "why", "op": "not_answered"}, {}, True),
    ],
)
def test_conditions(types, logic, values, shown):
    assert evaluate(logic, values, types) is shown
