"""Triggers send a survey a while after an event, once per event, with conditions on it,
obeying consent, quiet hours and the gap between surveys; history imported in bulk asks
nobody."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from contento.accounts.actions import do_update_workspace
from contento.customers.actions import do_create_customer
from contento.customers.models import Customer, Product, Purchase, Subscription
from contento.distribution import campaigns, triggers
from contento.distribution.models import Campaign, Delivery
from contento.support.models import Ticket

# A Monday at noon UTC, outside the default quiet hours (21:00-09:00).
MONDAY = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _no_gap(personas):
    do_update_workspace(personas.org, {"survey_gap_days": 0})


@pytest.fixture
def ana(personas):
    return do_create_customer(personas.org, name="Ana", email="ana@example.net")


@pytest.fixture
def router(personas):
    return Product.objects.create(organization=personas.org, name="Router X")


def _trigger(personas, survey, event, delay_hours=24, **conditions):
    campaign = Campaign.objects.create(
        organization=personas.org,
        name=f"After {event}",
        survey=survey,
        kind=Campaign.Kind.TRIGGER,
        event=event,
        delay_hours=delay_hours,
        event_conditions=triggers.clean_conditions(event, conditions),
        reminders=0,
    )
    with time_machine.travel(MONDAY, tick=False):
        campaigns.do_queue_campaign(campaign)
    campaign.refresh_from_db()
    return campaign


def _buy(personas, customer, product, at, **fields):
    with time_machine.travel(at, tick=False):
        return Purchase.objects.create(
            organization=personas.org, customer=customer, product=product, purchased_at=at, **fields
        )


def _tick(at):
    with time_machine.travel(at, tick=False):
        scheduled = triggers.scan_all()
        sent = campaigns.tick()
    return scheduled, sent


def test_a_purchase_sends_the_survey_a_day_later_once(personas, live_survey, ana, router):
    trigger = _trigger(personas, live_survey, "purchase", delay_hours=24)
    assert trigger.status == Campaign.Status.SENDING
    _buy(personas, ana, router, MONDAY + dt.timedelta(hours=1), amount=Decimal("80"))
    assert _tick(MONDAY + dt.timedelta(hours=2)) == (1, {})  # scheduled, not yet due
    assert _tick(MONDAY + dt.timedelta(hours=3)) == (0, {})  # the same event is not seen twice
    assert _tick(MONDAY + dt.timedelta(hours=25)) == (0, {"sent": 1})
    assert [m.to for m in mail.outbox] == [[ana.email]]
    # A second purchase is a second event: asked again (the workspace has no gap here).
    _buy(personas, ana, router, MONDAY + dt.timedelta(days=3))
    _tick(MONDAY + dt.timedelta(days=3, hours=1))
    _tick(MONDAY + dt.timedelta(days=4, hours=2))
    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(campaign=trigger, customer=ana).count() == 2
    # The trigger never finishes while it runs.
    assert Campaign.objects.get(pk=trigger.pk).status == Campaign.Status.SENDING


def test_the_events_conditions_choose_who_is_asked(personas, live_survey, ana, router):
    _trigger(personas, live_survey, "purchase", product="router x", min_amount="50",
             channel="online", attribute="plan", value="pro")  # fmt: skip
    ben = do_create_customer(personas.org, name="Ben", email="ben@example.net")
    Customer.objects.filter(pk=ana.pk).update(attributes={"plan": "pro"})
    other = Product.objects.create(organization=personas.org, name="Cable")
    at = MONDAY + dt.timedelta(hours=1)
    _buy(personas, ana, router, at, amount=Decimal("80"), channel="online")  # asked
    _buy(personas, ana, router, at, amount=Decimal("20"), channel="online")  # too little
    _buy(personas, ana, other, at, amount=Decimal("80"), channel="online")  # other product
    _buy(personas, ana, router, at, amount=Decimal("80"), channel="store")  # other channel
    _buy(personas, ben, router, at, amount=Decimal("80"), channel="online")  # not pro
    assert _tick(MONDAY + dt.timedelta(hours=2))[0] == 1


def test_history_recorded_in_bulk_asks_nobody(personas, live_survey, ana, router):
    _trigger(personas, live_survey, "purchase", delay_hours=24)
    _buy(personas, ana, router, MONDAY - dt.timedelta(days=90))  # recorded now, made long ago
    Purchase.objects.update(created_at=MONDAY + dt.timedelta(minutes=5))
    assert _tick(MONDAY + dt.timedelta(hours=1)) == (0, {})


def test_a_solved_ticket_and_a_new_subscription_trigger_their_surveys(
    personas, live_survey, ana, router
):
    solved = _trigger(personas, live_survey, "ticket_solved", delay_hours=2, channel="email")
    started = _trigger(personas, live_survey, "subscription", delay_hours=0)
    ticket = Ticket.objects.create(
        organization=personas.org, customer=ana, subject="Slow", channel="email",
        created_at=MONDAY, solved_at=MONDAY + dt.timedelta(hours=1), status="solved",
    )  # fmt: skip
    with time_machine.travel(MONDAY + dt.timedelta(hours=1), tick=False):
        Subscription.objects.create(
            organization=personas.org, customer=ana, product=router, started_on=MONDAY.date()
        )
    _tick(MONDAY + dt.timedelta(hours=1, minutes=30))
    assert Delivery.objects.get(campaign=solved).send_after == ticket.solved_at + dt.timedelta(
        hours=2
    )
    assert Delivery.objects.get(campaign=started).status == "sent"  # no delay: at once


def test_a_renewal_coming_up_asks_ahead_of_it(personas, live_survey, ana, router):
    trigger = _trigger(personas, live_survey, "renewal_due", delay_hours=7 * 24)
    Subscription.objects.create(
        organization=personas.org,
        customer=ana,
        product=router,
        started_on=dt.date(2025, 6, 20),
        renews_on=dt.date(2026, 6, 20),  # in five days: within the week ahead
    )
    assert _tick(MONDAY + dt.timedelta(days=1))[0] == 1
    assert Delivery.objects.get(campaign=trigger).send_after <= MONDAY + dt.timedelta(days=1)


def test_a_customers_third_month(personas, live_survey):
    _trigger(personas, live_survey, "customer_month", delay_hours=0, months=3)
    with time_machine.travel(MONDAY - dt.timedelta(days=92), tick=False):
        old = do_create_customer(personas.org, name="Old", email="old@example.net")
    assert _tick(MONDAY + dt.timedelta(hours=1))[0] == 0  # their third month began before
    with time_machine.travel(MONDAY - dt.timedelta(days=89), tick=False):
        do_create_customer(personas.org, name="New", email="new@example.net")
    assert _tick(MONDAY + dt.timedelta(days=3))[0] == 1
    assert not Delivery.objects.filter(customer=old).exists()


def test_consent_and_the_gap_hold_for_triggers(personas, live_survey, ana, router):
    do_update_workspace(personas.org, {"survey_gap_days": 30})
    _trigger(personas, live_survey, "purchase", delay_hours=0)
    Customer.objects.filter(pk=ana.pk).update(last_surveyed_at=MONDAY - dt.timedelta(days=3))
    _buy(personas, ana, router, MONDAY + dt.timedelta(hours=1))
    _tick(MONDAY + dt.timedelta(hours=2))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.reason) == ("excluded", "recent")
    assert mail.outbox == []


@pytest.mark.parametrize(
    "event, conditions, message",
    [
        ("birthday", {}, "Choose the event"),
        ("purchase", {"min_amount": "lots"}, "must be a number"),
        ("purchase", {"attribute": "plan"}, "name and value"),
        ("customer_month", {"months": 0}, "from 1 to 600"),
    ],
)
def test_a_wrong_trigger_says_why(event, conditions, message):
    with pytest.raises(ValidationError, match=message):
        triggers.clean_conditions(event, conditions)


def test_a_manager_makes_and_starts_a_trigger_from_its_page(personas, live_survey, ana, router):
    from django.urls import reverse

    from contento.accounts.roles import Role

    client = personas.client(Role.MANAGER)
    made = client.post(
        reverse("campaigns:trigger_new"),
        {
            "name": "After a router",
            "survey": str(live_survey.code),
            "event": "purchase",
            "delay_hours": "48",
            "product": "Router X",
            "reminders": "0",
            "reminder_days": "3",
        },
    )
    trigger = Campaign.objects.get(kind="trigger")
    assert made["Location"] == reverse("campaigns:campaign", args=[trigger.code])
    page = client.get(made["Location"]).content.decode()
    assert "a purchase is recorded · product Router X · 48 hours later" in page
    assert "Start the trigger" in page
    client.post(reverse("campaigns:send", args=[trigger.code]))
    trigger.refresh_from_db()
    assert trigger.status == Campaign.Status.SENDING
    wrong = client.post(
        reverse("campaigns:trigger_new"),
        {"name": "x", "survey": str(live_survey.code), "event": "customer_month",
         "delay_hours": "0", "reminders": "0", "reminder_days": "3"},
    )  # fmt: skip
    assert "from 1 to 600" in wrong.content.decode()
    assert personas.client(Role.ANALYST).get(reverse("campaigns:trigger_new")).status_code == 403
