"""The help centre and the rating page say their language and read well with a screen
reader."""

import re

from django.test import Client
from django.urls import reverse

from contento.support import ratings
from contento.support.tests.test_customer_links import _ticket


def test_the_help_centre_names_the_language_it_is_written_in(desk):
    path = reverse("support_public:contact", args=[desk.org.code])
    assert Client().get(path, {"lang": "ru"})["Content-Language"] == "ru"
    assert Client().get(path, HTTP_ACCEPT_LANGUAGE="vi")["Content-Language"] == "vi"
    chat = reverse("support_public:chat", args=[desk.org.code])
    assert Client().get(chat, {"lang": "id"})["Content-Language"] == "id"


def test_the_rating_page_uses_the_survey_scale_and_announces_the_saved_rating(desk):
    rating = ratings.schedule(_ticket(desk))
    path = reverse("support_public:rate", args=[ratings.rating_token(rating)])
    page = Client().get(path, {"score": "4"})
    body = page.content.decode()
    assert page["Content-Language"] == rating.language
    assert '<div class="scale">' in body
    assert len(re.findall(r'<input type="radio" name="score"', body)) == 5
    assert re.search(r'<p class="saved" role="status" aria-live="polite">', body)
    # The question comes from the translators' catalogs, in the customer's language.
    assert rating.language == "es"
    assert "¿Qué tan satisfecho" in body
