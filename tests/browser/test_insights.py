"""An owner opens the key-driver page of the demo survey and sees the chart."""

import re

import pytest
from django.core.management import call_command

from conftest import PASSWORD

pytestmark = [pytest.mark.browser]


def test_drivers_page_on_demo_data(transactional_db, live_server, personas, page):
    call_command("demo", workspace=str(personas.org.code))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(personas.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/surveys/$"))
    page.get_by_role("link", name="How are we doing?").click()
    page.get_by_role("link", name="Key drivers").click()
    chart = page.locator("#ipa-chart svg")
    chart.wait_for()
    assert chart.locator("circle").count() >= 5
    assert page.locator("#drivers tbody tr").count() >= 5
    # The demo's customers care most about reliability and least about price.
    rows = page.locator("#drivers tbody tr").all_inner_texts()
    ranked = sorted(rows, key=lambda row: float(row.split("\t")[1].rstrip("%")))
    assert ranked[-1].startswith("Reliability"), rows
    assert ranked[0].startswith("Price"), rows
    page.get_by_role("link", name="Insights").click()
    assert page.locator("#by-month").is_visible()
