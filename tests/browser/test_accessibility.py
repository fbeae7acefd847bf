"""axe-core (WCAG 2.1 AA rules) finds nothing serious or critical on the public pages and the
main staff pages, on a desktop and on a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from conftest import PASSWORD
from contento.customers.actions import do_create_customer
from contento.support import ratings
from contento.support.access import customer_ticket_token
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket
from contento.surveys.actions import do_set_survey_status

pytestmark = [pytest.mark.browser]
WINDOWS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE = Axe()
OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


def _serious(page) -> list[str]:
    results = AXE.run(page, options=OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("window", WINDOWS)
def test_public_and_staff_pages_pass_axe(
    transactional_db, live_server, personas, survey, browser, window
):
    live = do_set_survey_status(survey, "live")
    customer = do_create_customer(
        personas.org, name="Lucía", email="lucia@example.net", language="es"
    )
    ticket = do_create_ticket(
        personas.org,
        customer=customer,
        subject="Mi fibra",
        body="No va.",
        channel=Ticket.Channel.WEB,
    )
    rating = ratings.schedule(ticket)
    base = live_server.url
    public_pages = [
        reverse("public:open", args=[live.code]),
        reverse("public:open", args=[live.code]) + "?lang=es",
        reverse("support_public:contact", args=[personas.org.code]) + "?lang=ru",
        reverse("support_public:chat", args=[personas.org.code]) + "?lang=vi",
        reverse("support_public:ticket", args=[customer_ticket_token(ticket)]),
        reverse("support_public:rate", args=[ratings.rating_token(rating)]),
        reverse("accounts:login"),
    ]
    staff_pages = [
        reverse("surveys:list"),
        reverse("surveys:dashboard", args=[live.code]),
        reverse("surveys:build", args=[live.code]),
        reverse("surveys:responses", args=[live.code]),
        reverse("support:queue"),
        ticket.get_absolute_url(),
        reverse("support:reach"),
        reverse("accounts:members"),
        reverse("accounts:workspace"),
        reverse("accounts:audit"),
        reverse("insights:overview"),
        reverse("insights:loop"),
        reverse("campaigns:list"),
        reverse("campaigns:audience_new"),
        reverse("campaigns:new"),
        reverse("campaigns:trigger_new"),
        reverse("campaigns:rules"),
        reverse("campaigns:rule_new"),
        reverse("campaigns:cases"),
    ]
    context = browser.new_context(locale="en-US", viewport=WINDOWS[window])
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    for path in public_pages:
        page.goto(base + path)
        found[path] = _serious(page)
    page.goto(base + reverse("accounts:login"))
    page.get_by_label("Email address").fill(personas.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    for path in staff_pages:
        page.goto(base + path)
        found[path] = _serious(page)
    context.close()
    assert {path: problems for path, problems in found.items() if problems} == {}
