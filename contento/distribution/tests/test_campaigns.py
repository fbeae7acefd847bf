"""Campaigns invite an audience at each customer's own time, outside quiet hours, once each,
with every exclusion counted; reminders reach only those who have not answered."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contento.accounts.actions import do_update_workspace
from contento.customers.actions import (
    do_create_customer,
    do_mark_bounced,
    do_save_customer,
    do_unsubscribe,
)
from contento.customers.models import Customer
from contento.distribution import campaigns
from contento.distribution.models import Audience, Campaign, Delivery
from contento.support.channels.email import inbound
from contento.surveys.models import Response

# A Monday, 08:00 UTC.
NOW = dt.datetime(2026, 6, 15, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def audience(personas):
    return Audience.objects.create(organization=personas.org, name="Everyone")


def _campaign(personas, live_survey, audience, **fields):
    return Campaign.objects.create(
        organization=personas.org, name="June", survey=live_survey, audience=audience, **fields
    )


def _customer(personas, name, **fields):
    customer = do_create_customer(
        personas.org,
        name=name,
        email=f"{name.lower().replace(' ', '.').encode('ascii', 'ignore').decode()}@example.net",
        language=fields.pop("language", "en"),
    )
    Customer.objects.filter(pk=customer.pk).update(**fields)
    customer.refresh_from_db()
    return customer


def _links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


def test_every_exclusion_is_counted_and_nobody_is_invited_twice(personas, live_survey, audience):
    reachable = [_customer(personas, f"Reach {i}") for i in range(3)]
    _customer(personas, "No Consent", contact_consent=False)
    do_unsubscribe(_customer(personas, "Gone Away"))
    bounced = _customer(personas, "Bounce Back")
    do_mark_bounced(personas.org, ["BOUNCE.BACK@example.net"])
    _customer(personas, "Asked Lately", last_surveyed_at=NOW - dt.timedelta(days=10))
    _customer(personas, "Asked Long Ago", last_surveyed_at=NOW - dt.timedelta(days=40))
    nameless = do_create_customer(personas.org, name="No Address")
    campaign = _campaign(personas, live_survey, audience)

    with time_machine.travel(NOW, tick=False):
        assert campaigns.reach(campaign)["invited"] == 4
        queued = campaigns.do_queue_campaign(campaign)
    assert queued == {
        "scheduled": 4,
        "excluded": {"no_consent": 1, "unsubscribed": 1, "bounced": 1, "recent": 1, "no_email": 1},
    }
    deliveries = Delivery.objects.filter(campaign=campaign)
    assert deliveries.count() == 9  # one per member of the audience, left out or not
    assert deliveries.get(customer=bounced).reason == "bounced"
    assert deliveries.get(customer=nameless).status == Delivery.Status.EXCLUDED
    with pytest.raises(ValidationError, match="already sent"):
        campaigns.do_queue_campaign(campaign)
    assert deliveries.count() == 9

    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        result = campaigns.tick()
        assert result == {"sent": 4}
        assert campaigns.tick() == {}  # a second tick sends nothing again
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        c.email for c in reachable + [Customer.objects.get(name="Asked Long Ago")]
    )
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_the_invitation_is_branded_in_two_parts_with_a_one_click_unsubscribe(
    personas, live_survey, audience
):
    ana = _customer(personas, "Ana Pérez", language="es")
    campaign = _campaign(
        personas,
        live_survey,
        audience,
        messages={
            "es": {
                "subject": "¿Qué tal, {customer:first_name}?",
                "body": "Hola {customer:first_name}.\n\nGracias.",
            }
        },
    )
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        campaigns.do_queue_campaign(campaign)
        campaigns.tick()
    (message,) = mail.outbox
    assert message.subject == "¿Qué tal, Ana?"
    assert "Hola Ana." in message.body
    html = message.alternatives[0][0]
    assert re.search(r'<table[^>]* role="presentation"', html)
    assert 'style="' in html and "<style>" in html  # inlined, with the @media rule kept
    assert "@media" in html and ".body {" not in html
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body and unsubscribe in html

    # RFC 8058: the mail provider posts, with no cookie and no CSRF token.
    path = unsubscribe.split("testserver", 1)[-1] if "testserver" in unsubscribe else unsubscribe
    path = re.sub(r"^https?://[^/]+", "", path)
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert Customer.objects.get(pk=ana.pk).contact_consent  # a fetched link unsubscribes nobody
    done = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    ana.refresh_from_db()
    assert (ana.contact_consent, ana.unsubscribed_at is not None) == (False, True)
    assert client.get(path.replace("/u/", "/u/x")).status_code == 404


def test_invitations_leave_at_the_customers_own_time_outside_quiet_hours(
    personas, live_survey, audience
):
    do_update_workspace(
        personas.org,
        {"quiet_hours_start": dt.time(21, 0), "quiet_hours_end": dt.time(9, 0)},
    )
    hanoi = _customer(personas, "Hoa", timezone="Asia/Ho_Chi_Minh")
    mexico = _customer(personas, "Luis", timezone="America/Mexico_City")
    late = _campaign(
        personas, live_survey, audience, send_on=dt.date(2026, 6, 16), send_time=dt.time(22, 30)
    )
    with time_machine.travel(NOW, tick=False):
        campaigns.do_queue_campaign(late)
    at = {d.customer_id: d.send_after for d in late.deliveries.all()}
    # 22:30 is within the quiet hours: the next morning at 09:00, in each one's own zone.
    assert at[hanoi.pk] == dt.datetime(2026, 6, 17, 2, 0, tzinfo=dt.UTC)  # 09:00 in Hanoi
    assert at[mexico.pk] == dt.datetime(2026, 6, 17, 15, 0, tzinfo=dt.UTC)  # 09:00 in Mexico

    with time_machine.travel(dt.datetime(2026, 6, 17, 2, 30, tzinfo=dt.UTC), tick=False):
        assert campaigns.tick() == {"sent": 1}
    assert mail.outbox[0].to == [hanoi.email]


def test_quiet_hours_within_one_day_and_none():
    zone = dt.timezone(dt.timedelta(hours=2))
    noon = dt.datetime(2026, 6, 15, 12, 30, tzinfo=zone)
    lunch = campaigns.outside_quiet_hours(noon, dt.time(12, 0), dt.time(14, 0))
    assert lunch == dt.datetime(2026, 6, 15, 14, 0, tzinfo=zone)
    assert campaigns.outside_quiet_hours(noon, dt.time(9, 0), dt.time(9, 0)) == noon
    night = dt.datetime(2026, 6, 15, 3, 0, tzinfo=zone)
    assert campaigns.outside_quiet_hours(night, dt.time(21, 0), dt.time(8, 0)) == (
        dt.datetime(2026, 6, 15, 8, 0, tzinfo=zone)
    )


def test_sending_is_throttled_per_minute(personas, live_survey, audience):
    for i in range(5):
        _customer(personas, f"Person {i}")
    campaign = _campaign(personas, live_survey, audience, per_minute=2)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        campaigns.do_queue_campaign(campaign)
        assert campaigns.tick() == {"sent": 2}
        assert campaigns.tick() == {"sent": 2}
        assert campaigns.tick() == {"sent": 1}
    assert len({m.to[0] for m in mail.outbox}) == 5


def test_the_gap_between_surveys_holds_across_campaigns(personas, live_survey, audience):
    ana = _customer(personas, "Ana")
    first = _campaign(personas, live_survey, audience)
    second = _campaign(personas, live_survey, audience)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        campaigns.do_queue_campaign(first)
        campaigns.do_queue_campaign(second)  # both queued before either was sent
        assert campaigns.tick() == {"sent": 1, "excluded": 1}
    assert len(mail.outbox) == 1
    left_out = Delivery.objects.get(customer=ana, status="excluded")
    assert left_out.reason == "recent"
    assert Campaign.objects.get(pk=left_out.campaign_id).exclusions == {"recent": 1}
    ana.refresh_from_db()
    assert ana.last_surveyed_at == NOW + dt.timedelta(hours=2)
    # A workspace without the rule asks again.
    do_update_workspace(personas.org, {"survey_gap_days": 0})
    third = _campaign(personas, live_survey, audience)
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        assert campaigns.do_queue_campaign(third)["scheduled"] == 1


def test_reminders_reach_only_those_who_have_not_answered(personas, live_survey, audience):
    ana, ben = _customer(personas, "Ana"), _customer(personas, "Ben")
    campaign = _campaign(personas, live_survey, audience, reminders=2, reminder_days=3)
    start = NOW + dt.timedelta(hours=2)
    with time_machine.travel(start, tick=False):
        campaigns.do_queue_campaign(campaign)
        campaigns.tick()
    # Ben follows his link and answers; Ana does not.
    ben_mail = next(m for m in mail.outbox if m.to == [ben.email])
    click = re.sub(r"^https?://[^/]+", "", next(u for u in _links(ben_mail) if "/m/c/" in u))
    client = Client()
    survey_page = client.get(click)
    assert survey_page.status_code == 302
    page = client.get(survey_page["Location"])
    assert page.status_code == 200
    client.post(survey_page["Location"], {"page": "1", "lang": "en", "q-nps": "9"})
    client.post(survey_page["Location"], {"page": "2", "lang": "en"})
    response = Response.objects.get(customer=ben)
    assert response.status == Response.Status.COMPLETE
    assert response.link_key == Delivery.objects.get(customer=ben).link_key

    mail.outbox.clear()
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        assert campaigns.tick() == {}  # not yet
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        assert campaigns.tick() == {"reminded": 1, "skipped": 1}
    assert [m.to for m in mail.outbox] == [[ana.email]]
    assert mail.outbox[0].subject.startswith("Reminder: ")
    with time_machine.travel(start + dt.timedelta(days=6), tick=False):
        assert campaigns.tick() == {"reminded": 1}
    with time_machine.travel(start + dt.timedelta(days=9), tick=False):
        assert campaigns.tick() == {}  # two reminders at most
    figures = campaigns.campaign_figures(campaign)
    assert {k: figures[k] for k in ("sent", "delivered", "clicked", "opened", "completed")} == {
        "sent": 2,
        "delivered": 2,
        "clicked": 1,
        "opened": 1,
        "completed": 1,
    }
    assert figures["rate"].value == 0.5 and figures["rate"].lower < 0.5 < figures["rate"].upper


def test_an_unsubscribed_customer_gets_no_reminder(personas, live_survey, audience):
    ana = _customer(personas, "Ana")
    campaign = _campaign(personas, live_survey, audience, reminders=1, reminder_days=1)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        campaigns.do_queue_campaign(campaign)
        campaigns.tick()
    do_unsubscribe(ana)
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        assert campaigns.tick() == {"skipped": 1}
    assert len(mail.outbox) == 1


def test_the_open_image_counts_once_and_needs_no_sign_in(personas, live_survey, audience):
    _customer(personas, "Ana")
    campaign = _campaign(personas, live_survey, audience)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        campaigns.do_queue_campaign(campaign)
        campaigns.tick()
    delivery = campaign.deliveries.get()
    pixel = reverse("distribution_public:open", args=[delivery.code])
    assert pixel in mail.outbox[0].alternatives[0][0]
    image = Client().get(pixel)
    assert (image.status_code, image["Content-Type"]) == (200, "image/gif")
    first = Delivery.objects.get(pk=delivery.pk).opened_at
    Client().get(pixel)
    assert Delivery.objects.get(pk=delivery.pk).opened_at == first


def test_a_draft_survey_or_an_empty_audience_is_not_sent(personas, survey, audience):
    campaign = _campaign(personas, survey, audience)
    with pytest.raises(ValidationError, match="Publish the survey"):
        campaigns.do_queue_campaign(campaign)
    survey.status = "live"
    survey.save()
    with pytest.raises(ValidationError, match="Nobody"):
        campaigns.do_queue_campaign(campaign)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.DRAFT


def test_the_demo_workspace_sends_nothing(personas, live_survey, audience):
    _customer(personas, "Ana")
    personas.org.is_demo = True
    personas.org.save()
    campaign = _campaign(personas, live_survey, audience)
    campaigns.do_queue_campaign(campaign, now=timezone.now() - dt.timedelta(days=1))
    campaigns.tick()
    assert mail.outbox == []
    assert campaign.deliveries.get().status == Delivery.Status.FAILED


def _report(
    original_message_id: str, recipient: str, status: str = "5.1.1", action: str = "failed"
) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
        f"To: {settings.SUPPORT_EMAIL}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        "--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        f"Message-ID: {original_message_id}\r\n"
        "Subject: We would like your opinion\r\n\r\nHello.\r\n"
        "--b1--\r\n"
    ).encode()


def test_a_bounced_invitation_marks_the_address_through_the_mail_listener(
    personas, live_survey, audience
):
    ana, ben = _customer(personas, "Ana"), _customer(personas, "Ben")
    campaign = _campaign(personas, live_survey, audience, reminders=1)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        campaigns.do_queue_campaign(campaign)
        campaigns.tick()
    to_ana = next(m for m in mail.outbox if m.to == [ana.email])
    message_id = to_ana.extra_headers["Message-ID"]
    # A temporary failure changes nothing; a permanent one marks the delivery and address.
    inbound.receive(_report(message_id, ana.email, "4.2.2", "delayed"), [settings.SUPPORT_EMAIL])
    ana.refresh_from_db()
    assert ana.email_bounced_at is None
    inbound.receive(_report(message_id, ana.email), [settings.SUPPORT_EMAIL])
    ana.refresh_from_db()
    assert ana.email_bounced_at is not None
    delivery = Delivery.objects.get(customer=ana)
    assert (delivery.status, delivery.next_reminder_at) == ("bounced", None)
    # A report about someone else's message marks nobody.
    inbound.receive(_report("<ticket-1-1@elsewhere>", ben.email), [settings.SUPPORT_EMAIL])
    ben.refresh_from_db()
    assert ben.email_bounced_at is None
    figures = campaigns.campaign_figures(campaign)
    assert (figures["sent"], figures["bounced"], figures["delivered"]) == (2, 1, 1)
    # The next campaign leaves the address out, and says why.
    do_update_workspace(personas.org, {"survey_gap_days": 0})
    later = _campaign(personas, live_survey, audience)
    assert campaigns.do_queue_campaign(later)["excluded"] == {"bounced": 1}
    # A corrected address may be mailed again.
    do_save_customer(personas.org, {"email": "ana.new@example.net"}, ana)
    ana.refresh_from_db()
    assert ana.email_bounced_at is None


def test_a_campaign_whose_preparation_was_lost_is_prepared_by_the_tick(
    personas, live_survey, audience
):
    _customer(personas, "Ana")
    campaign = _campaign(personas, live_survey, audience)
    campaigns.do_request_sending(campaign)  # its task lost (or its worker killed)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.QUEUED
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert campaigns.prepare_queued() == 1
        assert campaigns.prepare_queued() == 0
        assert campaigns.tick() == {"sent": 1}
    with pytest.raises(ValidationError, match="already sent"):
        campaigns.do_request_sending(campaign)


def test_a_relationship_survey_asks_a_new_sample_every_few_months(personas, live_survey, audience):
    people = [_customer(personas, f"Person {i}") for i in range(10)]
    campaign = _campaign(personas, live_survey, audience, sample_size=4, repeat_months=3)
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert campaigns.do_queue_campaign(campaign)["scheduled"] == 4
        campaigns.tick()
    assert len(mail.outbox) == 4
    first = set(Delivery.objects.values_list("customer_id", flat=True))
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    with time_machine.travel(NOW + dt.timedelta(days=60), tick=False):
        assert campaigns.repeat_due() == 0  # not yet three months
    with time_machine.travel(NOW + dt.timedelta(days=93), tick=False):
        assert campaigns.repeat_due() == 1
        assert campaigns.repeat_due() == 0
        campaigns.tick()
    waves = Delivery.objects.filter(campaign=campaign)
    assert waves.count() == 8
    assert waves.filter(event_key="wave:1").count() == 4
    assert len(mail.outbox) == 8
    # Each wave's link leads to a fresh response: the keys differ from the first wave's.
    second = waves.filter(event_key="wave:1")
    assert not set(second.values_list("link_key", flat=True)) & set(
        waves.filter(event_key="").values_list("link_key", flat=True)
    )
    assert {p.pk for p in people} >= first
