"""State changes of customers.

Notes and erasure live beside the code they need (`timeline.do_add_customer_note`,
`gdpr.do_erase_customer`); they are named here too, so every customer action is found here.
"""

import zoneinfo
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from contento.customers.models import Company, Customer, Product, Purchase, Subscription

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def do_create_customer(organization, *, name, email="", language="en", external_id=""):
    """Create a customer, or update the one with the same external id (imports re-run safely)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A customer needs a name."})
    if email:
        validate_email(email)
    if language not in _LANGUAGES:
        raise ValidationError({"language": f"Unsupported language {language!r}."})
    fields = {"name": name, "email": email.strip().lower(), "language": language}
    if external_id:
        customer, _created = Customer.objects.update_or_create(
            organization=organization, external_id=external_id, defaults=fields
        )
        return customer
    return Customer.objects.create(organization=organization, **fields)


def find_customer_by_email(organization, email: str) -> Customer | None:
    """Return the customer who owns this address (first or additional), or None."""
    from contento.customers.models import ContactPoint

    email = (email or "").strip().lower()
    if not email:
        return None
    customer = (
        Customer.objects.filter(organization=organization, email=email, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if customer is None:
        contact = (
            ContactPoint.objects.filter(
                organization=organization, kind=ContactPoint.Kind.EMAIL, value=email
            )
            .select_related("customer")
            .first()
        )
        customer = contact.customer if contact else None
    return customer


def do_find_or_create_customer(organization, *, email: str, name: str = "", language=None):
    """Return the customer writing from `email`, creating one on first contact.

    Someone who writes in from a new address is a new customer: two people are never merged
    because they gave the same name.
    """
    email = (email or "").strip().lower()
    validate_email(email)
    customer = find_customer_by_email(organization, email)
    if customer is not None:
        return customer
    if language not in _LANGUAGES:
        language = organization.default_language
    name = " ".join((name or "").split())[:200] or email.split("@")[0]
    with transaction.atomic():
        # Two first messages from one address at once (a mail and a chat) must not make two
        # customers: lock the workspace row, then look again (SQLite's immediate transactions
        # already serialise writers).
        type(organization).objects.select_for_update().filter(pk=organization.pk).first()
        customer = find_customer_by_email(organization, email)
        if customer is not None:
            return customer
        return do_create_customer(organization, name=name, email=email, language=language)


# What a member may change on each kind of record (organisation, code and timestamps never).
CUSTOMER_FIELDS = (
    "name",
    "email",
    "phone",
    "language",
    "timezone",
    "contact_consent",
    "external_id",
    "company",
    "attributes",
)
COMPANY_FIELDS = ("name", "domain", "external_id")
PRODUCT_FIELDS = ("name", "kind", "sku", "price", "is_active")
PURCHASE_FIELDS = ("purchased_at", "amount", "currency", "channel", "external_id")
SUBSCRIPTION_FIELDS = (
    "status",
    "started_on",
    "renews_on",
    "ends_on",
    "monthly_amount",
    "currency",
    "renewals",
    "external_id",
)


def _clean_changes(model, changes: dict) -> dict:
    """Normalise the values every entry point writes the same way (trimmed, lower-case mail)."""
    out = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "email" and isinstance(value, str):
            value = value.lower()
        if name == "currency" and isinstance(value, str):
            value = value.upper()
        if name == "domain" and isinstance(value, str):
            value = value.lower().lstrip("@")
        if isinstance(value, datetime) and timezone.is_naive(value):
            value = timezone.make_aware(value)  # a time without offset is the server's
        out[name] = value
    if out.get("timezone") and out["timezone"] not in zoneinfo.available_timezones():
        raise ValidationError({"timezone": f"Unknown time zone {out['timezone']!r}."})
    if "currency" in out and not (len(out["currency"]) == 3 and out["currency"].isalpha()):
        raise ValidationError({"currency": "Use a three-letter currency code like EUR."})
    return out


def _save_record(instance, changes: dict, allowed: tuple[str, ...]):
    """Apply `changes` to `instance`, validate the whole row and save it, or change nothing.

    Validation is the model's own (`full_clean`: choices, lengths, email syntax, unique
    external ids), so the API, the pages and imports refuse the same values.
    """
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    for name, value in _clean_changes(type(instance), changes).items():
        setattr(instance, name, value)
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:  # a concurrent request took the same external id or SKU
        raise ValidationError("Another record with the same external id exists.") from None
    instance.refresh_from_db()  # return what was stored (amounts as 39.90, not 39.9)
    return instance


def _upsert(model, organization, changes: dict, allowed, *, key: str, defaults=None, **fixed):
    """Create a record, or update the one with the same `key` value (retries never duplicate).

    Only the fields in `changes` are written to an existing record, so a repeated or partial
    request never resets what it did not send; `defaults` apply only to a new one. Returns
    (record, created).
    """
    value = changes.get(key)
    value = value.strip() if isinstance(value, str) else ""
    existing = None
    if value:
        existing = model.objects.filter(organization=organization, **{key: value}).first()
    if existing is None and model is Customer and not value:
        # As imports do: without an external id, a customer is matched on their email.
        existing = find_customer_by_email(organization, changes.get("email") or "")
    if existing is not None:
        for name, fixed_value in fixed.items():
            if getattr(existing, name) != fixed_value:
                raise ValidationError(
                    {key: f"{value!r} already belongs to another record of this kind."}
                )
        return _save_record(existing, changes, allowed), False
    changes = {**(defaults or {}), **changes}
    return _save_record(model(organization=organization, **fixed), changes, allowed), True


def do_save_customer(organization, changes: dict, customer: Customer | None = None):
    """Create a customer (or update the one with the same external id), or update `customer`.

    Returns (customer, created). An erased customer cannot be changed.
    """
    if customer is None:
        defaults = {"language": organization.default_language}
        return _upsert(
            Customer, organization, changes, CUSTOMER_FIELDS, key="external_id", defaults=defaults
        )
    if customer.erased_at is not None:
        raise ValidationError("This customer's personal data was erased; it cannot be changed.")
    return _save_record(customer, changes, CUSTOMER_FIELDS), False


def do_save_company(organization, changes: dict, company: Company | None = None):
    """Create a company (or update the one with the same external id), or update `company`."""
    if company is None:
        return _upsert(Company, organization, changes, COMPANY_FIELDS, key="external_id")
    return _save_record(company, changes, COMPANY_FIELDS), False


def do_save_product(organization, changes: dict, product: Product | None = None):
    """Create a product (or update the one with the same SKU), or update `product`."""
    if product is None:
        return _upsert(Product, organization, changes, PRODUCT_FIELDS, key="sku")
    return _save_record(product, changes, PRODUCT_FIELDS), False


def do_record_purchase(organization, changes: dict, *, customer, product):
    """Record a sale (or update the one with the same external id). Returns (purchase, created).

    An external id names one sale of one customer: the same id sent for another customer is
    refused, never moved.
    """
    return _upsert(
        Purchase,
        organization,
        changes,
        PURCHASE_FIELDS,
        key="external_id",
        customer=customer,
        product=product,
    )


def do_correct_purchase(purchase: Purchase, changes: dict) -> Purchase:
    """Correct a recorded sale (its date, amount, currency, channel or external id)."""
    return _save_record(purchase, changes, PURCHASE_FIELDS)


def do_save_subscription(
    organization, changes: dict, subscription=None, *, customer=None, product=None
):
    """Start a subscription (or update the one with the same external id), or update one."""
    if subscription is None:
        return _upsert(
            Subscription,
            organization,
            changes,
            SUBSCRIPTION_FIELDS,
            key="external_id",
            customer=customer,
            product=product,
        )
    subscription = _save_record(subscription, changes, SUBSCRIPTION_FIELDS)
    return subscription, False


def __getattr__(name):
    # Re-exported lazily: gdpr and timeline import the support app, which imports this module.
    if name == "do_erase_customer":
        from contento.customers.gdpr import do_erase_customer

        return do_erase_customer
    if name == "do_add_customer_note":
        from contento.customers.timeline import do_add_customer_note

        return do_add_customer_note
    raise AttributeError(name)
