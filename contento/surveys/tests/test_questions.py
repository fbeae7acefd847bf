"""Each question type accepts what it should and refuses the rest with a clear message."""

import pytest
from django.http import QueryDict

from contento.surveys import definition
from contento.surveys.actions import do_create_survey
from contento.surveys.definition import InvalidDefinition
from contento.surveys.forms import QuestionForm
from contento.surveys.localize import localize
from contento.surveys.questions import AnswerError


@pytest.fixture
def questions(survey):
    return localize(survey, "en").by_key()


def parse(questions, key, raw):
    lq = questions[key]
    return lq.kind.parse_json(lq, raw)


@pytest.mark.parametrize(
    ("key", "low", "high"), [("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7), ("stars", 0, 4)]
)
def test_scale_questions_accept_their_range_only(questions, key, low, high):
    assert parse(questions, key, low) == low
    assert parse(questions, key, high) == high
    assert parse(questions, key, str(high)) == high
    for bad in (low - 1, high + 1, 2.5, "x", True, [3]):
        with pytest.raises(AnswerError, match=f"from {low} to {high}"):
            parse(questions, key, bad)
    assert parse(questions, key, None) is None


def test_single_choice_takes_one_known_key(questions):
    assert parse(questions, "plan", "pro") == "pro"
    with pytest.raises(AnswerError):
        parse(questions, "plan", "gold")
    with pytest.raises(AnswerError):
        parse(questions, "plan", ["pro"])


def test_multiple_choice_keeps_option_order_and_drops_repeats(questions):
    assert parse(questions, "channels", ["chat", "phone", "chat"]) == ["phone", "chat"]
    assert parse(questions, "channels", "email") == ["email"]
    assert parse(questions, "channels", []) is None
    with pytest.raises(AnswerError):
        parse(questions, "channels", ["phone", "fax"])


def test_matrix_rates_known_items_on_its_scale(questions):
    assert parse(questions, "drivers", {"speed": 5, "price": "2"}) == {"speed": 5, "price": 2}
    assert parse(questions, "drivers", {"speed": 4}) == {"speed": 4}
    with pytest.raises(AnswerError, match="Unknown item"):
        parse(questions, "drivers", {"colour": 3})
    with pytest.raises(AnswerError, match="from 1 to 5"):
        parse(questions, "drivers", {"speed": 6})
    with pytest.raises(AnswerError):
        parse(questions, "drivers", [5, 4])


def test_required_matrix_needs_every_item(survey):
    question = survey.questions.get(key="drivers")
    question.required = True
    question.save()
    lq = localize(survey, "en").by_key()["drivers"]
    with pytest.raises(AnswerError, match="every item"):
        lq.kind.parse_json(lq, {"speed": 4})


def test_expectation_needs_both_parts_on_its_scale(questions):
    assert parse(questions, "gap", {"expected": 6, "perceived": 4}) == {
        "expected": 6,
        "perceived": 4,
    }
    with pytest.raises(AnswerError, match="both"):
        parse(questions, "gap", {"expected": 6})
    with pytest.raises(AnswerError, match="from 1 to 7"):
        parse(questions, "gap", {"expected": 8, "perceived": 4})
    with pytest.raises(AnswerError):
        parse(questions, "gap", {"expected": 5, "perceived": 4, "other": 1})


def test_text_is_trimmed_limited_and_stripped_of_nul(questions):
    assert parse(questions, "why", "  slow  ") == "slow"
    assert parse(questions, "why", "   ") is None
    assert parse(questions, "why", "a\x00b") == "ab"
    with pytest.raises(AnswerError, match="under 10000"):
        parse(questions, "why", "x" * 10_001)
    with pytest.raises(AnswerError):
        parse(questions, "why", 42)


def test_form_parsing_reads_each_types_fields(questions):
    data = QueryDict(mutable=True)
    data.setlist("q-channels", ["email", "phone"])
    data.update(
        {
            "q-drivers-speed": "3",
            "q-drivers-price": "",
            "q-gap-expected": "7",
            "q-gap-perceived": "5",
            "q-nps": "",
        }
    )
    assert questions["channels"].kind.parse_form(questions["channels"], data) == ["phone", "email"]
    assert questions["drivers"].kind.parse_form(questions["drivers"], data) == {"speed": 3}
    assert questions["gap"].kind.parse_form(questions["gap"], data) == {
        "expected": 7,
        "perceived": 5,
    }
    assert questions["nps"].kind.parse_form(questions["nps"], data) is None


def test_kano_pair_takes_both_answers_on_the_five_options(personas):

    survey = do_create_survey(
        personas.org,
        {
            "title": "Kano",
            "questions": [{"key": "boost", "type": "kano", "text": "Night speed boost"}],
        },
    )
    lq = localize(survey, "en").by_key()["boost"]
    assert lq.kind.parse_json(lq, {"functional": 1, "dysfunctional": "5"}) == {
        "functional": 1,
        "dysfunctional": 5,
    }
    with pytest.raises(AnswerError, match="both"):
        lq.kind.parse_json(lq, {"functional": 1})
    with pytest.raises(AnswerError, match="from 1 to 5"):
        lq.kind.parse_json(lq, {"functional": 1, "dysfunctional": 6})
    data = QueryDict(mutable=True)
    data.update({"q-boost-functional": "2", "q-boost-dysfunctional": "4"})
    assert lq.kind.parse_form(lq, data) == {"functional": 2, "dysfunctional": 4}
    assert lq.kind.columns(lq) == ["boost[functional]", "boost[dysfunctional]"]


def test_kano_scale_is_fixed():

    with pytest.raises(InvalidDefinition, match="always runs from 1 to 5"):
        definition.validate(
            {"title": "K", "questions": [{"key": "k", "type": "kano", "text": "X", "max": 7}]}
        )


# The builder's form reads what each type declares --------------------------------------------


@pytest.mark.parametrize(
    ("kind", "has_range", "has_labels", "group"),
    [
        ("nps", False, True, None),
        ("csat", False, True, None),
        ("ces", False, True, None),
        ("rating", True, True, None),
        ("matrix", True, True, "items"),
        ("expectation", True, True, None),
        ("kano", False, True, None),
        ("single", False, False, "choices"),
        ("multiple", False, False, "choices"),
        ("text", False, False, None),
    ],
)
def test_the_question_form_writes_what_the_type_uses(kind, has_range, has_labels, group):
    form = QuestionForm(
        {
            "kind": kind,
            "text": "How was it?",
            "page": 1,
            "min": 1,
            "max": 7,
            "min_label": "Bad",
            "max_label": "Good",
            "options": "a|Alpha\nb|Beta",
        }
    )
    assert form.is_valid(), form.errors
    qdef = form.to_definition("en")
    assert ("min" in qdef) == has_range
    assert ("max" in qdef) == has_range
    assert ("min_label" in qdef) == has_labels
    for name in ("choices", "items"):
        assert (name in qdef) == (name == group)
