"""Invitations by text message: through the pluggable backend (the console by default, Twilio
as the real provider), with the product's own short links, the same consent and fatigue rules
as email, and the provider's refusals recorded."""

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from twilio.http.http_client import TwilioHttpClient

from contento.accounts.roles import Role
from contento.core import sms
from contento.customers.actions import do_create_customer
from contento.customers.models import Customer
from contento.distribution import campaigns
from contento.distribution.models import Audience, Campaign, Delivery
from contento.surveys.models import Response

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)  # a Monday, 10:00 UTC: no quiet hours


@pytest.fixture
def audience(personas):
    return Audience.objects.create(organization=personas.org, name="Everyone")


def _customer(personas, name, phone="", language="en", **fields):
    customer = do_create_customer(
        personas.org, name=name, email=f"{name.lower()}@example.net", language=language
    )
    Customer.objects.filter(pk=customer.pk).update(phone=phone, **fields)
    customer.refresh_from_db()
    return customer


def _sms_campaign(personas, live_survey, audience, **fields):
    return Campaign.objects.create(
        organization=personas.org,
        name="June by text",
        survey=live_survey,
        audience=audience,
        channel=Campaign.Channel.SMS,
        **fields,
    )


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_text_campaign_reaches_mobiles_with_a_short_link_in_their_language(
    personas, live_survey, audience
):
    ana = _customer(personas, "Ana", phone="+34612345678", language="es")
    ben = _customer(personas, "Ben", phone="+447700900123")
    _customer(personas, "Cy")  # no mobile number: left out, and counted
    _customer(personas, "Dee", phone="+447700900456", contact_consent=False)
    campaign = _sms_campaign(
        personas,
        live_survey,
        audience,
        messages={"es": {"text": "Hola {customer:first_name}, ¿nos ayuda?"}},
    )
    with time_machine.travel(NOW, tick=False):
        assert campaigns.reach(campaign)["invited"] == 2
        queued = campaigns.do_queue_campaign(campaign)
        assert queued["excluded"] == {"no_phone": 1, "no_consent": 1}
        assert campaigns.tick() == {"sent": 2}
        assert campaigns.tick() == {}  # nobody gets two
    assert sorted(m.to for m in sms.outbox) == [ana.phone, ben.phone]
    to_ana = next(m for m in sms.outbox if m.to == ana.phone)
    assert to_ana.body.startswith("Hola Ana, ¿nos ayuda? http://testserver/m/")
    assert "Acme would like your opinion" in next(m for m in sms.outbox if m.to == ben.phone).body
    short, stop = re.findall(r"https?://\S+", to_ana.body)
    delivery = Delivery.objects.get(customer=ana)
    assert short.endswith(f"/m/{delivery.short_code}") and len(delivery.short_code) == 10
    assert stop.endswith(f"/m/{delivery.short_code}/stop")

    # The short link needs no sign-in: it counts the click and leads to Ana's own survey.
    client = Client()
    followed = client.get(_path(short))
    assert followed.status_code == 302
    delivery.refresh_from_db()
    assert delivery.clicked_at is not None
    client.post(followed["Location"], {"page": "1", "lang": "es", "q-nps": "9"})
    client.post(followed["Location"], {"page": "2", "lang": "es"})
    response = Response.objects.get(customer=ana)
    assert response.status == Response.Status.COMPLETE
    assert response.link_key == delivery.link_key
    # The stop link leads to the unsubscribe page, which asks before it unsubscribes.
    stopping = client.get(_path(stop))
    assert stopping.status_code == 302 and "/u/" in stopping["Location"]
    assert client.get(stopping["Location"]).status_code == 200
    ana.refresh_from_db()
    assert ana.unsubscribed_at is None
    # A made-up code leads nowhere.
    assert client.get("/m/zzzzzzzzzz").status_code == 404
    assert client.get("/m/zzzzzzzzzz/stop").status_code == 404


def test_reminders_go_by_text_to_those_who_have_not_answered(personas, live_survey, audience):
    ben = _customer(personas, "Ben", phone="+447700900123")
    campaign = _sms_campaign(personas, live_survey, audience, reminders=1, reminder_days=2)
    with time_machine.travel(NOW, tick=False):
        campaigns.do_queue_campaign(campaign)
        campaigns.tick()
    sms.outbox.clear()
    with time_machine.travel(NOW + dt.timedelta(days=2, minutes=1), tick=False):
        assert campaigns.tick() == {"reminded": 1}
    (reminder,) = sms.outbox
    assert reminder.to == ben.phone and reminder.body.startswith("Reminder: Hello Ben")
    # The reminder carries the same short link.
    code = Delivery.objects.get(customer=ben).short_code
    assert f"/m/{code}\n" in reminder.body


class _OptedOut:
    def send(self, message):
        raise sms.SMSRefused("unsubscribed recipient", opted_out=True)


class _Down:
    def send(self, message):
        raise sms.SMSRefused("provider down", permanent=False)


def test_a_recipient_who_answered_stop_is_unsubscribed_and_a_passing_fault_is_retried(
    personas, live_survey, audience, settings
):
    ben = _customer(personas, "Ben", phone="+447700900123")
    campaign = _sms_campaign(personas, live_survey, audience)
    settings.SMS_BACKEND = f"{__name__}._Down"
    with time_machine.travel(NOW, tick=False):
        campaigns.do_queue_campaign(campaign)
        assert campaigns.tick() == {"retry": 1}
    assert Delivery.objects.get(customer=ben).status == Delivery.Status.SCHEDULED
    settings.SMS_BACKEND = f"{__name__}._OptedOut"
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert campaigns.tick() == {"excluded": 1}
    delivery = Delivery.objects.get(customer=ben)
    assert (delivery.status, delivery.reason) == ("excluded", "unsubscribed")
    ben.refresh_from_db()
    assert ben.unsubscribed_at is not None and not ben.contact_consent
    campaign.refresh_from_db()
    assert campaign.exclusions == {"unsubscribed": 1}


def test_text_message_parts():
    assert sms.parts("a" * 160) == 1
    assert sms.parts("a" * 161) == 2  # split: 153 a part
    assert sms.parts("a" * 306) == 2 and sms.parts("a" * 307) == 3
    assert sms.parts("€" * 80) == 1 and sms.parts("€" * 81) == 2  # two characters each
    assert sms.parts("Cảm ơn bạn" + "a" * 60) == 1  # 70 characters outside the GSM alphabet
    assert sms.parts("Cảm ơn bạn" + "a" * 61) == 2
    assert sms.parts("Спасибо" * 10) == 1 and sms.parts("Спасибо" * 11) == 2


class _FakeTwilio(BaseHTTPRequestHandler):
    answers: list[tuple[int, dict]] = []
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802 - the stdlib's name
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        self.seen.append({"path": self.path, "auth": self.headers["Authorization"], "form": form})
        status, body = self.answers.pop(0)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeTwilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _FakeTwilio.answers, _FakeTwilio.seen = [], []
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    settings.SMS_FROM = "+14155550100"
    settings.SMS_WHATSAPP = False

    class Loopback(TwilioHttpClient):
        """Twilio's own HTTP client, sent to the fake server instead of api.twilio.com."""

        def request(self, method, url, *args, **kwargs):
            url = url.replace("https://api.twilio.com", f"http://127.0.0.1:{server.server_port}")
            return super().request(method, url, *args, **kwargs)

    yield _FakeTwilio, lambda: sms.TwilioBackend(http_client=Loopback())
    server.shutdown()
    server.server_close()


def test_the_twilio_backend_sends_through_twilios_api(fake_twilio, settings):
    fake, backend = fake_twilio
    fake.answers.append((201, {"sid": "SM" + "a" * 32, "status": "queued"}))
    message = sms.TextMessage(to="+447700900123", body="Cảm ơn: http://x/m/abc", sender="")
    assert backend().send(message) == "SM" + "a" * 32
    (request,) = fake.seen
    assert request["path"] == f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages.json"
    assert request["auth"].startswith("Basic ")
    assert request["form"] == {
        "To": ["+447700900123"],
        "From": ["+14155550100"],
        "Body": ["Cảm ơn: http://x/m/abc"],
    }
    # Through WhatsApp, from the same number.
    settings.SMS_WHATSAPP = True
    fake.answers.append((201, {"sid": "SM2", "status": "queued"}))
    backend().send(message)
    assert fake.seen[1]["form"]["To"] == ["whatsapp:+447700900123"]
    assert fake.seen[1]["form"]["From"] == ["whatsapp:+14155550100"]


def test_twilios_refusals_are_told_apart(fake_twilio):
    fake, backend = fake_twilio
    message = sms.TextMessage(to="+447700900123", body="Hi")
    fake.answers.append(
        (
            400,
            {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400},
        )
    )
    with pytest.raises(sms.SMSRefused) as refused:
        backend().send(message)
    assert refused.value.opted_out and refused.value.permanent
    assert "21610" in str(refused.value)
    fake.answers.append((503, {"code": 20503, "message": "Service unavailable", "status": 503}))
    with pytest.raises(sms.SMSRefused) as down:
        backend().send(message)
    assert not down.value.permanent and not down.value.opted_out


def test_twilio_without_credentials_says_what_is_missing(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(sms.SMSRefused, match="TWILIO_ACCOUNT_SID"):
        sms.TwilioBackend()


def test_the_console_backend_prints_the_message(capsys):
    sms.ConsoleBackend().send(sms.TextMessage(to="+447700900123", body="Hello"))
    assert "SMS to +447700900123" in capsys.readouterr().out


def test_a_text_campaign_is_written_previewed_and_tested_on_the_page(
    personas, live_survey, audience
):
    _customer(personas, "Ana", phone="+34612345678", language="es")
    client = personas.client(Role.MANAGER)
    client.post(
        reverse("campaigns:new"),
        {
            "name": "By text",
            "survey": str(live_survey.code),
            "channel": "sms",
            "audience": str(audience.code),
            "send_time": "10:00",
            "reminders": "0",
            "reminder_days": "3",
        },
    )
    campaign = Campaign.objects.get()
    assert campaign.channel == Campaign.Channel.SMS
    path = reverse("campaigns:campaign", args=[campaign.code])
    page = client.get(path).content.decode()
    assert 'name="text-es"' in page and 'name="subject-es"' not in page
    assert "1 customer will be invited." in page
    client.post(path, {"text-es": "  Hola   {customer:first_name}, ¿nos ayudará?  ", "text-en": ""})
    campaign.refresh_from_db()
    assert campaign.messages == {"es": {"text": "Hola {customer:first_name}, ¿nos ayudará?"}}

    preview = client.get(reverse("campaigns:preview", args=[campaign.code, "es"]))
    body = preview.content.decode()
    assert "Hola Ana, ¿nos ayudará?" in body and "/m/xxxxxxxxxx" in body
    assert "sent as 2 text messages" in body  # "á" is outside the GSM alphabet: 70 a part

    wrong = client.post(
        reverse("campaigns:test", args=[campaign.code]),
        {"language": "es", "phone": "call me"},
        follow=True,
    )
    assert "is not a phone number we can read" in wrong.content.decode()
    assert sms.outbox == []
    client.post(
        reverse("campaigns:test", args=[campaign.code]),
        {"language": "es", "phone": "+44 7911 123456"},
    )
    (test,) = sms.outbox
    assert test.to == "+447911123456" and test.body.startswith("[Test] Hola Mark")
    assert not Delivery.objects.exists()  # a test counts nowhere


def test_a_trigger_asks_by_text_after_a_purchase(personas, live_survey):
    from contento.accounts.actions import do_update_workspace
    from contento.customers.models import Product, Purchase
    from contento.distribution import triggers

    do_update_workspace(personas.org, {"survey_gap_days": 0})
    ben = _customer(personas, "Ben", phone="+447700900123")
    cy = _customer(personas, "Cy")  # no mobile number
    router = Product.objects.create(organization=personas.org, name="Router X")
    trigger = Campaign.objects.create(
        organization=personas.org,
        name="After a purchase, by text",
        survey=live_survey,
        kind=Campaign.Kind.TRIGGER,
        channel=Campaign.Channel.SMS,
        event="purchase",
        delay_hours=2,
        reminders=0,
    )
    with time_machine.travel(NOW, tick=False):
        campaigns.do_queue_campaign(trigger)
    for customer in (ben, cy):
        with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
            Purchase.objects.create(
                organization=personas.org, customer=customer, product=router, purchased_at=NOW
            )
    with time_machine.travel(NOW + dt.timedelta(hours=3), tick=False):
        assert triggers.scan_all() == 1  # Ben's; Cy's is left out
        assert campaigns.tick() == {"sent": 1}
    (sent,) = sms.outbox
    assert sent.to == ben.phone
    assert Delivery.objects.get(customer=cy).reason == "no_phone"
