"""What the customer record holds besides the customer row: contact points, purchases,
subscriptions and the notes members wrote. The row itself (profile, company) is
`contento.customers.gdpr`'s, exported first and erased last."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from contento.customers.models import Company, ContactPoint, Note, Product, Purchase, Subscription
from contento.customers.personal import (
    Entry,
    Erasure,
    PersonalData,
    export_product,
    iso,
    register,
)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _money(amount, currency: str) -> str:
    return f"{amount} {currency}"


@register
class CustomerRecord(PersonalData):
    models = (ContactPoint, Purchase, Subscription, Note)
    no_personal_data = {
        Company: "the customer's organisation, shared with its other customers",
        Product: "the business's own catalogue",
    }

    def export(self, customer):
        purchases = customer.purchases.select_related("product").order_by("purchased_at", "pk")
        subscriptions = customer.subscriptions.select_related("product")
        return {
            "contact_points": [
                {"kind": c.kind, "value": c.value} for c in customer.contacts.order_by("pk")
            ],
            "purchases": [
                {
                    "code": str(p.code),
                    "product": export_product(p.product),
                    "purchased_at": iso(p.purchased_at),
                    "amount": str(p.amount),
                    "currency": p.currency,
                    "channel": p.channel,
                    "external_id": p.external_id,
                }
                for p in purchases
            ],
            "subscriptions": [
                {
                    "code": str(s.code),
                    "product": export_product(s.product),
                    "status": s.status,
                    "started_on": iso(s.started_on),
                    "renews_on": iso(s.renews_on),
                    "ends_on": iso(s.ends_on),
                    "monthly_amount": str(s.monthly_amount),
                    "currency": s.currency,
                    "renewals": s.renewals,
                    "external_id": s.external_id,
                }
                for s in subscriptions.order_by("started_on", "pk")
            ],
            "notes": [
                {"created_at": iso(n.created_at), "body": n.body}
                for n in customer.notes.order_by("created_at", "pk")
            ],
        }

    def erase(self, erasure: Erasure):
        # Purchases and subscriptions stay: they are the revenue figures, and name no one.
        customer = erasure.customer
        contact_ids = list(customer.contacts.values_list("pk", flat=True))
        note_ids = list(customer.notes.values_list("pk", flat=True))
        ContactPoint.objects.filter(pk__in=contact_ids).delete()
        Note.objects.filter(pk__in=note_ids).delete()
        erasure.forget_history(ContactPoint, contact_ids)
        erasure.forget_history(Note, note_ids)

    def timeline(self, customer, limit):
        return (
            self._purchases(customer, limit)
            + self._subscriptions(customer, limit)
            + (self._notes(customer, limit))
            + self._reach(customer)
        )

    @staticmethod
    def _reach(customer) -> list[Entry]:
        """Unsubscribing from surveys, and mail that came back undelivered."""
        entries = []
        if customer.unsubscribed_at:
            entries.append(
                Entry(
                    at=customer.unsubscribed_at,
                    kind="unsubscribed",
                    category="survey",
                    icon="⊘",
                    title=_("Unsubscribed from surveys"),
                )
            )
        if customer.email_bounced_at:
            entries.append(
                Entry(
                    at=customer.email_bounced_at,
                    kind="bounced",
                    category="survey",
                    icon="⚠",
                    title=_("Mail to %(address)s came back undelivered")
                    % {"address": customer.email},
                )
            )
        return entries

    @staticmethod
    def _purchases(customer, limit) -> list[Entry]:
        rows = customer.purchases.select_related("product").order_by("-purchased_at", "-pk")
        return [
            Entry(
                at=p.purchased_at,
                kind="purchase",
                category="purchase",
                icon="🛒",
                title=_("Bought %(product)s") % {"product": p.product.name},
                detail=f"{_money(p.amount, p.currency)} · {p.get_channel_display()}",
            )
            for p in rows[:limit]
        ]

    @staticmethod
    def _subscriptions(customer, limit) -> list[Entry]:
        rows = customer.subscriptions.select_related("product").order_by("-started_on", "-pk")
        entries = []
        for s in rows[:limit]:
            name = s.product.name
            amount = _money(s.monthly_amount, s.currency)
            entries.append(
                Entry(
                    at=_start_of(s.started_on),
                    kind="subscription_started",
                    category="subscription",
                    icon="↻",
                    title=_("Subscribed to %(product)s") % {"product": name},
                    detail=_("%(amount)s a month") % {"amount": amount},
                )
            )
            if s.ends_on:
                entries.append(
                    Entry(
                        at=_start_of(s.ends_on),
                        kind="subscription_ended",
                        category="subscription",
                        icon="■",
                        title=_("Subscription to %(product)s ended") % {"product": name},
                        detail=s.get_status_display(),
                    )
                )
            elif s.renews_on and s.status == Subscription.Status.ACTIVE:
                entries.append(
                    Entry(
                        at=_start_of(s.renews_on),
                        kind="subscription_renews",
                        category="subscription",
                        icon="↻",
                        title=_("Subscription to %(product)s renews") % {"product": name},
                        detail=_("%(amount)s a month") % {"amount": amount},
                    )
                )
        return entries

    @staticmethod
    def _notes(customer, limit) -> list[Entry]:
        rows = customer.notes.select_related("author__user").order_by("-created_at", "-pk")
        return [
            Entry(
                at=n.created_at,
                kind="note",
                category="note",
                icon="✎",
                title=_("Note by %(author)s") % {"author": str(n.author.user) if n.author else "—"},
                detail=n.body,
                internal=True,
            )
            for n in rows[:limit]
        ]
