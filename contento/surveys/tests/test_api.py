"""The survey endpoints of the REST API, as an integration would call them."""

import copy
import json

import pytest
from django.test import Client

from conftest import FULL_DEFINITION
from contento.accounts.actions import do_revoke_api_token
from contento.accounts.models import ApiToken
from contento.accounts.roles import Role
from contento.surveys.actions import do_submit_response
from contento.surveys.models import Response, Survey


def api(personas, role):
    client = Client()
    token = personas.token(role)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def post(client, path, payload, **headers):
    return client.post(path, json.dumps(payload), content_type="application/json", **headers)


def test_openapi_schema_lists_the_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Contento API"
    for path in (
        "/api/v1/surveys",
        "/api/v1/surveys/{code}",
        "/api/v1/surveys/{code}/responses",
        "/api/v1/surveys/{code}/metrics",
    ):
        assert path in schema["paths"]


def test_create_read_update_a_survey(personas):
    client = api(personas, Role.MANAGER)
    created = post(client, "/api/v1/surveys", FULL_DEFINITION)
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["status"] == "draft"
    read = client.get(f"/api/v1/surveys/{code}").json()
    assert read["definition"]["questions"][0]["text"] == {
        "en": "How likely are you to recommend us?",
        "es": "¿Nos recomendaría?",
    }
    changed = copy.deepcopy(read["definition"])
    changed["title"]["en"] = "Renamed"
    updated = client.put(
        f"/api/v1/surveys/{code}", json.dumps(changed), content_type="application/json"
    )
    assert updated.status_code == 200
    assert updated.json()["title"] == "Renamed"
    assert [s["code"] for s in client.get("/api/v1/surveys").json()] == [code]
    live = post(client, f"/api/v1/surveys/{code}/status", {"status": "live"})
    assert live.json()["status"] == "live"


def test_invalid_definition_is_a_422_naming_the_field(personas):
    doc = copy.deepcopy(FULL_DEFINITION)
    doc["questions"][0]["type"] = "stars"
    reply = post(api(personas, Role.OWNER), "/api/v1/surveys", doc)
    assert reply.status_code == 422
    assert reply.json()["detail"] == "The survey definition is not valid."
    assert {
        "path": "questions[0] (nps).type",
        "message": reply.json()["errors"][0]["message"],
    } in reply.json()["errors"]
    assert Survey.objects.count() == 0


def test_malformed_json_body_is_a_clear_4xx(personas):
    reply = api(personas, Role.OWNER).post(
        "/api/v1/surveys", "{not json", content_type="application/json"
    )
    assert 400 <= reply.status_code < 500
    assert "detail" in reply.json()


def test_submit_response_and_list_it(personas, live_survey):
    client = api(personas, Role.AGENT)
    answers = {
        "nps": 4,
        "why": "Slow",
        "channels": ["chat"],
        "drivers": {"speed": 2},
        "gap": {"expected": 7, "perceived": 3},
        "fix": "Speed",
    }
    reply = post(
        client,
        f"/api/v1/surveys/{live_survey.code}/responses",
        {"answers": answers, "language": "es"},
    )
    assert reply.status_code == 201, reply.content
    body = reply.json()
    assert body["status"] == "complete"
    assert body["language"] == "es"
    assert body["answers"] == answers
    listed = api(personas, Role.ANALYST).get(f"/api/v1/surveys/{live_survey.code}/responses").json()
    assert listed["count"] == 1
    assert listed["items"][0]["answers"]["gap"] == {
        "expected": 7,
        "perceived": 3,
    }


def test_submitted_answers_are_validated(personas, live_survey):
    client = api(personas, Role.OWNER)
    reply = post(
        client,
        f"/api/v1/surveys/{live_survey.code}/responses",
        {"answers": {"nps": 12, "plan": "gold", "colour": "red"}},
    )
    assert reply.status_code == 422
    assert reply.json()["errors"] == {"colour": "is not a question of this survey"}
    reply = post(
        client,
        f"/api/v1/surveys/{live_survey.code}/responses",
        {"answers": {"nps": 12, "plan": "gold"}},
    )
    assert set(reply.json()["errors"]) == {"nps", "plan"}
    reply = post(client, f"/api/v1/surveys/{live_survey.code}/responses", {"answers": {"nps": 3}})
    assert reply.json()["errors"] == {
        "fix": "This question needs an answer."
    }  # shown by logic, required
    reply = post(
        client,
        f"/api/v1/surveys/{live_survey.code}/responses",
        {"answers": {"nps": 9}, "language": "ru"},
    )
    assert "not offered" in reply.json()["errors"]["language"]
    assert Response.objects.count() == 0


def test_idempotency_key_makes_retries_safe(personas, live_survey):
    client = api(personas, Role.OWNER)
    path = f"/api/v1/surveys/{live_survey.code}/responses"
    first = post(client, path, {"answers": {"nps": 10}}, HTTP_IDEMPOTENCY_KEY="order-123")
    again = post(client, path, {"answers": {"nps": 10}}, HTTP_IDEMPOTENCY_KEY="order-123")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["code"] == again.json()["code"]
    conflict = post(
        client, path, {"answers": {"nps": 2, "fix": "x"}}, HTTP_IDEMPOTENCY_KEY="order-123"
    )
    assert conflict.status_code == 409
    other = post(client, path, {"answers": {"nps": 10}}, HTTP_IDEMPOTENCY_KEY="order-124")
    assert other.status_code == 201
    assert Response.objects.count() == 2


def test_idempotency_keys_belong_to_the_member_who_sent_them(personas, live_survey):
    path = f"/api/v1/surveys/{live_survey.code}/responses"
    body = {"answers": {"nps": 10}}
    first = post(api(personas, Role.OWNER), path, body, HTTP_IDEMPOTENCY_KEY="order-123")
    # Another member replaying the key is not handed the owner's response: they get their own.
    replay = post(api(personas, Role.MANAGER), path, body, HTTP_IDEMPOTENCY_KEY="order-123")
    assert (first.status_code, replay.status_code) == (201, 201)
    assert first.json()["code"] != replay.json()["code"]
    # An outsider with the same key reaches neither the survey nor the response.
    outsider = post(api(personas, personas.outsider), path, body, HTTP_IDEMPOTENCY_KEY="order-123")
    assert outsider.status_code == 404
    assert Response.objects.count() == 2
    long_key = post(api(personas, Role.OWNER), path, body, HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert long_key.status_code == 422
    assert Response.objects.count() == 2


def test_metrics_match_hand_computed_values(personas, live_survey):
    # NPS: 4 promoters (9, 10, 10, 9), 2 passives (7, 8), 2 detractors (0, 6) of n = 8.
    for score in (9, 10, 10, 9, 7, 8, 0, 6):
        do_submit_response(
            live_survey, answers={"nps": score, "fix": "x"} if score <= 6 else {"nps": score}
        )
    # CSAT: 3 of 4 answers in the top two boxes (4, 5, 5, 2).
    for score in (4, 5, 5, 2):
        do_submit_response(live_survey, answers={"nps": 10, "csat": score})
    reply = api(personas, Role.ANALYST).get(f"/api/v1/surveys/{live_survey.code}/metrics")
    assert reply.status_code == 200
    metrics = {m["question"]: m for m in reply.json()["metrics"]}
    nps = metrics["nps"]
    # n = 12: promoters 8 (9,10,10,9 + four 10s), passives 2, detractors 2 → NPS = (8 − 2)/12 = 50.
    assert nps["n"] == 12
    assert nps["value"] == pytest.approx(50.0)
    assert nps["counts"]["10"] == 6
    assert nps["counts"]["0"] == 1
    # Adjusted Wald (Rocks 2016): add 3/4 promoter, 3/2 passive, 3/4 detractor; n' = 15.
    # p+ = 8.75/15, p- = 2.75/15, centre = 0.4, var = (p+ + p- − centre²)/n' = (0.7667 − 0.16)/15.
    se = ((8.75 / 15 + 2.75 / 15 - 0.16) / 15) ** 0.5
    assert nps["lower"] == pytest.approx(100 * (0.4 - 1.959964 * se), abs=0.01)
    assert nps["upper"] == pytest.approx(100 * (0.4 + 1.959964 * se), abs=0.01)
    csat = metrics["csat"]
    # Wilson interval for 3/4 at 95%: centre (0.75 + z²/8)/(1 + z²/4), as in Wilson (1927).
    z = 1.959964
    centre = (0.75 + z * z / 8) / (1 + z * z / 4)
    half = z / (1 + z * z / 4) * (0.75 * 0.25 / 4 + z * z / 64) ** 0.5
    assert csat["value"] == pytest.approx(75.0)
    assert csat["lower"] == pytest.approx(100 * (centre - half), abs=0.01)
    assert csat["upper"] == pytest.approx(100 * (centre + half), abs=0.01)
    assert metrics["ces"]["n"] == 0
    assert metrics["ces"]["value"] is None
    assert reply.json()["responses_completed"] == 12


def test_metrics_filter_by_language(personas, live_survey):
    do_submit_response(live_survey, answers={"nps": 10}, language="es")
    do_submit_response(live_survey, answers={"nps": 0, "fix": "x"}, language="en")
    reply = api(personas, Role.OWNER).get(f"/api/v1/surveys/{live_survey.code}/metrics?language=es")
    nps = reply.json()["metrics"][0]
    assert nps["n"] == 1
    assert nps["value"] == 100.0


def test_errors_are_json_with_the_right_status(personas, live_survey):
    assert Client().get("/api/v1/surveys").status_code == 401
    assert "Bearer" in Client().get("/api/v1/surveys").json()["detail"]
    bad = Client(HTTP_AUTHORIZATION="Bearer cto_wrong").get("/api/v1/surveys")
    assert bad.status_code == 401
    missing = api(personas, Role.OWNER).get("/api/v1/surveys/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert "detail" in missing.json()
    assert api(personas, Role.OWNER).get("/api/v1/surveys/not-a-uuid").status_code == 422


def test_revoked_token_stops_working(personas):

    client = api(personas, Role.OWNER)
    assert client.get("/api/v1/surveys").status_code == 200
    do_revoke_api_token(ApiToken.objects.get())
    assert client.get("/api/v1/surveys").status_code == 401


# Roles -----------------------------------------------------------------------------------------

ALL = [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST]


@pytest.mark.parametrize("role", ALL)
def test_roles_on_every_endpoint(personas, live_survey, role):
    client = api(personas, role)
    base = f"/api/v1/surveys/{live_survey.code}"
    can_view = role in (Role.OWNER, Role.MANAGER, Role.ANALYST)
    can_edit = role in (Role.OWNER, Role.MANAGER)
    can_submit = role in (Role.OWNER, Role.MANAGER, Role.AGENT)
    expect = {
        ("GET", "/api/v1/surveys"): 200 if can_view else 403,
        ("GET", base): 200 if can_view else 403,
        ("GET", base + "/responses"): 200 if can_view else 403,
        ("GET", base + "/metrics"): 200 if can_view else 403,
        ("POST", "/api/v1/surveys"): 201 if can_edit else 403,
        ("PUT", base): 200 if can_edit else 403,
        ("POST", base + "/responses"): 201 if can_submit else 403,
    }
    for (method, path), status in expect.items():
        if method == "GET":
            reply = client.get(path)
        elif method == "PUT":
            reply = client.put(path, json.dumps(FULL_DEFINITION), content_type="application/json")
        elif path.endswith("/responses"):
            reply = post(client, path, {"answers": {"nps": 9}})
        else:
            reply = post(client, path, FULL_DEFINITION)
        assert reply.status_code == status, (method, path, reply.content)


def test_outsider_sees_nothing_of_another_workspace(personas, live_survey):
    client = api(personas, personas.outsider)  # owner of their own workspace
    base = f"/api/v1/surveys/{live_survey.code}"
    assert client.get("/api/v1/surveys").json() == []
    for path in (base, base + "/responses", base + "/metrics"):
        assert client.get(path).status_code == 404
    assert (
        client.put(base, json.dumps(FULL_DEFINITION), content_type="application/json").status_code
        == 404
    )
    assert post(client, base + "/responses", {"answers": {"nps": 9}}).status_code == 404
    assert Response.objects.count() == 0


def test_session_auth_needs_csrf_for_writes(personas, live_survey):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.owner)
    assert client.get("/api/v1/surveys").status_code == 200
    reply = post(client, f"/api/v1/surveys/{live_survey.code}/responses", {"answers": {"nps": 9}})
    assert reply.status_code in (401, 403)
    assert Response.objects.count() == 0


def test_an_oversized_body_is_413_not_a_server_error(personas):
    client = api(personas, Role.OWNER)
    huge = {"title": "x", "description": "y" * 3_000_000}
    reply = post(client, "/api/v1/surveys", huge)
    assert reply.status_code == 413
    assert "larger than" in reply.json()["detail"]
    assert Survey.objects.count() == 0


def test_the_builder_refuses_an_oversized_definition(personas):
    from django.urls import reverse

    client = personas.client(Role.OWNER)
    raw = json.dumps({**FULL_DEFINITION, "description": "y" * 1_100_000})
    reply = client.post(reverse("surveys:import"), {"definition": raw})
    assert reply.status_code == 200
    assert "at most 1000 kB" in reply.content.decode()
    assert Survey.objects.count() == 0
