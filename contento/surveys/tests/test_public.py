"""The public survey page, through the HTTP client as a respondent would use it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from contento.customers.actions import do_create_customer
from contento.surveys import definition
from contento.surveys.actions import do_create_survey, do_set_survey_status
from contento.surveys.links import make_token, personal_url
from contento.surveys.models import Answer, Response


def url(survey):
    return reverse("public:open", args=[survey.code])


def form_fields(html: str) -> dict:
    return {
        "rt": re.search(r'name="rt" value="([^"]*)"', html).group(1),
        "page": re.search(r'name="page" value="(\d+)"', html).group(1),
        "lang": re.search(r'name="lang" value="(\w+)"', html).group(1),
    }


def start(client, survey, **headers):
    page = client.get(url(survey), **headers)
    assert page.status_code == 200
    return form_fields(page.content.decode())


PAGE_2 = {
    "q-csat": "4",
    "q-ces": "6",
    "q-stars": "3",
    "q-plan": "pro",
    "q-channels": ["phone", "chat"],
    "q-drivers-speed": "5",
    "q-drivers-price": "2",
    "q-gap-expected": "6",
    "q-gap-perceived": "4",
}


def test_respondent_answers_page_by_page_and_completes(live_survey):
    client = Client()
    fields = start(client, live_survey)
    reply = client.post(url(live_survey), {**fields, "q-nps": "9", "q-why": "Fast"})
    assert reply.status_code == 302
    response = Response.objects.get(survey=live_survey)
    assert response.status == "partial"
    assert response.page == 2
    assert Answer.objects.filter(response=response).count() == 2  # saved before the end

    page2 = client.get(reply["Location"])
    assert 'name="page" value="2"' in page2.content.decode()
    fields = form_fields(page2.content.decode())
    reply = client.post(url(live_survey), {**fields, **PAGE_2})
    response.refresh_from_db()
    # nps = 9 hides page 3 ("what should we fix", shown only to detractors): the response is done.
    assert response.status == "complete"
    assert response.completed_at
    assert "Thanks!" in client.get(reply["Location"]).content.decode()
    assert Answer.objects.filter(response=response, question__key="channels").count() == 2
    assert set(
        Answer.objects.filter(response=response, question__key="gap").values_list("part", "value")
    ) == {("expected", 6), ("perceived", 4)}


def test_detractor_gets_the_follow_up_page(live_survey):
    client = Client()
    fields = start(client, live_survey)
    reply = client.post(url(live_survey), {**fields, "q-nps": "3"})
    fields = form_fields(client.get(reply["Location"]).content.decode())
    reply = client.post(url(live_survey), {**fields, **PAGE_2})
    page3 = client.get(reply["Location"]).content.decode()
    assert "What should we fix?" in page3
    fields = form_fields(page3)
    missing = client.post(url(live_survey), fields)
    assert "This question needs an answer." in missing.content.decode()
    client.post(url(live_survey), {**fields, "q-fix": "Billing"})
    assert Response.objects.get().status == "complete"


def test_invalid_answers_are_shown_and_nothing_is_saved(live_survey):
    client = Client()
    fields = start(client, live_survey)
    reply = client.post(url(live_survey), {**fields, "q-nps": "11", "q-why": "kept"})
    body = reply.content.decode()
    assert reply.status_code == 200
    assert "Choose a number from 0 to 10." in body
    assert 'aria-invalid="true"' in body
    assert ">kept</textarea>" in body  # what the respondent typed is not lost
    assert Answer.objects.count() == 0
    missing = client.post(url(live_survey), {**fields, "q-why": "kept"})
    assert "This question needs an answer." in missing.content.decode()


def test_double_submit_creates_one_response(live_survey):
    client = Client()
    fields = start(client, live_survey)
    for _attempt in range(3):
        client.post(url(live_survey), {**fields, "q-nps": "8"})
    other_browser = Client()  # a retried POST arrives without the first one's cookie
    other_browser.post(url(live_survey), {**fields, "q-nps": "8"})
    assert Response.objects.count() == 1
    assert Answer.objects.filter(question__key="nps").count() == 1


def test_respondent_can_finish_later_from_the_same_link(live_survey):
    client = Client()
    fields = start(client, live_survey)
    client.post(url(live_survey), {**fields, "q-nps": "10", "q-why": "Great"})
    again = client.get(url(live_survey)).content.decode()
    assert 'name="page" value="2"' in again


def test_tampered_form_token_is_refused(live_survey):
    client = Client()
    fields = start(client, live_survey)
    reply = client.post(url(live_survey), {**fields, "rt": fields["rt"][:-2] + "xx", "q-nps": "8"})
    assert reply.status_code == 400
    assert Response.objects.count() == 0


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("?lang=es", "fr", "¿Nos recomendaría?"),
        ("", "es-MX,es;q=0.9", "¿Nos recomendaría?"),
        ("", "ru", "How likely are you to recommend us?"),
        ("?lang=vi", "", "How likely are you to recommend us?"),
    ],
)
def test_language_from_link_then_browser_then_default(live_survey, query, header, expected):
    body = Client().get(url(live_survey) + query, HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert expected in body


def test_missing_translations_fall_back_to_the_default_language(live_survey):
    page = Client().get(url(live_survey) + "?lang=es", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "es"
    body = page.content.decode()
    assert '<html lang="es">' in body
    assert "Encuesta de clientes" in body
    fields = form_fields(body)
    reply = Client().post(url(live_survey), {**fields, "q-nps": "9"})
    client = Client()
    client.cookies = reply.cookies
    page2 = client.get(reply["Location"]).content.decode()
    assert "How satisfied are you?" in page2  # csat has no Spanish text: English shown
    assert "Fue fácil." in page2
    assert "> Básico</label>" in page2  # Pro has no translation
    assert "> Pro</label>" in page2
    assert "Genial" in page2
    assert "Awful" in page2


def test_draft_and_closed_surveys_are_not_answerable(survey):
    assert Client().get(url(survey)).status_code == 404
    do_set_survey_status(survey, "closed")
    assert "This survey is not open" in Client().get(url(survey)).content.decode()


def test_public_page_needs_no_login_and_sets_no_admin_access(live_survey):
    page = Client().get(url(live_survey))
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.content.decode()


def test_public_post_needs_csrf(live_survey):
    client = Client(enforce_csrf_checks=True)
    fields = start(client, live_survey)
    assert client.post(url(live_survey), {**fields, "q-nps": "9"}).status_code == 403


def test_public_posts_are_rate_limited(live_survey, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_PUBLIC = "3/m"
    client = Client()
    fields = start(client, live_survey)
    codes = [client.post(url(live_survey), {**fields, "q-nps": "9"}).status_code for _ in range(5)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]


# Personal links ---------------------------------------------------------------------------------


@pytest.fixture
def customer(personas):
    return do_create_customer(
        personas.org, name="Lucía Pérez", email="lucia@example.net", language="es"
    )


def personal(survey, customer):
    return reverse("public:personal", args=[survey.code, make_token(survey, customer)])


def test_personal_link_ties_the_response_to_the_customer(live_survey, customer):
    assert personal_url(live_survey, customer).endswith("?lang=es")
    link = personal(live_survey, customer)
    body = Client().get(link).content.decode()
    assert "¿Nos recomendaría?" in body  # the customer's language
    assert 'name="rt" value=""' in body
    Client().post(link, {"page": "1", "lang": "es", "q-nps": "7"})
    response = Response.objects.get()
    assert response.customer == customer
    assert response.source == "personal"
    assert response.language == "es"


def test_personal_link_gives_one_response_and_resumes(live_survey, customer):
    link = personal(live_survey, customer)
    Client().post(link, {"page": "1", "lang": "es", "q-nps": "7"})
    Client().post(link, {"page": "1", "lang": "es", "q-nps": "7"})  # another device, same link
    assert Response.objects.count() == 1
    assert 'name="page" value="2"' in Client().get(link).content.decode()
    Client().post(link, {"page": "2", "lang": "es", **PAGE_2})
    assert Response.objects.get().status == "complete"
    reused = Client().post(link, {"page": "1", "lang": "es", "q-nps": "0"})
    assert reused.status_code in (200, 302)
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__key="nps").value == 7  # a finished response stays as given


def test_forged_personal_links_are_refused(live_survey, customer, personas):
    token = make_token(live_survey, customer)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert (
        Client().get(reverse("public:personal", args=[live_survey.code, forged])).status_code == 404
    )
    assert (
        Client().get(reverse("public:personal", args=[live_survey.code, "not-a-token"])).status_code
        == 404
    )


def test_personal_link_cannot_be_used_for_another_survey(live_survey, customer, personas):
    from conftest import FULL_DEFINITION

    other = do_set_survey_status(do_create_survey(personas.org, FULL_DEFINITION), "live")
    token = make_token(live_survey, customer)
    assert Client().get(reverse("public:personal", args=[other.code, token])).status_code == 404
    assert (
        Client()
        .post(reverse("public:personal", args=[other.code, token]), {"page": "1", "q-nps": "1"})
        .status_code
        == 404
    )
    assert Response.objects.count() == 0


def test_link_of_a_customer_from_another_workspace_is_refused(live_survey, personas):
    stranger = do_create_customer(personas.other_org, name="Eve", email="eve@example.net")
    token = make_token(live_survey, stranger)
    assert (
        Client().get(reverse("public:personal", args=[live_survey.code, token])).status_code == 404
    )


def test_kano_pair_on_the_public_page(personas):

    survey = do_set_survey_status(
        do_create_survey(
            personas.org,
            {
                "title": "Kano",
                "languages": ["en", "es"],
                "questions": [{"key": "boost", "type": "kano", "text": "Night speed boost"}],
            },
        ),
        "live",
    )
    client = Client()
    body = client.get(url(survey) + "?lang=es").content.decode()
    assert "Night speed boost" in body
    assert 'name="q-boost-functional"' in body
    fields = form_fields(body)
    client.post(url(survey), {**fields, "q-boost-functional": "1", "q-boost-dysfunctional": "3"})
    response = Response.objects.get()
    assert response.status == "complete"
    assert set(response.answers.values_list("part", "value")) == {
        ("functional", 1),
        ("dysfunctional", 3),
    }


@pytest.mark.parametrize("link", ["open", "personal"])
def test_a_required_question_cannot_be_skipped_by_posting_a_later_page(live_survey, link):
    client = Client()
    if link == "open":
        address = url(live_survey)
        fields = start(client, live_survey)
    else:
        customer = do_create_customer(live_survey.organization, name="Ana", email="a@example.net")
        address = personal_url(live_survey, customer)
        fields = {"lang": "en"}
    # Jump straight to page 2 without the required NPS of page 1.
    reply = client.post(address, {**fields, "page": "2", **PAGE_2})
    response = Response.objects.get(survey=live_survey)
    assert response.status == "partial"
    assert response.completed_at is None
    assert response.page == 1  # sent back to what is missing; page 2 is kept
    assert reply.status_code == 200
    html = reply.content.decode()
    assert "This question needs an answer." in html
    assert 'name="page" value="1"' in html
    assert Answer.objects.filter(response=response, question__key="csat").exists()
    # Answering it leads on to page 2, shown with what was kept, and then completes.
    fields = {**fields, **form_fields(html)} if link == "open" else {"lang": "en", "page": "1"}
    reply = client.post(address, {**fields, "q-nps": "9"})
    page2 = client.get(reply["Location"]).content.decode()
    assert 'name="page" value="2"' in page2
    assert 'value="pro" checked' in page2
    client.post(address, {**fields, "page": "2", **PAGE_2})
    response.refresh_from_db()
    assert response.status == "complete"
    assert Answer.objects.filter(response=response, question__key="ces").exists()


@pytest.mark.parametrize(
    "bad", [{"q-nps": "99"}, {"q-nps": "9", "q-why": "x" * 100_000}, {"q-nps": "nine"}]
)
def test_an_invalid_first_page_stores_nothing(live_survey, bad):
    client = Client()
    fields = start(client, live_survey)
    for _attempt in range(3):
        reply = client.post(url(live_survey), {**fields, **bad})
        assert reply.status_code == 200
        assert 'class="error"' in reply.content.decode()
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0
    customer = do_create_customer(live_survey.organization, name="Ana", email="a@example.net")
    reply = Client().post(personal_url(live_survey, customer), {"page": "1", "lang": "en", **bad})
    assert reply.status_code == 200
    assert Response.objects.count() == 0
    # The same form, corrected, then starts the response once.
    client.post(url(live_survey), {**fields, "q-nps": "9"})
    client.post(url(live_survey), {**fields, "q-nps": "9"})
    assert Response.objects.count() == 1


def test_a_respondent_goes_back_a_page_and_finds_their_answers(live_survey):
    client = Client()
    fields = start(client, live_survey)
    client.post(url(live_survey), {**fields, "q-nps": "4", "q-why": "Slow"})
    page2 = client.get(url(live_survey)).content.decode()
    assert 'name="nav" value="back"' in page2
    back = client.post(url(live_survey), {**form_fields(page2), "nav": "back", "q-csat": "2"})
    assert back.status_code == 302
    page1 = client.get(url(live_survey)).content.decode()
    assert 'name="page" value="1"' in page1
    assert 'value="4" checked' in page1  # the saved answer is shown again
    assert 'name="nav" value="back"' not in page1  # the first page has no back button
    response = Response.objects.get(survey=live_survey)
    assert response.status == "partial"
    assert not Answer.objects.filter(response=response, question__key="csat").exists()


def test_back_on_the_last_page_never_completes_the_response(live_survey):
    client = Client()
    fields = start(client, live_survey)
    client.post(url(live_survey), {**fields, "q-nps": "9"})
    page2 = client.get(url(live_survey)).content.decode()
    client.post(url(live_survey), {**form_fields(page2), **PAGE_2, "nav": "back"})
    assert Response.objects.get(survey=live_survey).status == "partial"


def test_questions_pipe_earlier_answers_and_the_customers_name(personas):
    plan = {
        "key": "plan",
        "type": "single",
        "page": 1,
        "text": {"en": "Your plan?"},
        "choices": [{"key": "pro", "label": {"en": "Pro"}}, {"key": "basic", "label": "Basic"}],
    }
    score = {
        "key": "score",
        "type": "nps",
        "page": 1,
        "text": "{customer:first_name}, recommend us?",
    }
    why = {"key": "why", "type": "text", "page": 2, "text": "Why {answer:score} for {answer:plan}?"}
    document = {"title": "Piped", "default_language": "en", "questions": [plan, score, why]}
    survey = do_set_survey_status(do_create_survey(personas.org, document), "live")
    customer = do_create_customer(personas.org, name="Linh Trần", email="linh@example.vn")
    client = Client()
    link = personal_url(survey, customer)
    first = client.get(link).content.decode()
    assert "Linh, recommend us?" in first
    client.post(link, {**form_fields(first), "q-plan": "pro", "q-score": "8"})
    assert "Why 8 for Pro?" in client.get(link).content.decode()
    # Nothing known of an anonymous respondent: the sentence still reads.
    assert "Recommend us?" in Client().get(url(survey)).content.decode()


def _order(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]+)"', html)


def test_options_and_a_block_are_in_each_respondents_own_order(personas):
    colours = [{"key": f"c{i}", "label": f"Colour {i}"} for i in range(8)]
    block = [
        {"key": f"q{i}", "type": "text", "page": 1, "text": f"Question {i}", "shuffle": True}
        for i in range(6)
    ]
    document = {
        "title": "Order",
        "questions": [
            {
                "key": "pick",
                "type": "single",
                "page": 1,
                "text": "Pick",
                "choices": colours,
                "randomize": True,
            },
            *block,
            {"key": "end", "type": "text", "page": 2, "text": "Anything else?"},
        ],
    }
    survey = do_set_survey_status(do_create_survey(personas.org, document), "live")
    orders, blocks = set(), set()
    for _visitor in range(6):
        client = Client()
        first = client.get(url(survey)).content.decode()
        again = client.get(url(survey)).content.decode()  # a reload
        client.post(url(survey), {**form_fields(first), "q-q0": "x"})  # saved: the code is kept
        page2 = client.get(url(survey)).content.decode()
        client.post(url(survey), {**form_fields(page2), "nav": "back"})
        kept = client.get(url(survey)).content.decode()  # page 1 again, as first shown
        order = tuple(_order(first, "q-pick"))
        assert sorted(order) == sorted(c["key"] for c in colours)
        assert tuple(_order(kept, "q-pick")) == order
        orders.add(order)
        blocks.add(tuple(re.findall(r'id="field-(q\d)"', kept)))
        assert again  # every visit renders
    assert len(orders) > 1
    assert len(blocks) > 1
    assert definition.export(survey)["questions"][0]["randomize"] is True
