"""Triggers: a survey sent a while after something happened to a customer.

A trigger is a campaign of kind "trigger" (it shares the message per language, the sending,
reminders, tracking and figures). While it runs, the minute tick looks for the events
recorded since its last look, by when they were recorded (so an import or an API call that
records a purchase made last week is caught), and schedules one invitation per event:

    purchase            a purchase recorded; conditions on the product, channel, amount
    subscription        a subscription started
    renewal_due         a subscription renews in `delay` days (the invitation leaves now)
    renewed             a subscription's renewal date passed while it is still active
    ticket_solved       a ticket solved; condition on its channel
    customer_month      a customer's Nth month since they became a customer

Every event may also require a customer attribute. The invitation leaves `delay_hours` after
the event (outside quiet hours, in the customer's time zone), and obeys consent and the
workspace's gap between surveys like any campaign. An event that is already older than its
delay plus a week when it is recorded (history imported in bulk) asks nobody. Each event
asks a customer once (the delivery is unique per campaign, customer and event).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contento.customers.models import Customer, Purchase, Subscription
from contento.distribution.campaigns import schedule_for
from contento.distribution.models import Campaign, Delivery
from contento.support.models import Ticket

EVENTS = {
    "purchase": gettext_lazy("a purchase is recorded"),
    "subscription": gettext_lazy("a subscription starts"),
    "renewal_due": gettext_lazy("a subscription is about to renew"),
    "renewed": gettext_lazy("a subscription renewed"),
    "ticket_solved": gettext_lazy("a ticket is solved"),
    "customer_month": gettext_lazy("a customer reaches a month with us"),
}
STALE = dt.timedelta(days=7)
BATCH = 2000


@dataclass(frozen=True)
class Event:
    customer_id: int
    key: str
    at: dt.datetime  # when it happened


def clean_conditions(event: str, conditions: dict) -> dict:
    """The trigger's conditions in their stored shape, or ValidationError."""
    if event not in EVENTS:
        raise ValidationError(_("Choose the event that sends the survey."))
    conditions = conditions or {}
    cleaned = {}
    for name in ("product", "channel", "attribute", "value"):
        value = " ".join(str(conditions.get(name) or "").split())[:200]
        if value:
            cleaned[name] = value
    if conditions.get("min_amount") not in (None, ""):
        try:
            amount = Decimal(str(conditions["min_amount"]))
        except InvalidOperation:
            raise ValidationError(_("The amount must be a number.")) from None
        if amount < 0:
            raise ValidationError(_("The amount must be a number.")) from None
        cleaned["min_amount"] = str(amount)
    if ("attribute" in cleaned) != ("value" in cleaned):
        raise ValidationError(_("Give the attribute's name and value."))
    if event == "customer_month":
        try:
            months = int(conditions.get("months") or 0)
        except (TypeError, ValueError):
            months = 0
        if not 1 <= months <= 600:
            raise ValidationError(_("Give the month, from 1 to 600."))
        cleaned["months"] = months
    return cleaned


def _events(campaign: Campaign, since, now) -> list[Event]:
    event, conditions = campaign.event, campaign.event_conditions or {}
    org = campaign.organization_id
    delay = dt.timedelta(hours=campaign.delay_hours)
    if event == "purchase":
        rows = Purchase.objects.filter(
            organization_id=org, created_at__gt=since, created_at__lte=now
        )
        if conditions.get("product"):
            rows = rows.filter(product__name__iexact=conditions["product"])
        if conditions.get("channel"):
            rows = rows.filter(channel=conditions["channel"])
        if conditions.get("min_amount"):
            rows = rows.filter(amount__gte=Decimal(conditions["min_amount"]))
        return [
            Event(c, f"purchase:{pk}", at)
            for pk, c, at in rows.values_list("pk", "customer_id", "purchased_at")
        ]
    if event == "subscription":
        rows = Subscription.objects.filter(
            organization_id=org, created_at__gt=since, created_at__lte=now
        )
        if conditions.get("product"):
            rows = rows.filter(product__name__iexact=conditions["product"])
        return [
            Event(c, f"subscription:{pk}", _start_of(day))
            for pk, c, day in rows.values_list("pk", "customer_id", "started_on")
        ]
    if event in ("renewal_due", "renewed"):
        # Renewal dates from the last look up to `delay` ahead (a renewal due) or today (one
        # done); each renewal is an event once, however many looks see it.
        ahead = delay if event == "renewal_due" else dt.timedelta(0)
        first, last = since.date(), (now + ahead).date()
        rows = Subscription.objects.filter(
            organization_id=org, renews_on__gt=first, renews_on__lte=last, status="active"
        )
        if conditions.get("product"):
            rows = rows.filter(product__name__iexact=conditions["product"])
        # A renewal due is asked about now; the delay was how far ahead it looks.
        return [
            Event(c, f"{event}:{pk}:{day}", now - delay if event == "renewal_due" else now)
            for pk, c, day in rows.values_list("pk", "customer_id", "renews_on")
        ]
    if event == "ticket_solved":
        rows = Ticket.objects.filter(organization_id=org, solved_at__gt=since, solved_at__lte=now)
        if conditions.get("channel"):
            rows = rows.filter(channel=conditions["channel"])
        return [
            Event(c, f"ticket:{pk}", at)
            for pk, c, at in rows.values_list("pk", "customer_id", "solved_at")
        ]
    months = relativedelta(months=conditions.get("months", 1))
    rows = Customer.objects.filter(
        organization_id=org, created_at__gt=since - months, created_at__lte=now - months
    )
    return [
        Event(pk, f"month:{conditions.get('months', 1)}", at + months)
        for pk, at in rows.values_list("pk", "created_at")
    ]


def describe(campaign: Campaign) -> str:
    """The trigger in words: its event, delay and conditions."""
    conditions = campaign.event_conditions or {}
    parts = [str(EVENTS.get(campaign.event, campaign.event))]
    if campaign.event == "customer_month":
        parts.append(_("month %(n)s") % {"n": conditions.get("months")})
    if conditions.get("product"):
        parts.append(_("product %(v)s") % {"v": conditions["product"]})
    if conditions.get("channel"):
        parts.append(_("channel %(v)s") % {"v": conditions["channel"]})
    if conditions.get("min_amount"):
        parts.append(_("at least %(v)s") % {"v": conditions["min_amount"]})
    if conditions.get("attribute"):
        parts.append(f"{conditions['attribute']} = {conditions['value']}")
    hours = campaign.delay_hours
    ahead = campaign.event == "renewal_due"
    parts.append((_("%(n)s hours ahead") if ahead else _("%(n)s hours later")) % {"n": hours})
    return " · ".join(parts)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def scan(campaign: Campaign, now=None) -> int:
    """Schedule the invitations of the events recorded since the trigger last looked; return
    how many were scheduled. Safe to run twice: an event asks a customer once."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("organization", "survey")
            .get(pk=campaign.pk)
        )
        if campaign.status != Campaign.Status.SENDING or campaign.kind != Campaign.Kind.TRIGGER:
            return 0
        since = campaign.scanned_at or campaign.queued_at or now
        events = _events(campaign, since, now)
        attribute, value = (
            (campaign.event_conditions or {}).get("attribute"),
            (campaign.event_conditions or {}).get("value"),
        )
        delay = dt.timedelta(hours=campaign.delay_hours)
        fresh = [e for e in events if e.at + delay + STALE >= now]
        customers = Customer.objects.in_bulk({e.customer_id for e in fresh})
        scheduled = 0
        for event in fresh:
            customer = customers.get(event.customer_id)
            if customer is None or customer.erased_at is not None:
                continue
            if attribute and str((customer.attributes or {}).get(attribute, "")) != value:
                continue
            delivery = schedule_for(campaign, customer, event.at + delay, now, event_key=event.key)
            scheduled += delivery is not None and delivery.status == Delivery.Status.SCHEDULED
        campaign.scanned_at = now
        campaign.save(update_fields=["scanned_at"])
    return scheduled


def scan_all(now=None) -> int:
    now = now or timezone.now()
    running = Campaign.objects.filter(kind=Campaign.Kind.TRIGGER, status=Campaign.Status.SENDING)
    return sum(scan(campaign, now) for campaign in running)
