"""Issue 14's journey: an owner builds an audience and sends a campaign in two languages; a
customer answers 2 with an angry comment on a phone; a follow-up case lands in the right
team's queue with its due time; the agent replies and closes it; the customer's timeline
shows every step, and the loop page counts it."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from conftest import PASSWORD
from contento.accounts.models import Membership
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.distribution import campaigns
from contento.distribution.models import Delivery, FollowUpCase, FollowUpRule, RootCause
from contento.support.models import Team

pytestmark = [pytest.mark.browser]


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_campaign_an_unhappy_answer_and_its_follow_up(
    transactional_db, live_server, personas, browser, page, live_survey
):
    base = live_server.url
    org = personas.org
    org.public_url = base  # the links in the emails lead to this test server
    org.save(update_fields=["public_url"])
    team = Team.objects.create(organization=org, name="Recovery")
    agent = Membership.objects.get(organization=org, user=personas.members[Role.AGENT])
    team.members.add(agent)
    FollowUpRule.objects.create(
        organization=org,
        name="Detractors",
        team=team,
        condition={"kind": "score", "question": "nps", "max": 6},
        due_hours=8,
    )
    RootCause.objects.create(organization=org, name="No call back")
    ana = do_create_customer(org, name="Ana Pérez", email="ana@example.net", language="es")
    do_create_customer(org, name="Ben Ode", email="ben@example.net", language="en")

    # The owner builds an audience from the lists, previews it and saves it.
    _sign_in(page, base, personas.owner.email)
    page.goto(f"{base}/campaigns/audiences/new/")
    page.get_by_label("Name", exact=True).fill("Reachable customers")
    page.locator("select[name=c0-field]").select_option("consent")
    page.locator("select[name=c0-op]").select_option("is")
    page.locator("input[name=c0-value]").fill("yes")
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("heading", name="2 customers").wait_for()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The audience is saved.").wait_for()

    # A campaign in English and Spanish, previewed in Spanish, then sent.
    page.goto(f"{base}/campaigns/new/")
    page.locator("#id_name").fill("June")
    page.locator("#id_reminders").fill("0")
    page.get_by_role("button", name="Next: the message").click()
    page.locator("#subject-es").fill("¿Cómo lo hicimos, {customer:first_name}?")
    page.locator("#subject-en").fill("How did we do, {customer:first_name}?")
    page.get_by_role("button", name="Save the messages").click()
    page.get_by_text("2 customers will be invited.").wait_for()
    preview = page.get_by_role("link", name=re.compile("Preview in español", re.I))
    preview_url = base + preview.get_attribute("href")
    preview_page = page.context.new_page()
    preview_page.goto(preview_url)
    assert "Ana" in preview_page.content()  # a real customer's name piped in
    preview_page.close()
    page.get_by_role("button", name="Send the campaign").click()
    page.get_by_text("The campaign is being prepared").wait_for()

    # The worker prepares the invitations, then its tick sends them (at the first moment
    # outside quiet hours).
    assert campaigns.prepare_queued() == 1
    due = max(Delivery.objects.values_list("send_after", flat=True))
    campaigns.tick(now=max(due, timezone.now()) + dt.timedelta(minutes=1))
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["ana@example.net"].subject == "¿Cómo lo hicimos, Ana?"
    assert by_address["ben@example.net"].subject == "How did we do, Ben?"

    # Ana answers 2 on her phone, angrily.
    link = next(
        u for u in re.findall(r"https?://\S+", by_address["ana@example.net"].body) if "/m/c/" in u
    )
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-ES")
    respondent = phone.new_page()
    respondent.set_default_timeout(15_000)
    respondent.goto(base + re.sub(r"^https?://[^/]+", "", link))
    respondent.locator("#field-nps label", has_text=re.compile(r"^2$")).click()
    respondent.locator("textarea[name=q-why]").fill(
        "¡Es una vergüenza! Nadie me devolvió la llamada."
    )
    respondent.get_by_role("button", name="Siguiente").click()
    respondent.get_by_role("button", name="Siguiente").click()
    respondent.locator("textarea[name=q-fix]").fill("Llamarme.")
    respondent.get_by_role("button", name="Enviar").click()
    respondent.get_by_text("¡Gracias!").wait_for()
    phone.close()

    case = FollowUpCase.objects.get()
    assert (case.customer, case.ticket.team, case.reason) == (ana, team, "NPS 2")
    assert case.due_at is not None

    # The agent finds it in the follow-ups, with its due time, replies and closes it.
    page.context.clear_cookies()
    _sign_in(page, base, personas.members[Role.AGENT].email)
    page.goto(f"{base}/campaigns/follow-ups/")
    page.get_by_role("link", name="Ana Pérez").click()
    page.get_by_text("NPS 2").first.wait_for()
    page.get_by_role("link", name=re.compile(r"Ticket #")).click()
    page.locator("#id_body").fill("Lo sentimos mucho, Ana. La llamamos hoy mismo.")
    page.locator("#id_status").select_option("solved")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply sent.").wait_for()
    page.goto(f"{base}/campaigns/follow-ups/{case.code}/")
    page.locator("#id_contacted").select_option("phone")
    page.locator("#id_resolved").check()
    page.locator("#id_root_cause").select_option(label="No call back")
    page.get_by_role("button", name="Save the outcome").click()
    page.get_by_text("The outcome is saved.").wait_for()
    case.refresh_from_db()
    assert case.closed_the_loop and case.root_cause.name == "No call back"

    # Her timeline shows every step.
    page.goto(f"{base}/customers/{ana.code}/")
    timeline = page.locator("main").inner_text()
    for step in (
        "Invited by the campaign June",
        "Followed the link of June",
        "Answered the survey",
    ):
        assert step in timeline, step
    assert "Lo sentimos mucho" in timeline

    # The owner's loop page counts it.
    page.context.clear_cookies()
    _sign_in(page, base, personas.owner.email)
    page.goto(f"{base}/insights/loop/")
    page.get_by_role("heading", name="1 unhappy response").wait_for()
    assert "Recovery" in page.locator("main").inner_text()
