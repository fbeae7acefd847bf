"""A new owner makes Contento theirs: renames the workspace, invites a member who sets a
password and signs in with a second factor, builds a survey from a template with a
detractor-only question chosen from lists, previews it in Vietnamese, publishes it; a customer
answers on a phone; the owner finds the response from a filter."""

import base64
import re
import time

import pytest
from django.core import mail
from django_otp.oath import TOTP

from conftest import PASSWORD
from contento.accounts.models import Membership, Organization
from contento.surveys.models import Response, Survey

pytestmark = [pytest.mark.browser]
PHONE = {"width": 390, "height": 844}


def _code(secret: str, at: float) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = at
    return f"{totp.token():06d}"


def test_an_owner_goes_live(transactional_db, live_server, personas, browser, page, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(personas.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/surveys/$"))

    # The workspace gets the business's name.
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Business name").fill("Café Lumière")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The workspace settings are saved.").wait_for()
    assert Organization.objects.get(pk=personas.org.pk).name == "Café Lumière"

    # The owner invites Nina as an analyst.
    page.get_by_role("link", name="Members").click()
    page.locator("#m-email").fill("nina@example.net")
    page.locator("#m-role").select_option("analyst")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitation sent to nina@example.net.").wait_for()
    link = re.search(r"(http://\S+/accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)

    # Nina, on her phone, chooses a password, joins, and turns on two-factor sign-in.
    nina_context = browser.new_context(locale="en-US", viewport=PHONE)
    nina = nina_context.new_page()
    nina.set_default_timeout(15_000)
    nina.goto(link)
    nina.locator("#i-name").fill("Nina")
    nina.locator("#i-password").fill("a long and private passphrase")
    nina.locator("#i-password2").fill("a long and private passphrase")
    nina.get_by_role("button", name="Join the workspace").click()
    nina.get_by_text("Welcome to Café Lumière.").wait_for()
    assert Membership.objects.get(user__email="nina@example.net").role == "analyst"
    nina.get_by_role("link", name="Your account").click()
    nina.get_by_role("button", name="Set up two-factor sign-in").click()
    secret = nina.locator("p", has_text="Key").locator("code").inner_text()
    nina.locator("#id_code").fill(_code(secret, time.time()))
    nina.get_by_role("button", name="Turn on").click()
    nina.get_by_role("heading", name="Your recovery codes").wait_for()
    nina.get_by_role("button", name="Sign out").click()
    nina.goto(f"{base}/accounts/login/")
    nina.get_by_label("Email address").fill("nina@example.net")
    nina.get_by_label("Password").fill("a long and private passphrase")
    nina.get_by_role("button", name="Sign in").click()
    nina.wait_for_url(re.compile(r"/accounts/login/verify/$"))
    nina.locator("#id_code").fill(_code(secret, time.time() + 30))  # the next code
    nina.get_by_role("button", name="Sign in").click()
    nina.get_by_role("button", name="Sign out").wait_for()
    nina_context.close()

    # The owner starts from the relationship NPS template and adds a question for detractors.
    page.get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Start from a template").click()
    card = page.locator("section", has_text="Relationship NPS")
    card.get_by_role("button", name="Use this template").click()
    page.wait_for_url(re.compile(r"/build/$"))
    survey = Survey.objects.get(organization=personas.org)
    form = page.locator("#add-question")
    form.locator("#id_kind").select_option("text")
    form.locator("#id_text").fill("What disappointed you most?")
    form.locator("#id_page").fill("3")
    form.locator("select[name=show_if_question_1]").select_option("nps")
    form.locator("select[name=show_if_op_1]").select_option("detractor")
    form.get_by_role("button", name="Add question").click()
    page.get_by_text("nps is a detractor (0–6)").first.wait_for()

    # ... previews it in Vietnamese, then publishes it.
    page.locator("#preview-lang").select_option("vi")
    page.get_by_role("button", name="Preview", exact=True).click()
    page.wait_for_url(re.compile(r"/preview/"))
    assert page.locator("html").get_attribute("lang") == "vi"
    page.locator(f"a[href$='/surveys/{survey.code}/build/']").click()  # written in Vietnamese
    page.get_by_role("button", name="Publish").click()
    public_url = page.locator("#public-link").get_attribute("href")

    # A customer answers on a phone, as a detractor.
    phone = browser.new_context(locale="en-US", viewport=PHONE)
    respondent = phone.new_page()
    respondent.set_default_timeout(15_000)
    respondent.goto(public_url)
    respondent.locator("#field-nps label", has_text=re.compile(r"^3$")).click()
    respondent.locator("#field-why textarea").fill("Slow delivery, twice")
    respondent.get_by_role("button", name="Next").click()
    respondent.get_by_role("button", name="Next").click()
    respondent.locator("#field-disappointed-most textarea").fill("Nobody called me back")
    respondent.get_by_role("button", name="Submit").click()
    respondent.locator("[role=status]").wait_for()
    phone.close()
    response = Response.objects.get(survey=survey)
    assert response.status == "complete"

    # The owner finds it among the detractors and opens it.
    page.goto(f"{base}/surveys/{survey.code}/responses/")
    page.locator("#id_question").select_option("nps")
    page.locator("#id_op").select_option("le")
    page.locator("#id_value").fill("6")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("1 response").wait_for()
    page.locator("tbody a").first.click()
    page.get_by_text("Nobody called me back").wait_for()
    assert str(response.code) in page.url
