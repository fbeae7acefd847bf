"""State changes of customers.

Notes and erasure live beside the code they need (`timeline.do_add_customer_note`,
`gdpr.do_erase_customer`).
"""

import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.core.bulk import PLAIN_TYPES, insert_rows
from contento.customers.models import (
    Company,
    ContactPoint,
    Customer,
    Product,
    Purchase,
    Subscription,
)
from contento.customers.phones import maybe_e164, region_of

_LANGUAGES = {code for code, _name in settings.LANGUAGES}
# Read once: listing the time zone database takes milliseconds, too long for every record of
# a 100,000-row import.
_TIME_ZONES = frozenset(zoneinfo.available_timezones())


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
    because they gave the same name. The address is checked only for a new customer: one
    already on file is found whatever Django's validator thinks of it.
    """
    email = (email or "").strip().lower()
    customer = find_customer_by_email(organization, email)
    if customer is not None:
        return customer
    validate_email(email)
    if language not in _LANGUAGES:
        language = organization.default_language
    name = " ".join((name or "").split())[:200] or email.split("@")[0]
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        # The transaction began IMMEDIATE (settings), so it has held SQLite's write lock since
        # before the look-up above: no one else can have added the customer since.
        return do_create_customer(organization, name=name, email=email, language=language)
    with transaction.atomic():
        # Two first messages from one address at once (a mail and a chat) must not make two
        # customers: lock the workspace row, then look again (SQLite's immediate transactions
        # already serialise writers).
        type(organization).objects.select_for_update().filter(pk=organization.pk).first()
        customer = find_customer_by_email(organization, email)
        if customer is not None:
            return customer
        return do_create_customer(organization, name=name, email=email, language=language)


def do_unsubscribe(customer: Customer) -> Customer:
    """The customer asked for no more surveys (by a link): consent is withdrawn, once."""
    if customer.unsubscribed_at is None or customer.contact_consent:
        customer.unsubscribed_at = customer.unsubscribed_at or timezone.now()
        customer.contact_consent = False
        Customer.objects.filter(pk=customer.pk).update(
            unsubscribed_at=customer.unsubscribed_at, contact_consent=False
        )
    return customer


def do_mark_bounced(organization, addresses, at=None) -> int:
    """Mail to these addresses came back undelivered: no invitation goes to them again until
    the address changes. Returns how many customers were marked."""
    addresses = {(a or "").strip().lower() for a in addresses} - {""}
    if not addresses:
        return 0
    return Customer.objects.filter(organization=organization, email__in=addresses).update(
        email_bounced_at=at or timezone.now()
    )


def mark_surveyed(customer_ids, at=None) -> None:
    """A survey asked these customers now (the workspace's gap between surveys counts from
    here)."""
    Customer.objects.filter(pk__in=list(customer_ids)).update(last_surveyed_at=at or timezone.now())


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
    "account_owner",
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
    if out.get("timezone") and out["timezone"] not in _TIME_ZONES:
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
    if isinstance(instance, Customer) and changes.get("phone"):
        # Stored as E.164 when it reads as a number; an extension or a note stays as typed.
        region = region_of(instance.timezone or instance.organization.time_zone)
        instance.phone = maybe_e164(instance.phone, region) or instance.phone
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
    old_email, had_consent = customer.email, customer.contact_consent
    customer = _save_record(customer, changes, CUSTOMER_FIELDS)
    # A new address may be reached again; consent given again ends an unsubscription.
    reset = {}
    if customer.email != old_email and customer.email_bounced_at is not None:
        reset["email_bounced_at"] = None
    if customer.contact_consent and not had_consent and customer.unsubscribed_at is not None:
        reset["unsubscribed_at"] = None
    if reset:
        Customer.objects.filter(pk=customer.pk).update(**reset)
        for name, value in reset.items():
            setattr(customer, name, value)
    return customer, False


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


# Many records at once (imports): each is validated as `_save_record` validates one, then they
# are all written with a few statements.

_FIELDS = {
    Company: COMPANY_FIELDS,
    Customer: CUSTOMER_FIELDS,
    Product: PRODUCT_FIELDS,
    Purchase: PURCHASE_FIELDS,
    Subscription: SUBSCRIPTION_FIELDS,
}


@dataclass
class RecordChange:
    """A record to save in bulk: a new one (no primary key yet) or a stored one, and changes.

    `changes` are by field name, as `do_save_customer` and the others take them. A new record
    is made as `_upsert` makes one: with its workspace and the records it belongs to (a sale's
    customer and product) set, and everything else in `changes`.
    """

    record: models.Model
    changes: dict[str, Any]


def check_record(record: models.Model, changes: dict) -> None:
    """Apply `changes` to `record` and validate it as `_save_record` does, without saving it.

    Raises ValidationError. Two of `_save_record`'s checks cost a query per record and are left
    to the caller and the database: that the records referred to exist (the caller gives the
    workspace's own, or new ones written in the same `do_save_records`), and that external ids
    and SKUs are unique (the caller matched each record on them, and the database's
    constraints refuse a duplicate).
    """
    model = type(record)
    unknown = set(changes) - set(_FIELDS[model])
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if model is Customer and record.erased_at is not None:
        raise ValidationError(_("This customer's personal data was erased on request."))
    for name, value in _clean_changes(model, changes).items():
        setattr(record, name, value)
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    record.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


def check_records(changes: list[RecordChange]) -> dict[int, ValidationError]:
    """Validate every record as `check_record` does; return the errors by index in `changes`."""
    errors = {}
    for index, change in enumerate(changes):
        try:
            check_record(change.record, change.changes)
        except ValidationError as error:
            errors[index] = error
    return errors


def do_save_records(changes: list[RecordChange]) -> dict[int, ValidationError]:
    """Validate every record as `check_record` does, then write them all, or none.

    Returns the errors by index in `changes`: when there are any, nothing is written. Records
    are written model by model in the order they first appear, so new companies go before the
    customers that refer to them: new records with one `executemany` per model (`bulk_create`
    where later records need their keys), stored ones with one `executemany` of single-row
    UPDATEs of the fields changed; `auto_now` timestamps are set. A duplicate external id or
    SKU (a concurrent write) raises ValidationError, and nothing is written.
    """
    errors = check_records(changes)
    if errors:
        return errors
    groups: dict[tuple, list[RecordChange]] = {}
    for change in changes:
        groups.setdefault((type(change.record), change.record.pk is None), []).append(change)
    referred = {id(related) for change in changes for related in _related(change.record).values()}
    try:
        with transaction.atomic():  # a savepoint when the caller holds a transaction
            for (model, new), group in groups.items():
                records = [change.record for change in group]
                for record in records:
                    for field, related in _related(record).items():
                        setattr(record, field.attname, related.pk)
                if not new:
                    names = sorted({name for change in group for name in change.changes})
                    _update(model, records, names)
                elif any(id(record) in referred for record in records):
                    model.objects.bulk_create(records)
                else:
                    insert_rows(model, records)
    except IntegrityError:
        raise ValidationError(_("Another record with the same external id exists.")) from None
    return {}


def _related(record: models.Model) -> dict:
    """Return the records this one refers to that were not saved when it was given them."""
    return {
        field: related
        for field in record._meta.concrete_fields
        if field.is_relation
        and getattr(record, field.attname) is None
        and field.is_cached(record)
        and (related := field.get_cached_value(record)) is not None
    }


def _prepare(field, value):
    if field.get_internal_type() in PLAIN_TYPES:
        return value
    return field.get_db_prep_save(value, connection)


def _update(model, records: list, names: list[str]) -> None:
    """Save these fields of stored records with one `executemany` of single-row UPDATEs.

    `bulk_update` builds one CASE expression per field over the whole batch, which SQLite
    evaluates for every row of the batch: 100,000 changed rows took minutes, this takes
    seconds. `auto_now` fields are set to the current time.
    """
    fields = [model._meta.get_field(name) for name in names]
    fields += [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) and f not in fields
    ]
    now = timezone.now()
    stamps = {
        f: f.get_db_prep_save(now, connection) for f in fields if getattr(f, "auto_now", False)
    }
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    params = [
        [stamps[f] if f in stamps else _prepare(f, getattr(record, f.attname)) for f in fields]
        + [record.pk]
        for record in records
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
