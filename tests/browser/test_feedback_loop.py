"""The first thing a business does: build a survey, have a customer answer it, see the answer."""

import re

import pytest

from conftest import PASSWORD
from contento.surveys.models import Response

pytestmark = [pytest.mark.browser]


def test_build_answer_in_spanish_and_see_it_on_the_dashboard(
    transactional_db, live_server, personas, browser, page
):
    # The owner signs in.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(personas.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/surveys/$"))

    # ... builds a survey offered in English and Spanish with one NPS question.
    page.get_by_role("link", name="New survey").click()
    page.get_by_label("Title").fill("Quick check")
    page.get_by_label("Default language").select_option("en")
    page.locator("input[name=languages][value=es]").check()
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"/build/$"))
    form = page.locator("#add-question")
    form.locator("#id_kind").select_option("nps")
    form.locator("#id_text").fill("How likely are you to recommend us?")
    form.locator("#id_required").check()
    form.get_by_role("button", name="Add question").click()
    page.get_by_role("link", name="Spanish").click()
    page.get_by_label("Quick check").fill("Control rápido")
    page.get_by_label("How likely are you to recommend us?").fill(
        "¿Qué probabilidad hay de que nos recomiende?"
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish").click()
    public_url = page.locator("#public-link").get_attribute("href")

    # A customer opens the public link in Spanish and answers.
    customer = browser.new_context(locale="es-ES")
    respondent = customer.new_page()
    respondent.goto(f"{public_url}?lang=es")
    assert respondent.locator("h1").inner_text() == "Control rápido"
    respondent.get_by_text("¿Qué probabilidad hay de que nos recomiende?").wait_for()
    respondent.locator("label", has_text=re.compile(r"^9$")).click()
    respondent.locator("button[type=submit]").click()
    respondent.locator("[role=status]").wait_for()
    customer.close()
    response = Response.objects.get()
    assert (response.status, response.language) == ("complete", "es")

    # The owner sees the response on the dashboard.
    page.get_by_role("link", name="Dashboard").click()
    assert page.locator("#completed").inner_text() == "1"
    assert page.locator('[data-metric="nps"] .value').inner_text() == "100.0"
    assert page.locator(".chart svg").count() >= 1
