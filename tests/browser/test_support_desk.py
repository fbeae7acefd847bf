"""A customer asks for help on the contact form, an agent answers and solves it, the customer
reads the answer through their link and rates how they were treated."""

import re

import pytest
from django.core import mail

from conftest import PASSWORD
from contento.support.models import DeskSettings, Team, Ticket, TicketRating
from contento.support.tasks import desk_tick

pytestmark = [pytest.mark.browser]


def test_contact_answer_solve_and_rate(
    transactional_db, live_server, personas, browser, page, settings
):
    settings.SITE_URL = live_server.url
    org = personas.org
    DeskSettings.objects.create(organization=org, rating_delay_minutes=0)
    agent = org.memberships.get(user=personas.members["agent"])
    team = Team.objects.create(organization=org, name="Soporte", email_address="help@acme.test")
    team.members.set([agent])

    # The customer writes in Spanish on the public contact form.
    customer_context = browser.new_context(locale="es-ES")
    customer = customer_context.new_page()
    customer.set_default_timeout(15_000)
    customer.goto(f"{live_server.url}/help/{org.code}/?lang=es&team={team.code}")
    customer.locator("#id_name").fill("Lucía Pérez")
    customer.locator("#id_email").fill("lucia@example.net")
    customer.locator("#id_subject").fill("Mi fibra no funciona")
    customer.locator("#id_body").fill("Desde ayer no tengo conexión.")
    customer.locator("main form button[type=submit]").click()
    customer.wait_for_url(re.compile(r"/help/t/"))
    own_link = customer.url
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.language, ticket.assignee) == ("web", "es", agent)

    # The agent signs in, finds it in their queue and answers.
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/support/")
    page.get_by_role("link", name=re.compile("Mi fibra no funciona")).click()
    page.locator("#id_body").fill("Hola Lucía, hemos reiniciado su línea. ¿Funciona ahora?")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Reply sent.").wait_for()

    # The customer sees the answer on their own page (it refreshes itself).
    customer.goto(own_link)
    customer.get_by_text("hemos reiniciado su línea").wait_for()

    # The agent solves the ticket.
    page.locator("aside select[name=status]").select_option("solved")
    page.locator("aside form").first.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.status == "solved"

    # The worker sends the satisfaction question; the customer clicks "5" in the email.
    desk_tick.call()
    question = next(m for m in mail.outbox if "/help/rate/" in m.body)
    assert question.to == ["lucia@example.net"]
    five = re.search(r"(http://\S+/help/rate/\S+\?score=5)", question.body).group(1)
    customer.goto(five)
    customer.locator("p.saved").wait_for()
    rating = TicketRating.objects.get()
    assert (rating.score, rating.agent) == (5, agent)
    customer.locator("#comment").fill("Muy rápidos y amables")
    customer.locator("#rate-score button[type=submit]").click()
    customer.locator("p.thanks").wait_for()
    rating.refresh_from_db()
    assert rating.comment == "Muy rápidos y amables"
    customer_context.close()
