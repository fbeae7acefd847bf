"""A visitor chats with an agent: each sees the other's message within a second."""

import re
import time

import pytest

from conftest import PASSWORD
from contento.support.models import Team, Ticket

pytestmark = [pytest.mark.browser]
WITHIN = 1000  # milliseconds


def test_both_sides_see_each_others_messages_within_a_second(
    transactional_db, live_server, personas, browser, page
):
    org = personas.org
    agent = org.memberships.get(user=personas.members["agent"])
    team = Team.objects.create(organization=org, name="Chat", email_address="chat@acme.test")
    team.members.set([agent])

    # The visitor opens the chat and asks.
    visitor_context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    visitor = visitor_context.new_page()
    visitor.set_default_timeout(15_000)
    visitor.goto(f"{live_server.url}/help/{org.code}/chat/?team={team.code}")
    visitor.get_by_label("Your name").fill("Ana")
    visitor.get_by_label("Your email").fill("ana@example.net")
    visitor.get_by_label("Your question").fill("Is my order on its way?")
    visitor.get_by_role("button", name="Start the chat").click()
    visitor.wait_for_url(re.compile(r"/help/t/"))
    chat = Ticket.objects.get()

    # The agent opens it.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{chat.get_absolute_url()}")
    page.locator("#conversation").get_by_text("Is my order on its way?").wait_for()

    # The agent answers; the visitor's page shows it within a second, with no reload.
    page.locator("#id_body").fill("Yes, it left this morning.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply sent.").wait_for()
    sent = time.monotonic()
    visitor.locator("#conversation").get_by_text("Yes, it left this morning.").wait_for(
        timeout=WITHIN
    )
    answered_in = time.monotonic() - sent

    # The visitor writes back; the agent's page shows it within a second.
    visitor.locator("textarea[name=body]").fill("Great, thank you!")
    visitor.get_by_role("button", name="Send").click()
    visitor.locator("#conversation").get_by_text("Great, thank you!").wait_for()
    sent = time.monotonic()
    page.locator("#conversation").get_by_text("Great, thank you!").wait_for(timeout=WITHIN)
    read_in = time.monotonic() - sent
    visitor_context.close()
    assert answered_in < WITHIN / 1000
    assert read_in < WITHIN / 1000
