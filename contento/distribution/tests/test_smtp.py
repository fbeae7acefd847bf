"""Invitations and reminders through a real SMTP server on loopback (aiosmtpd): each is a
multipart/alternative message with a plain-text and a branded HTML part, and the one-click
unsubscribe headers."""

import datetime as dt
import email
import socket
from email import policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from django.test import override_settings

from contento.customers.actions import do_create_customer
from contento.distribution import campaigns
from contento.distribution.models import Audience, Campaign

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


class Recorder(Sink):
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    recorder = Recorder()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            yield recorder
    finally:
        controller.stop()


def test_an_invitation_and_its_reminder_cross_a_real_smtp_server(smtp, personas, live_survey):
    do_create_customer(personas.org, name="Lan Nguyen", email="lan@example.net", language="es")
    audience = Audience.objects.create(organization=personas.org, name="All")
    campaign = Campaign.objects.create(
        organization=personas.org,
        name="June",
        survey=live_survey,
        audience=audience,
        reminders=1,
        reminder_days=2,
    )
    with time_machine.travel(NOW, tick=False):
        campaigns.do_queue_campaign(campaign)
        assert campaigns.tick() == {"sent": 1}
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        assert campaigns.tick() == {"reminded": 1}
    invitation, reminder = smtp.messages
    for message in (invitation, reminder):
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Lan" in text and "<table" in html and personas.org.name in html
        assert "/u/" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["To"] == "lan@example.net"
    assert str(reminder["Subject"]).startswith("Recordatorio: ")


def test_a_thank_you_crosses_a_real_smtp_server(smtp, personas, live_survey):
    from contento.surveys.actions import do_submit_response
    from contento.surveys.models import Survey
    from contento.surveys.tasks import send_thanks

    Survey.objects.filter(pk=live_survey.pk).update(thank_by_email=True)
    live_survey.refresh_from_db()
    lan = do_create_customer(
        personas.org, name="Lan Nguyen", email="lan@example.net", language="vi"
    )
    response, _new = do_submit_response(live_survey, answers={"nps": 10}, customer=lan)
    assert send_thanks.call(str(response.code)) == "sent"
    (message,) = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    assert "Lan" in message.get_body(("plain",)).get_content()
    assert "<table" in message.get_body(("html",)).get_content()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
