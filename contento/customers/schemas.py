"""Shapes of the customer endpoints: what the API reads and writes.

`...In` creates, `...Patch` changes only the fields sent, `...Out` is what comes back.
Amounts are decimals (sent and returned as strings like "19.90" or as numbers). A customer's
`attributes` is a map of names to texts; when sent it replaces the whole map.
"""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema


class CompanyOut(Schema):
    code: UUID
    name: str
    domain: str
    external_id: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyIn(Schema):
    name: str
    domain: str = ""
    external_id: str = ""


class CompanyPatch(Schema):
    name: str | None = None
    domain: str | None = None
    external_id: str | None = None


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
    name: str
    email: str = ""
    phone: str = ""
    language: str | None = None
    timezone: str = ""
    contact_consent: bool = True
    external_id: str = ""
    company: UUID | None = None
    attributes: dict[str, str] | None = None


class CustomerPatch(Schema):
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    timezone: str | None = None
    contact_consent: bool | None = None
    external_id: str | None = None
    company: UUID | None = None
    attributes: dict[str, str] | None = None


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
    name: str
    kind: str = "product"
    sku: str = ""
    price: Decimal | None = None
    is_active: bool = True


class ProductPatch(Schema):
    name: str | None = None
    kind: str | None = None
    sku: str | None = None
    price: Decimal | None = None
    is_active: bool | None = None


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
    purchased_at: dt.datetime
    amount: Decimal = Decimal(0)
    currency: str = "EUR"
    channel: str = "online"
    external_id: str = ""


class PurchasePatch(Schema):
    purchased_at: dt.datetime | None = None
    amount: Decimal | None = None
    currency: str | None = None
    channel: str | None = None
    external_id: str | None = None


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
    started_on: dt.date
    status: str = "active"
    renews_on: dt.date | None = None
    ends_on: dt.date | None = None
    monthly_amount: Decimal = Decimal(0)
    currency: str = "EUR"
    renewals: int = 0
    external_id: str = ""


class SubscriptionPatch(Schema):
    status: str | None = None
    started_on: dt.date | None = None
    renews_on: dt.date | None = None
    ends_on: dt.date | None = None
    monthly_amount: Decimal | None = None
    currency: str | None = None
    renewals: int | None = None
    external_id: str | None = None
