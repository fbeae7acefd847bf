"""What assistive technology reads on the respondent pages (checked in the HTML here; the
browser tests run axe-core over the same pages)."""

import re

from django.test import Client
from django.urls import reverse

from contento.surveys.tests.test_public import form_fields, url


def test_the_progress_bar_says_which_page_in_words(live_survey):
    page = Client().get(url(live_survey)).content.decode()
    progress = re.search(r"<progress[^>]*>", page).group(0)
    assert 'aria-valuetext="Page 1 of 2"' in progress
    assert 'aria-labelledby="page-of"' in progress


def test_a_refused_page_opens_with_a_summary_that_links_each_problem(live_survey):
    client = Client()
    fields = form_fields(client.get(url(live_survey)).content.decode())
    page = client.post(url(live_survey), {**fields, "q-why": "no score"}).content.decode()
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#field-nps"' in summary
    assert "This question needs an answer." in summary
    assert 'tabindex="-1"' in page.split('id="error-summary"')[0][-200:] + summary


def test_the_ends_of_a_scale_are_read_with_its_first_and_last_point(live_survey):
    page = Client().get(url(live_survey)).content.decode()
    nps = page.split('id="field-nps"')[1].split("</fieldset>")[0]
    assert re.search(r'value="0"><span>0</span><span class="skip"> [^<]+</span>', nps)
    assert re.search(r'value="10"><span>10</span><span class="skip"> [^<]+</span>', nps)


def test_the_closed_page_has_a_language_a_title_and_follows_lang(survey):
    page = Client().get(reverse("public:open", args=[survey.code]) + "?lang=es")
    body = page.content.decode()
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in body
    title = re.search(r"<title>([^<]*)</title>", body).group(1).strip()
    assert title
    assert "This survey is not open" not in title  # in Spanish


def test_the_thank_you_page_has_its_language(live_survey):
    client = Client()
    fields = form_fields(client.get(url(live_survey) + "?lang=es").content.decode())
    client.post(url(live_survey), {**fields, "q-nps": "10"})
    fields = form_fields(client.get(url(live_survey)).content.decode())
    client.post(url(live_survey), fields)
    thanks = client.get(url(live_survey)).content.decode()
    assert "¡Gracias!" in thanks
    assert '<html lang="es">' in thanks
