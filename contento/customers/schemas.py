"""Shapes of the customer endpoints: what the API reads and writes.

`...In` creates, `...Patch` changes only the fields sent, `...Out` is what comes back.
Amounts are decimals (sent and returned as strings like "19.90" or as numbers). A customer's
`attributes` is a map of names to texts; when sent it replaces the whole map.

In a `...Patch` a field may be left out; `null` is refused where the record cannot be without
a value (a name, a currency) and clears the field where it can (a company, a price).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from pydantic import PlainValidator, StringConstraints, WithJsonSchema

from contento.core.api import Date, DateTime, Email, Flag, Money, choice_of, count, one_of, text_of
from contento.customers.models import (
    ATTRIBUTE_KEY,
    MAX_ATTRIBUTE_LENGTH,
    MAX_ATTRIBUTES,
    TIMEZONE_CHOICES,
    Company,
    Customer,
    Product,
    Purchase,
    Subscription,
    validate_attributes,
)

Language = one_of(code for code, _name in settings.LANGUAGES)
TimeZone = one_of([""] + [name for name, _label in TIMEZONE_CHOICES])
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]


def _attributes(value):
    # The model's own rule and messages, so the API says what the pages and imports say.
    try:
        validate_attributes(value)
    except DjangoValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    return value


_ATTRIBUTE_NAME = f"^{ATTRIBUTE_KEY.pattern}$"
Attributes = Annotated[
    dict[str, str],
    PlainValidator(_attributes),
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": MAX_ATTRIBUTES,
            "propertyNames": {"pattern": _ATTRIBUTE_NAME},
            "additionalProperties": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_ATTRIBUTE_LENGTH,
                "pattern": r"\S",
            },
        }
    ),
]


class CompanyOut(Schema):
    code: UUID
    name: str
    domain: str
    external_id: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyIn(Schema):
    name: text_of(Company, "name", required=True)
    domain: text_of(Company, "domain") = ""
    external_id: text_of(Company, "external_id") = ""


class CompanyPatch(Schema):
    name: text_of(Company, "name", required=True) = None
    domain: text_of(Company, "domain") = None
    external_id: text_of(Company, "external_id") = None


class CustomerOut(Schema):
    code: UUID
    name: str
    email: str
    phone: str
    other_emails: list[str]
    other_phones: list[str]
    language: str
    timezone: str
    contact_consent: bool
    external_id: str
    company: UUID | None
    attributes: dict[str, str]
    erased: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerIn(Schema):
    name: text_of(Customer, "name", required=True)
    email: Email = ""
    phone: text_of(Customer, "phone") = ""
    language: Language | None = None
    timezone: TimeZone = ""
    contact_consent: Flag = True
    external_id: text_of(Customer, "external_id") = ""
    company: UUID | None = None
    attributes: Attributes | None = None


class CustomerPatch(Schema):
    name: text_of(Customer, "name", required=True) = None
    email: Email = None
    phone: text_of(Customer, "phone") = None
    language: Language = None
    timezone: TimeZone = None
    contact_consent: Flag = None
    external_id: text_of(Customer, "external_id") = None
    company: UUID | None = None
    attributes: Attributes | None = None


class ProductOut(Schema):
    code: UUID
    name: str
    kind: str
    sku: str
    price: Decimal | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductIn(Schema):
    name: text_of(Product, "name", required=True)
    kind: choice_of(Product, "kind") = "product"
    sku: text_of(Product, "sku") = ""
    price: Money | None = None
    is_active: Flag = True


class ProductPatch(Schema):
    name: text_of(Product, "name", required=True) = None
    kind: choice_of(Product, "kind") = None
    sku: text_of(Product, "sku") = None
    price: Money | None = None
    is_active: Flag = None


class PurchaseOut(Schema):
    code: UUID
    customer: UUID
    product: UUID
    purchased_at: dt.datetime
    amount: Decimal
    currency: str
    channel: str
    external_id: str
    created_at: dt.datetime


class PurchaseIn(Schema):
    customer: UUID
    product: UUID
    purchased_at: DateTime
    amount: Money = Decimal(0)
    currency: Currency = "EUR"
    channel: choice_of(Purchase, "channel") = "online"
    external_id: text_of(Purchase, "external_id") = ""


class PurchasePatch(Schema):
    purchased_at: DateTime = None
    amount: Money = None
    currency: Currency = None
    channel: choice_of(Purchase, "channel") = None
    external_id: text_of(Purchase, "external_id") = None


class SubscriptionOut(Schema):
    code: UUID
    customer: UUID
    product: UUID
    status: str
    started_on: dt.date
    renews_on: dt.date | None
    ends_on: dt.date | None
    monthly_amount: Decimal
    currency: str
    renewals: int
    external_id: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SubscriptionIn(Schema):
    customer: UUID
    product: UUID
    started_on: Date
    status: choice_of(Subscription, "status") = "active"
    renews_on: Date | None = None
    ends_on: Date | None = None
    monthly_amount: Money = Decimal(0)
    currency: Currency = "EUR"
    renewals: count() = 0
    external_id: text_of(Subscription, "external_id") = ""


class SubscriptionPatch(Schema):
    status: choice_of(Subscription, "status") = None
    started_on: Date = None
    renews_on: Date | None = None
    ends_on: Date | None = None
    monthly_amount: Money = None
    currency: Currency = None
    renewals: count() = None
    external_id: text_of(Subscription, "external_id") = None
