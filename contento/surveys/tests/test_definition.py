"""The JSON definition: validation with precise messages, and a lossless round trip."""

import copy

import pytest

from conftest import FULL_DEFINITION
from contento.surveys import definition
from contento.surveys.actions import do_create_survey, do_submit_response, do_update_survey
from contento.surveys.definition import InvalidDefinition


def errors_of(doc) -> dict[str, str]:
    with pytest.raises(InvalidDefinition) as info:
        definition.validate(doc)
    return {e.path: e.message for e in info.value.errors}


def test_full_definition_is_valid_and_normalised():
    doc = definition.validate(FULL_DEFINITION)
    assert doc["languages"] == ["en", "es"]
    assert doc["questions"][4]["min"] == 0
    assert doc["questions"][4]["max"] == 4
    assert doc["questions"][0]["text"]["es"] == "¿Nos recomendaría?"


def test_plain_strings_are_the_default_language():
    doc = definition.validate(
        {
            "title": "Hello",
            "default_language": "fr",
            "questions": [{"key": "q1", "type": "nps", "text": "Recommanderiez-vous ?"}],
        }
    )
    assert doc["title"] == {"fr": "Hello"}
    assert doc["questions"][0]["text"] == {"fr": "Recommanderiez-vous ?"}


def test_errors_name_the_question_and_the_field():
    doc = copy.deepcopy(FULL_DEFINITION)
    doc["questions"][1]["type"] = "essay"
    doc["questions"][2]["min"] = 0
    doc["questions"][4]["max"] = -1
    doc["questions"][5]["choices"] = [{"key": "only", "label": "Only"}]
    doc["questions"][6]["choices"][1]["key"] = "phone"
    doc["questions"][7]["items"] = []
    doc["questions"][3]["text"] = {"es": "solo en español"}
    doc["questions"][9]["show_if"] = {"question": "later", "op": "lte", "value": 6}
    doc["questions"].append({"key": "nps", "type": "nps", "text": "again"})
    doc["colour"] = "blue"
    errors = errors_of(doc)
    assert "must be one of" in errors["questions[1] (why).type"]
    assert "always runs from 1 to 5" in errors["questions[2] (csat).min"]
    assert "greater than min" in errors["questions[4] (stars).max"]
    assert "at least two choices" in errors["questions[5] (plan).choices"]
    assert "appears twice" in errors["questions[6] (channels).choices[1].key"]
    assert "at least one item" in errors["questions[7] (drivers).items"]
    assert "default language (en)" in errors["questions[3] (ces).text"]
    assert "comes before" in errors["questions[9] (fix).show_if.question"]
    assert "used by an earlier question" in errors["questions[10] (nps).key"]
    assert errors["colour"] == "is not a field of a survey definition"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"languages": ["en", "de"]}, "languages", "list of codes"),
        ({"default_language": "xx"}, "default_language", "must be one of"),
        ({"format": "other/9"}, "format", "contento.survey/1"),
        ({"title": None}, "title", "required"),
        ({"questions": "nps"}, "questions", "must be a list"),
    ],
)
def test_top_level_errors(change, path, message):
    doc = {**copy.deepcopy(FULL_DEFINITION), **change}
    assert message in errors_of(doc)[path]


def test_logic_operators_must_fit_the_question():
    doc = copy.deepcopy(FULL_DEFINITION)
    doc["questions"][9]["show_if"] = {"question": "plan", "op": "gt", "value": 3}
    assert "cannot compare" in errors_of(doc)["questions[9] (fix).show_if.op"]
    doc["questions"][9]["show_if"] = {"question": "nps", "op": "in", "value": []}
    assert "non-empty list" in errors_of(doc)["questions[9] (fix).show_if.value"]
    doc["questions"][9]["show_if"] = {"question": "nps", "op": "between", "value": 1}
    assert "is not one of" in errors_of(doc)["questions[9] (fix).show_if.op"]


def test_scale_fields_refused_on_questions_without_a_scale():
    doc = copy.deepcopy(FULL_DEFINITION)
    doc["questions"][5]["min"] = 1
    assert "has no scale" in errors_of(doc)["questions[5] (plan).min"]


def test_export_then_import_round_trips(personas, survey):
    exported = definition.export(survey)
    assert definition.validate(exported) == definition.validate(FULL_DEFINITION)
    copy_of = do_create_survey(personas.org, exported)
    assert definition.export(copy_of) == exported


def test_update_keeps_answers_and_refuses_to_lose_them(live_survey):
    do_submit_response(live_survey, answers={"nps": 9, "plan": "pro"})
    doc = definition.export(live_survey)
    doc["questions"][0]["text"]["en"] = "Would you recommend us?"
    do_update_survey(live_survey, doc)
    assert live_survey.questions.get(key="nps").text == "Would you recommend us?"
    assert live_survey.questions.get(key="nps").answers.count() == 1

    without_nps = copy.deepcopy(doc)
    without_nps["questions"] = [q for q in doc["questions"] if q["key"] != "nps"]
    without_nps["questions"][-1].pop("show_if")
    with pytest.raises(InvalidDefinition, match="has answers and cannot be removed"):
        do_update_survey(live_survey, without_nps)
    retyped = copy.deepcopy(doc)
    retyped["questions"][0]["type"] = "csat"
    with pytest.raises(InvalidDefinition, match="cannot change type"):
        do_update_survey(live_survey, retyped)
    no_pro = copy.deepcopy(doc)
    no_pro["questions"][5]["choices"] = [
        {"key": "basic", "label": "Basic"},
        {"key": "mid", "label": "Mid"},
    ]
    with pytest.raises(InvalidDefinition, match=r"choices \(pro\)"):
        do_update_survey(live_survey, no_pro)
    assert live_survey.questions.count() == 10  # nothing was half-changed


def _many_questions(document):
    document["questions"] = [{"key": f"q{i}", "type": "text", "text": "?"} for i in range(301)]


def _many_choices(document):
    document["questions"][5]["choices"] = [f"c{i}" for i in range(201)]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (_many_questions, "questions"),
        (_many_choices, "questions[5] (plan).choices"),
        (lambda d: d["questions"][0].update(text="x" * 2001), "questions[0] (nps).text.en"),
        (lambda d: d.update(description="x" * 5001), "description.en"),
        (
            lambda d: d["questions"][4].update(min_label="x" * 301),
            "questions[4] (stars).min_label.en",
        ),  # noqa: E501
    ],
)
def test_a_definition_is_bounded(change, path):
    document = copy.deepcopy(FULL_DEFINITION)
    change(document)
    with pytest.raises(InvalidDefinition) as refused:
        definition.validate(document)
    assert path in [error.path for error in refused.value.errors]


def test_an_oversized_document_is_refused_before_it_is_parsed():
    with pytest.raises(InvalidDefinition, match="at most 1000 kB"):
        definition.parse("[" + "1," * 600_000 + "1]")
