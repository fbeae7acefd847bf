"""The public survey cycle's cost: what a new respondent's GET and POST ask of the database,
and the page shared by everyone who opens the link (rendered once per survey version)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from contento.surveys import localize
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_update_survey
from contento.surveys.models import Answer, Question, Response
from contento.surveys.views import public

NINE = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": ["en", "fr"],
    "title": {"en": "After your visit", "fr": "Après votre visite"},
    "questions": [
        {"key": "nps", "type": "nps", "page": 1, "required": True, "text": {"en": "Recommend?"}},
        {"key": "csat", "type": "csat", "page": 1, "required": True, "text": {"en": "Happy?"}},
        {"key": "ces", "type": "ces", "page": 1, "text": {"en": "Easy?"}},
        {"key": "speed", "type": "rating", "page": 1, "text": {"en": "Speed"}},
        {"key": "price", "type": "rating", "page": 1, "text": {"en": "Price"}},
        {"key": "staff", "type": "rating", "page": 1, "text": {"en": "Staff"}},
        {
            "key": "channel",
            "type": "single",
            "page": 1,
            "text": {"en": "How did you buy?"},
            "choices": [
                {"key": "web", "label": {"en": "Web"}},
                {"key": "shop", "label": {"en": "Shop"}},
            ],
        },
        {
            "key": "used",
            "type": "multiple",
            "page": 1,
            "text": {"en": "What did you use?"},
            "choices": [
                {"key": "app", "label": {"en": "App"}},
                {"key": "desk", "label": {"en": "Desk"}},
            ],
        },
        {"key": "why", "type": "text", "page": 1, "text": {"en": "Why?", "fr": "Pourquoi ?"}},
    ],
}
ANSWERS = {
    "q-nps": "9",
    "q-csat": "4",
    "q-ces": "2",
    "q-speed": "5",
    "q-price": "3",
    "q-staff": "4",
    "q-channel": "web",
    "q-used": ["app", "desk"],
    "q-why": "Quick and kind",
}
# The first GET of someone new once the process has the page: the survey by its code.
GET_QUERIES = 1
# A new respondent's complete one-page POST: the survey; then, in one transaction, the
# response, its answers, and the daily, monthly and pair counts (a savepoint and its release
# in the tests' own transaction).
POST_QUERIES = 8


def _fields(html: str) -> dict:
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1)
        for name in ("csrfmiddlewaretoken", "rt", "page", "lang")
    }


@pytest.fixture
def nine(personas):
    survey = do_create_survey(personas.org, NINE, user=personas.owner)
    return do_set_survey_status(survey, "live")


def url(survey):
    return reverse("public:open", args=[survey.code])


def test_a_new_respondents_get_and_post_keep_to_a_fixed_number_of_queries(
    nine, django_assert_num_queries
):
    Client().get(url(nine))  # the process builds the survey's page once
    client = Client(enforce_csrf_checks=True)
    with django_assert_num_queries(GET_QUERIES):
        page = client.get(url(nine))
    with django_assert_num_queries(POST_QUERIES):
        reply = client.post(url(nine), {**_fields(page.content.decode()), **ANSWERS})
    assert reply.status_code == 302
    response = Response.objects.get(survey=nine)
    assert response.status == Response.Status.COMPLETE
    assert response.completed_at is not None
    # Nine answers, the two chosen options of the multiple choice as two rows.
    assert Answer.objects.filter(response=response).count() == 10
    thanks = client.get(reply["Location"])
    assert "Recommend?" not in thanks.content.decode()


def test_a_retried_post_stores_the_response_once(nine):
    client = Client(enforce_csrf_checks=True)
    fields = _fields(client.get(url(nine)).content.decode())
    for _ in range(3):
        assert client.post(url(nine), {**fields, **ANSWERS}).status_code == 302
    assert Response.objects.filter(survey=nine).count() == 1
    assert Answer.objects.filter(survey=nine).count() == 10


def test_each_respondent_gets_their_own_tokens_on_the_shared_page(nine):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    a = _fields(first.get(url(nine)).content.decode())
    b = _fields(second.get(url(nine)).content.decode())
    assert a["rt"] != b["rt"]
    assert a["csrfmiddlewaretoken"] != b["csrfmiddlewaretoken"]
    # Each token belongs to its own browser: the forms cannot be swapped.
    assert first.post(url(nine), {**b, **ANSWERS}).status_code == 403
    assert first.post(url(nine), {**a, **ANSWERS}).status_code == 302
    assert second.post(url(nine), {**b, **ANSWERS}).status_code == 302
    assert Response.objects.filter(survey=nine).count() == 2


def test_the_shared_page_is_the_page_rendered_for_one(nine, monkeypatch):
    def masked(html: str) -> str:
        return re.sub(r'(name="(?:csrfmiddlewaretoken|rt)" value=)"[^"]*"', r"\1", html)

    shared = masked(Client().get(url(nine) + "?lang=fr").content.decode())
    assert "Pourquoi" in shared
    monkeypatch.setattr(public, "_shared_key", lambda *args: None)
    own = masked(Client().get(url(nine) + "?lang=fr").content.decode())
    assert shared == own


def test_an_edited_survey_is_never_served_from_an_old_version(nine):
    assert "Recommend?" in Client().get(url(nine)).content.decode()
    edited = {**NINE, "questions": [dict(NINE["questions"][0], text={"en": "Tell a friend?"})]}
    do_update_survey(nine, edited)
    body = Client().get(url(nine)).content.decode()
    assert "Tell a friend?" in body
    assert "Recommend?" not in body


def test_another_process_edit_is_seen_by_its_version_stamp(nine):
    """A change made elsewhere sends no signal here: the survey's updated_at tells."""
    assert "Recommend?" in Client().get(url(nine)).content.decode()
    # As another process writes it: rows changed with no signal in this one.
    Question.objects.filter(survey=nine, key="nps").update(text="Tell a friend?")
    assert "Recommend?" in Client().get(url(nine)).content.decode()  # this process's version
    nine.save()  # what every edit does: the survey's updated_at moves
    assert "Tell a friend?" in Client().get(url(nine)).content.decode()


def test_caches_are_emptied_when_a_question_changes_here(nine):
    Client().get(url(nine))
    assert len(public._pages) > 0
    question = Question.objects.get(survey=nine, key="nps")
    question.text = "Tell a friend?"
    question.save()
    assert len(public._pages) == 0
    assert localize._cache.get((nine.pk, nine.updated_at, "en")) is None
