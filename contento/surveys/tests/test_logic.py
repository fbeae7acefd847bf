"""Display logic, as evaluated on the server."""

import pytest

from contento.surveys.actions import do_create_survey
from contento.surveys.definition import InvalidDefinition
from contento.surveys.localize import localize
from contento.surveys.logic import condition_errors, evaluate


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


DETRACTOR = {"question": "nps", "op": "lte", "value": 6}
ON_PRO = {"question": "plan", "op": "eq", "value": "pro"}


@pytest.mark.parametrize(
    ("logic", "values", "shown"),
    [
        ({"all": [DETRACTOR, ON_PRO]}, {"nps": 3, "plan": "pro"}, True),
        ({"all": [DETRACTOR, ON_PRO]}, {"nps": 3, "plan": "basic"}, False),
        ({"any": [DETRACTOR, ON_PRO]}, {"nps": 9, "plan": "pro"}, True),
        ({"any": [DETRACTOR, ON_PRO]}, {"nps": 9, "plan": "basic"}, False),
        ({"any": [DETRACTOR, ON_PRO]}, {}, False),
    ],
)
def test_conditions_joined_by_all_or_any(types, logic, values, shown):
    assert evaluate(logic, values, types) is shown


@pytest.mark.parametrize(
    ("logic", "path"),
    [
        ({"all": []}, "show_if.all"),
        ({"any": [DETRACTOR, {"question": "later", "op": "eq", "value": 1}]}, "show_if.any[1]"),
        ({"all": [DETRACTOR], "any": [ON_PRO]}, "show_if"),
        ({"all": [DETRACTOR] * 11}, "show_if.all"),
    ],
)
def test_malformed_joined_conditions_are_refused(logic, path):
    errors = condition_errors(logic, {"nps": "nps", "plan": "single"})
    assert errors
    assert errors[0][0].startswith(path)


def test_a_survey_keeps_joined_conditions(personas):
    document = {
        "title": {"en": "Joined"},
        "default_language": "en",
        "languages": ["en"],
        "questions": [
            {"key": "nps", "type": "nps", "text": {"en": "Recommend?"}},
            {"key": "why", "type": "text", "text": {"en": "Why?"}, "show_if": {"any": [DETRACTOR]}},
        ],
    }
    survey = do_create_survey(personas.org, document)
    assert survey.questions.get(key="why").logic == {"any": [DETRACTOR]}
    document["questions"][1]["show_if"] = {"any": [{"question": "why", "op": "answered"}]}
    with pytest.raises(InvalidDefinition):
        do_create_survey(personas.org, document)
