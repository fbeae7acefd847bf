"""A survey may thank each known customer by email after they answer: once, in their
language, never to one who may not be contacted."""

import pytest
from django.core import mail
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer, do_unsubscribe
from contento.surveys.actions import do_submit_response
from contento.surveys.models import Response, Survey
from contento.surveys.tasks import send_thanks


@pytest.fixture
def thanking(live_survey):
    Survey.objects.filter(pk=live_survey.pk).update(thank_by_email=True)
    live_survey.refresh_from_db()
    return live_survey


def test_a_known_customer_is_thanked_once_in_their_language(
    personas, thanking, django_capture_on_commit_callbacks
):
    ana = do_create_customer(personas.org, name="Ana Pérez", email="ana@example.net", language="es")
    with django_capture_on_commit_callbacks() as queued:
        response, _new = do_submit_response(
            thanking, answers={"nps": 9}, customer=ana, language="es"
        )
    assert queued  # the worker is asked to thank her once the response is stored
    assert send_thanks.call(str(response.code)) == "sent"
    (message,) = mail.outbox
    assert message.to == ["ana@example.net"]
    assert message.subject == "Gracias, Ana"
    assert "¡Gracias!" in message.body  # the survey's own thank-you message, in Spanish
    assert "<table" in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert send_thanks.call(str(response.code)) == "skipped"  # a retry sends nothing
    assert len(mail.outbox) == 1
    assert Response.objects.get(pk=response.pk).thanked_at is not None


def test_nobody_is_thanked_who_may_not_be_contacted_or_is_unknown(personas, thanking):
    gone = do_create_customer(personas.org, name="Gone", email="gone@example.net")
    do_unsubscribe(gone)
    responses = [
        do_submit_response(thanking, answers={"nps": 9}, customer=gone)[0],
        do_submit_response(thanking, answers={"nps": 9})[0],  # anonymous
    ]
    ben = do_create_customer(personas.org, name="Ben", email="ben@example.net")
    Survey.objects.filter(pk=thanking.pk).update(thank_by_email=False)  # no longer thanks
    responses.append(do_submit_response(thanking, answers={"nps": 9}, customer=ben)[0])
    assert [send_thanks.call(str(r.code)) for r in responses] == ["skipped"] * 3
    assert mail.outbox == []


def test_the_builder_turns_it_on(personas, survey):
    client = personas.client(Role.MANAGER)
    client.post(
        reverse("surveys:build", args=[survey.code]),
        {"title": survey.title, "default_language": "en", "languages": ["es"],
         "thank_you": "Thanks!", "thank_by_email": "on"},
    )  # fmt: skip
    survey.refresh_from_db()
    assert survey.thank_by_email


def test_the_sweep_queues_a_thank_you_whose_queueing_was_lost(personas, thanking):
    import datetime as dt

    import time_machine

    from contento.surveys import tasks

    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    response, _new = do_submit_response(thanking, answers={"nps": 9}, customer=ana)
    assert tasks.sweep.call()["thanks"] == 0  # too recent: probably still queued
    later = response.completed_at + dt.timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        assert tasks.sweep.call()["thanks"] == 1
        send_thanks.call(str(response.code))
        assert tasks.sweep.call()["thanks"] == 0


def test_the_invite_button_also_keeps_the_gap_between_surveys(personas, live_survey):
    import datetime as dt

    from django.utils import timezone

    from contento.customers.models import Customer
    from contento.surveys.actions import do_invite_customers
    from contento.surveys.models import Invitation
    from contento.surveys.tasks import send_invitation

    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    Customer.objects.filter(pk=ana.pk).update(
        last_surveyed_at=timezone.now() - dt.timedelta(days=3)
    )
    do_invite_customers(live_survey, [ana])
    invitation = Invitation.objects.get(customer=ana)
    assert send_invitation.call(str(invitation.code)) == "skipped"
    invitation.refresh_from_db()
    assert invitation.error == "The customer was surveyed recently."
    assert mail.outbox == []
