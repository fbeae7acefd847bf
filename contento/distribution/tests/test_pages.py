"""The audience and campaign pages: owners and managers make and send, analysts read, agents
and outsiders get nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from contento.accounts.models import AuditEvent
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.distribution import tasks
from contento.distribution.models import Audience, Campaign, Delivery


@pytest.fixture
def customers(personas):
    return [
        do_create_customer(personas.org, name="Ana Pérez", email="ana@example.net", language="es"),
        do_create_customer(personas.org, name="Ben Ode", email="ben@example.net", language="en"),
    ]


def test_a_manager_builds_an_audience_previews_it_and_saves_it(personas, customers):
    client = personas.client(Role.MANAGER)
    path = reverse("campaigns:audience_new")
    form = {"name": "Spanish speakers", "match": "all", "c0-field": "language", "c0-op": "is"}
    preview = client.post(path, {**form, "c0-value": "es", "action": "preview"})
    html = preview.content.decode()
    assert "1 customer" in html and "Ana Pérez" in html and "Ben Ode" not in html
    assert not Audience.objects.exists()

    wrong = client.post(path, {**form, "c0-value": "klingon", "action": "save"})
    assert wrong.status_code == 400
    assert "Condition 1: choose a language." in wrong.content.decode()
    assert not Audience.objects.exists()

    saved = client.post(path, {**form, "c0-value": "es", "action": "save"})
    audience = Audience.objects.get()
    assert saved["Location"] == reverse("campaigns:audience", args=[audience.code])
    assert audience.conditions == [{"field": "language", "op": "is", "value": "es"}]
    listing = client.get(reverse("campaigns:audiences")).content.decode()
    assert "language is es" in listing
    assert AuditEvent.objects.filter(action="audience.saved").count() == 1


def test_a_campaign_is_written_previewed_tested_and_sent(
    personas, customers, live_survey, django_capture_on_commit_callbacks
):
    client = personas.client(Role.OWNER)
    audience = Audience.objects.create(organization=personas.org, name="All")
    created = client.post(
        reverse("campaigns:new"),
        {
            "name": "June",
            "survey": str(live_survey.code),
            "audience": str(audience.code),
            "send_time": "10:00",
            "reminders": "1",
            "reminder_days": "3",
        },
    )
    campaign = Campaign.objects.get()
    path = reverse("campaigns:campaign", args=[campaign.code])
    assert created["Location"] == path
    page = client.get(path).content.decode()
    assert "2 customers will be invited." in page
    assert 'name="subject-es"' in page and 'name="subject-en"' in page

    client.post(
        path,
        {
            "subject-es": "Hola {customer:first_name}",
            "body-es": "¿Nos ayuda?",
            "subject-en": "",
            "body-en": "",
        },
    )
    campaign.refresh_from_db()
    assert campaign.messages == {
        "es": {"subject": "Hola {customer:first_name}", "body": "¿Nos ayuda?"}
    }

    preview = client.get(reverse("campaigns:preview", args=[campaign.code, "es"]))
    assert "¿Nos ayuda?" in preview.content.decode()
    assert "sandbox" in preview["Content-Security-Policy"]

    client.post(reverse("campaigns:test", args=[campaign.code]), {"language": "es"})
    (test,) = mail.outbox
    assert test.to == [personas.owner.email]
    assert test.subject == "[Test] Hola Olivia"
    assert not Delivery.objects.exists()  # a test counts nowhere

    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("campaigns:send", args=[campaign.code]))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.QUEUED  # the worker writes the deliveries
    assert queued and not Delivery.objects.exists()
    # Sent twice (a double click): refused, and nothing more is queued.
    again = client.post(reverse("campaigns:send", args=[campaign.code]), follow=True)
    assert "already sent" in again.content.decode()
    assert tasks.prepare_campaign.call(str(campaign.code))["scheduled"] == 2
    assert tasks.prepare_campaign.call(str(campaign.code)) == {"prepared": False}
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING
    assert Delivery.objects.filter(status="scheduled").count() == 2
    assert "How it went" in client.get(path).content.decode()


@pytest.mark.parametrize("role, status", [(Role.ANALYST, 200), (Role.AGENT, 403)])
def test_who_reads_the_campaign_pages(personas, role, status):
    client = personas.client(role)
    assert client.get(reverse("campaigns:list")).status_code == status
    assert client.get(reverse("campaigns:audiences")).status_code == status


def test_an_analyst_changes_nothing_and_an_outsider_sees_nothing(personas, live_survey, customers):
    audience = Audience.objects.create(organization=personas.org, name="All")
    campaign = Campaign.objects.create(
        organization=personas.org, name="June", survey=live_survey, audience=audience
    )
    analyst = personas.client(Role.ANALYST)
    assert analyst.get(reverse("campaigns:new")).status_code == 403
    assert analyst.post(reverse("campaigns:send", args=[campaign.code])).status_code == 403
    assert analyst.get(reverse("campaigns:audience", args=[audience.code])).status_code == 403
    assert not Delivery.objects.exists()

    outsider = personas.client(personas.outsider)
    for path in (
        reverse("campaigns:campaign", args=[campaign.code]),
        reverse("campaigns:preview", args=[campaign.code, "en"]),
        reverse("campaigns:audience", args=[audience.code]),
    ):
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(reverse("campaigns:send", args=[campaign.code])).status_code == 404
    assert not Delivery.objects.exists()
    anonymous = personas.client()
    assert anonymous.get(reverse("campaigns:list"))["Location"].startswith("/accounts/login/")


def test_the_timeline_shows_the_invitation_and_the_unsubscription(personas, live_survey, customers):
    from contento.customers.actions import do_unsubscribe
    from contento.customers.timeline import customer_timeline
    from contento.distribution import campaigns

    audience = Audience.objects.create(organization=personas.org, name="All")
    campaign = Campaign.objects.create(
        organization=personas.org, name="June", survey=live_survey, audience=audience
    )
    campaigns.do_queue_campaign(campaign)
    delivery = Delivery.objects.get(customer=customers[0])
    delivery.send_after = None
    Delivery.objects.filter(pk=delivery.pk).update(send_after=campaign.queued_at)
    campaigns.send_delivery(delivery.code)
    campaigns.do_record_click(delivery.code)
    do_unsubscribe(customers[0])
    kinds = [e.kind for e in customer_timeline(customers[0])]
    assert {"campaign_invited", "campaign_opened", "campaign_clicked", "unsubscribed"} <= set(kinds)
    assert re.search("June", " ".join(e.title for e in customer_timeline(customers[0])))
