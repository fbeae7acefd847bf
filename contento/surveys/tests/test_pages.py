"""The signed-in survey pages: builder, translations, JSON, dashboard, as each role and outsider."""

import json
import re

import pytest
from django.urls import reverse

from contento.accounts.roles import Role
from contento.surveys import definition
from contento.surveys.actions import do_create_survey, do_submit_response
from contento.surveys.models import Survey

ALL = [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST]


def pages(survey):
    code = survey.code
    view = [
        reverse("surveys:list"),
        reverse("surveys:dashboard", args=[code]),
        reverse("surveys:definition_json", args=[code]),
    ]
    export = [
        reverse("surveys:export_csv", args=[code]),
        reverse("surveys:export_xlsx", args=[code]),
    ]
    edit = [
        reverse("surveys:new"),
        reverse("surveys:import"),
        reverse("surveys:build", args=[code]),
        reverse("surveys:question_new", args=[code]),
        reverse("surveys:question_edit", args=[code, "nps"]),
        reverse("surveys:translate", args=[code, "es"]),
        reverse("surveys:definition", args=[code]),
        reverse("surveys:invite", args=[code]),
    ]
    return view, export, edit


@pytest.mark.parametrize("role", ALL)
def test_each_role_reaches_what_it_may(personas, survey, role):
    client = personas.client(role)
    view, export, edit = pages(survey)
    for path in view:
        assert client.get(path).status_code == (200 if role != Role.AGENT else 403), path
    for path in export:
        assert client.get(path).status_code == (200 if role != Role.AGENT else 403), path
    for path in edit:
        assert client.get(path).status_code == (
            200 if role in (Role.OWNER, Role.MANAGER) else 403
        ), path


def test_anonymous_visitors_are_sent_to_sign_in(personas, survey):
    view, export, edit = pages(survey)
    for path in view + export + edit:
        reply = personas.client().get(path)
        assert reply.status_code == 302, path
        assert reply["Location"].startswith("/accounts/login/"), path


def test_outsider_gets_404_for_another_workspaces_survey(personas, survey):
    client = personas.client(personas.outsider)
    _view, export, edit = pages(survey)
    for path in _view[1:] + export + edit[2:]:
        assert client.get(path).status_code == 404, path
    reply = client.post(reverse("surveys:status", args=[survey.code]), {"status": "live"})
    assert reply.status_code == 404
    survey.refresh_from_db()
    assert survey.status == "draft"
    assert survey.title not in client.get(reverse("surveys:list")).content.decode()


def test_analyst_cannot_change_a_survey(personas, survey):
    client = personas.client(Role.ANALYST)
    assert (
        client.post(reverse("surveys:status", args=[survey.code]), {"status": "live"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("surveys:question_action", args=[survey.code, "nps"]), {"action": "delete"}
        ).status_code
        == 403
    )
    assert survey.questions.count() == 10


def test_build_a_survey_in_the_builder(personas):
    client = personas.client(Role.MANAGER)
    reply = client.post(
        reverse("surveys:new"),
        {"title": "After your visit", "default_language": "en", "languages": ["es"]},
    )
    survey = Survey.objects.get(title="After your visit")
    assert reply["Location"] == reverse("surveys:build", args=[survey.code])
    client.post(
        reverse("surveys:question_new", args=[survey.code]),
        {"kind": "nps", "text": "Would you recommend us?", "page": 1, "required": "on"},
    )
    client.post(
        reverse("surveys:question_new", args=[survey.code]),
        {
            "kind": "single",
            "key": "visit",
            "text": "Why did you come?",
            "page": 1,
            "options": "Repair\nbuy|To buy something",
        },
    )
    client.post(
        reverse("surveys:question_new", args=[survey.code]),
        {
            "kind": "text",
            "key": "fix",
            "text": "What went wrong?",
            "page": 2,
            "show_if_question_1": "nps",
            "show_if_op_1": "detractor",
        },
    )
    doc = definition.export(survey)
    assert [q["key"] for q in doc["questions"]] == ["nps", "visit", "fix"]
    assert doc["questions"][1]["choices"] == [
        {"key": "repair", "label": {"en": "Repair"}},
        {"key": "buy", "label": {"en": "To buy something"}},
    ]
    assert doc["questions"][2]["show_if"] == {
        "question": "nps",
        "op": "lte",
        "value": 6,
    }

    translate = reverse("surveys:translate", args=[survey.code, "es"])
    page = client.get(translate).content.decode()
    assert "Would you recommend us?" in page
    client.post(
        translate,
        {
            "title": "Después de su visita",
            "q0.text": "¿Nos recomendaría?",
            "q1.c1.label": "Para comprar algo",
        },
    )
    doc = definition.export(survey)
    assert doc["title"]["es"] == "Después de su visita"
    assert doc["questions"][0]["text"]["es"] == "¿Nos recomendaría?"
    assert doc["questions"][1]["choices"][1]["label"]["es"] == "Para comprar algo"

    client.post(reverse("surveys:question_action", args=[survey.code, "fix"]), {"action": "up"})
    assert [q.key for q in survey.questions.all()] == ["nps", "fix", "visit"]
    client.post(reverse("surveys:status", args=[survey.code]), {"status": "live"})
    survey.refresh_from_db()
    assert survey.status == "live"


def test_builder_shows_definition_errors_and_keeps_the_survey(personas, survey):
    client = personas.client(Role.OWNER)
    reply = client.post(
        reverse("surveys:question_new", args=[survey.code]),
        {"kind": "single", "key": "nps", "text": "Duplicate key", "page": 2, "options": "One"},
        follow=True,
    )
    body = reply.content.decode()
    assert "used by an earlier question" in body
    assert "at least two choices" in body
    assert survey.questions.count() == 10


def test_edit_and_import_json_definitions(personas, survey):
    client = personas.client(Role.OWNER)
    doc = definition.export(survey)
    doc["title"]["en"] = "Edited as JSON"
    client.post(reverse("surveys:definition", args=[survey.code]), {"definition": json.dumps(doc)})
    survey.refresh_from_db()
    assert survey.title == "Edited as JSON"
    bad = client.post(reverse("surveys:definition", args=[survey.code]), {"definition": "{oops"})
    assert "not valid JSON" in bad.content.decode()
    doc["questions"][0]["type"] = "stars"
    bad = client.post(reverse("surveys:import"), {"definition": json.dumps(doc)})
    assert "questions[0] (nps).type" in bad.content.decode()
    assert Survey.objects.count() == 1
    doc["questions"][0]["type"] = "nps"
    client.post(reverse("surveys:import"), {"definition": json.dumps(doc)})
    assert Survey.objects.count() == 2


def test_dashboard_shows_metrics_charts_and_comments(personas, live_survey):
    for score, lang, comment in (
        (10, "es", "Muy rápido"),
        (9, "en", "Fast"),
        (3, "en", "Too expensive"),
    ):
        answers = {"nps": score, "why": comment, "csat": 5}
        if score <= 6:
            answers["fix"] = "Prix"
        do_submit_response(live_survey, answers=answers, language=lang)
    client = personas.client(Role.ANALYST)
    body = client.get(reverse("surveys:dashboard", args=[live_survey.code])).content.decode()
    assert 'data-metric="nps"' in body  # (2 − 1) / 3
    assert ">33.3<" in body
    assert "<svg" in body
    assert "Muy rápido" in body
    assert 'lang="es"' in body
    filtered = client.get(
        reverse("surveys:dashboard", args=[live_survey.code]) + "?language=es"
    ).content.decode()
    assert "Muy rápido" in filtered
    assert "Too expensive" not in filtered
    assert ">100.0<" in filtered
    assert (
        "Fast"
        not in client.get(
            reverse("surveys:dashboard", args=[live_survey.code]) + "?since=2999-01-01"
        ).content.decode()
    )


def test_dashboard_query_count_does_not_grow_with_responses(
    personas, live_survey, django_assert_max_num_queries
):
    client = personas.client(Role.OWNER)
    path = reverse("surveys:dashboard", args=[live_survey.code])
    for score in range(11):
        do_submit_response(
            live_survey,
            answers={"nps": score, "why": f"comment {score}", "fix": "x"}
            if score <= 6
            else {"nps": score, "why": "ok"},
        )
    with django_assert_max_num_queries(21):
        assert client.get(path).status_code == 200
    for score in range(30):
        do_submit_response(live_survey, answers={"nps": 10, "why": f"more {score}"})
    with django_assert_max_num_queries(21):
        assert client.get(path).status_code == 200


def test_the_builder_names_questions_by_short_keys_and_joins_conditions(personas):
    survey = do_create_survey(
        personas.org,
        {"title": {"en": "After your visit"}, "default_language": "en", "languages": ["en"]},
    )
    client = personas.client(Role.MANAGER)
    new = reverse("surveys:question_new", args=[survey.code])
    client.post(new, {"kind": "nps", "text": "Would you recommend us?", "page": 1})
    client.post(
        new,
        {"kind": "rating", "text": "How likely are you to recommend us to a friend?", "page": 1},
    )
    client.post(new, {"kind": "text", "text": "How likely are you to come back?", "page": 1})
    client.post(
        new,
        {
            "kind": "text",
            "text": "What went wrong?",
            "page": 2,
            "show_if_join": "any",
            "show_if_question_1": "nps",
            "show_if_op_1": "detractor",
            "show_if_question_2": "likely-recommend-friend",
            "show_if_op_2": "lte",
            "show_if_value_2": "2",
        },
    )
    doc = definition.export(survey)
    keys = [q["key"] for q in doc["questions"]]
    assert keys == ["nps", "likely-recommend-friend", "likely-come-back", "went-wrong"]
    assert doc["questions"][3]["show_if"] == {
        "any": [
            {"question": "nps", "op": "lte", "value": 6},
            {"question": "likely-recommend-friend", "op": "lte", "value": 2},
        ]
    }
    page = client.get(reverse("surveys:build", args=[survey.code])).content.decode()
    assert "nps is a detractor (0–6) or likely-recommend-friend is at most 2" in page
    edit = client.get(reverse("surveys:question_edit", args=[survey.code, "went-wrong"]))
    body = edit.content.decode()
    assert re.search(r'<option value="detractor" selected>', body)
    # Only questions that come before are offered in a condition.
    assert (
        'value="went-wrong"' not in body.split('name="show_if_question_1"')[1].split("</select>")[0]
    )
