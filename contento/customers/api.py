"""Customer endpoints of the REST API: customers, companies, products, purchases, subscriptions.

The same actions and role checks as the pages: reading needs `customer.view`, writing
`customer.edit` (products `customer.import`, as they are the catalogue), and a customer's
data export and erasure `customer.erase`. Every create is an upsert on the record's external
id (SKU for products; email for a customer without one), so a retried request never
duplicates: 201 when something was created, 200 when an existing record was updated.

A customer's `attributes`, when sent, replace the whole map (`null` or `{}` removes them all);
when not sent, they are left as they are.
"""

import logging
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from contento.accounts import audit
from contento.accounts.access import require_member
from contento.core.api import DateTime, Flag, MappedPage, Pagination, choice_of, text
from contento.customers import actions
from contento.customers.access import access_customer
from contento.customers.gdpr import do_erase_customer, export_customer
from contento.customers.models import (
    Company,
    ContactPoint,
    Customer,
    Product,
    Purchase,
    Subscription,
)
from contento.customers.schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    CustomerIn,
    CustomerOut,
    CustomerPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    PurchaseIn,
    PurchaseOut,
    PurchasePatch,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)

log = logging.getLogger(__name__)
router = Router(tags=["customers"])


def _created(record_and_created, convert):
    record, created = record_and_created
    return Status(201 if created else 200, convert(record))


def _one(model, membership, code, what: str):
    record = model.objects.filter(organization=membership.organization, code=code).first()
    if record is None:
        raise Http404(f"No such {what} in this workspace.")
    return record


# Customers


def _customer_out(c: Customer) -> dict:
    contacts = list(c.contacts.all())
    return {
        "code": c.code,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "other_emails": [p.value for p in contacts if p.kind == ContactPoint.Kind.EMAIL],
        "other_phones": [p.value for p in contacts if p.kind == ContactPoint.Kind.PHONE],
        "language": c.language,
        "timezone": c.timezone,
        "contact_consent": c.contact_consent,
        "external_id": c.external_id,
        "company": c.company.code if c.company else None,
        "attributes": c.attributes or {},
        "erased": c.erased_at is not None,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _customer_changes(membership, changes: dict) -> dict:
    if "company" in changes:
        code = changes["company"]
        changes["company"] = _one(Company, membership, code, "company") if code else None
    if "language" in changes and changes["language"] is None:
        del changes["language"]  # the workspace's language for a new customer
    if "attributes" in changes:  # the model's validator checks the names and lengths
        attributes = changes["attributes"] or {}
        changes["attributes"] = {name: value.strip() for name, value in attributes.items()}
    return changes


@router.get("/customers", response=list[CustomerOut], summary="List customers")
@paginate(Pagination)
def list_customers(
    request,
    q: text(200) | None = Query(None, description="Part of the name or email."),
    email: text(254) | None = Query(None, description="An email address, first or additional."),
    external_id: text(100) | None = Query(None),
    company: UUID | None = Query(None),
    updated_since: DateTime | None = Query(None),
):
    membership = require_member(request.auth, "customer.view")
    customers = Customer.objects.filter(organization=membership.organization)
    if q:
        customers = customers.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if email:
        email = email.strip().lower()
        customers = customers.filter(
            Q(email=email) | Q(contacts__kind=ContactPoint.Kind.EMAIL, contacts__value=email)
        ).distinct()
    if external_id:
        customers = customers.filter(external_id=external_id)
    if company:
        customers = customers.filter(company__code=company)
    if updated_since:
        customers = customers.filter(updated_at__gte=updated_since)
    customers = customers.select_related("company").prefetch_related("contacts")
    return MappedPage(customers.order_by("name", "pk"), _customer_out)


@router.get("/customers/{code}", response=CustomerOut, summary="Read a customer")
def get_customer(request, code: UUID):
    return _customer_out(access_customer(request.auth, code))


@router.post(
    "/customers",
    response={200: CustomerOut, 201: CustomerOut},
    summary="Create a customer, or update the one with the same external id or email",
)
def create_customer(request, payload: CustomerIn):
    membership = require_member(request.auth, "customer.edit")
    changes = _customer_changes(membership, payload.dict(exclude_unset=True))
    return _created(actions.do_save_customer(membership.organization, changes), _customer_out)


@router.patch("/customers/{code}", response=CustomerOut, summary="Change a customer")
def update_customer(request, code: UUID, payload: CustomerPatch):
    membership = require_member(request.auth, "customer.edit")
    customer = access_customer(membership, code, "customer.edit")
    changes = _customer_changes(membership, payload.dict(exclude_unset=True))
    customer, _created_ = actions.do_save_customer(membership.organization, changes, customer)
    return _customer_out(customer)


@router.get(
    "/customers/{code}/export",
    response=dict,
    summary="Everything stored about a customer (GDPR access request)",
)
def export_customer_data(request, code: UUID):
    membership = require_member(request.auth, "customer.erase")
    customer = access_customer(membership, code, "customer.erase")
    audit.record(membership, "customer.exported", customer)
    log.info(
        "customer exported",
        extra={"customer": str(customer.code), "membership": membership.pk},
    )
    return export_customer(customer)


@router.post(
    "/customers/{code}/erase",
    response=CustomerOut,
    summary="Erase a customer's personal data (GDPR erasure request)",
    description="Irreversible. Scores and counts are kept; erasing again changes nothing.",
)
def erase_customer(request, code: UUID):
    membership = require_member(request.auth, "customer.erase")
    customer = access_customer(membership, code, "customer.erase")
    with transaction.atomic():
        if customer.erased_at is None:
            audit.record(membership, "customer.erased", customer)
        do_erase_customer(customer, actor=membership)
    return _customer_out(Customer.objects.get(pk=customer.pk))


# Companies


def _company_out(c: Company) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "domain": c.domain,
        "external_id": c.external_id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


@router.get("/companies", response=list[CompanyOut], summary="List companies")
@paginate(Pagination)
def list_companies(
    request, q: text(200) | None = Query(None), external_id: text(100) | None = Query(None)
):
    membership = require_member(request.auth, "customer.view")
    companies = Company.objects.filter(organization=membership.organization)
    if q:
        companies = companies.filter(Q(name__icontains=q) | Q(domain__icontains=q))
    if external_id:
        companies = companies.filter(external_id=external_id)
    return MappedPage(companies.order_by("name", "pk"), _company_out)


@router.get("/companies/{code}", response=CompanyOut, summary="Read a company")
def get_company(request, code: UUID):
    membership = require_member(request.auth, "customer.view")
    return _company_out(_one(Company, membership, code, "company"))


@router.post(
    "/companies",
    response={200: CompanyOut, 201: CompanyOut},
    summary="Create a company, or update the one with the same external id",
)
def create_company(request, payload: CompanyIn):
    membership = require_member(request.auth, "customer.edit")
    return _created(
        actions.do_save_company(membership.organization, payload.dict(exclude_unset=True)),
        _company_out,
    )


@router.patch("/companies/{code}", response=CompanyOut, summary="Change a company")
def update_company(request, code: UUID, payload: CompanyPatch):
    membership = require_member(request.auth, "customer.edit")
    company = _one(Company, membership, code, "company")
    company, _created_ = actions.do_save_company(
        membership.organization, payload.dict(exclude_unset=True), company
    )
    return _company_out(company)


# Products


def _product_out(p: Product) -> dict:
    return {
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "sku": p.sku,
        "price": p.price,
        "is_active": p.is_active,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
    }


@router.get("/products", response=list[ProductOut], summary="List products and services")
@paginate(Pagination)
def list_products(
    request,
    q: text(200) | None = Query(None),
    kind: choice_of(Product, "kind") | None = Query(None),
    sku: text(100) | None = Query(None),
    active: Flag | None = Query(None),
):
    membership = require_member(request.auth, "customer.view")
    products = Product.objects.filter(organization=membership.organization)
    if q:
        products = products.filter(Q(name__icontains=q) | Q(sku__icontains=q))
    if kind:
        products = products.filter(kind=kind)
    if sku:
        products = products.filter(sku=sku)
    if active is not None:
        products = products.filter(is_active=active)
    return MappedPage(products.order_by("name", "pk"), _product_out)


@router.get("/products/{code}", response=ProductOut, summary="Read a product or service")
def get_product(request, code: UUID):
    membership = require_member(request.auth, "customer.view")
    return _product_out(_one(Product, membership, code, "product"))


@router.post(
    "/products",
    response={200: ProductOut, 201: ProductOut},
    summary="Create a product or service, or update the one with the same SKU",
)
def create_product(request, payload: ProductIn):
    membership = require_member(request.auth, "customer.import")
    return _created(
        actions.do_save_product(membership.organization, payload.dict(exclude_unset=True)),
        _product_out,
    )


@router.patch("/products/{code}", response=ProductOut, summary="Change a product or service")
def update_product(request, code: UUID, payload: ProductPatch):
    membership = require_member(request.auth, "customer.import")
    product = _one(Product, membership, code, "product")
    product, _created_ = actions.do_save_product(
        membership.organization, payload.dict(exclude_unset=True), product
    )
    return _product_out(product)


# Purchases and subscriptions


def _purchase_out(p: Purchase) -> dict:
    return {
        "code": p.code,
        "customer": p.customer.code,
        "product": p.product.code,
        "purchased_at": p.purchased_at,
        "amount": p.amount,
        "currency": p.currency,
        "channel": p.channel,
        "external_id": p.external_id,
        "created_at": p.created_at,
    }


def _subscription_out(s: Subscription) -> dict:
    return {
        "code": s.code,
        "customer": s.customer.code,
        "product": s.product.code,
        "status": s.status,
        "started_on": s.started_on,
        "renews_on": s.renews_on,
        "ends_on": s.ends_on,
        "monthly_amount": s.monthly_amount,
        "currency": s.currency,
        "renewals": s.renewals,
        "external_id": s.external_id,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    }


def _sale_parties(membership, payload) -> tuple[Customer, Product, dict]:
    changes = payload.dict(exclude_unset=True)
    customer = _one(Customer, membership, changes.pop("customer"), "customer")
    product = _one(Product, membership, changes.pop("product"), "product")
    return customer, product, changes


@router.get("/purchases", response=list[PurchaseOut], summary="List purchases, newest first")
@paginate(Pagination)
def list_purchases(
    request,
    customer: UUID | None = Query(None),
    product: UUID | None = Query(None),
    since: DateTime | None = Query(None),
    until: DateTime | None = Query(None),
):
    membership = require_member(request.auth, "customer.view")
    purchases = Purchase.objects.filter(organization=membership.organization)
    if customer:
        purchases = purchases.filter(customer__code=customer)
    if product:
        purchases = purchases.filter(product__code=product)
    if since:
        purchases = purchases.filter(purchased_at__gte=since)
    if until:
        purchases = purchases.filter(purchased_at__lt=until)
    purchases = purchases.select_related("customer", "product")
    return MappedPage(purchases.order_by("-purchased_at", "-pk"), _purchase_out)


@router.get("/purchases/{code}", response=PurchaseOut, summary="Read a purchase")
def get_purchase(request, code: UUID):
    membership = require_member(request.auth, "customer.view")
    return _purchase_out(_one(Purchase, membership, code, "purchase"))


@router.post(
    "/purchases",
    response={200: PurchaseOut, 201: PurchaseOut},
    summary="Record a purchase, or update the one with the same external id",
)
def create_purchase(request, payload: PurchaseIn):
    membership = require_member(request.auth, "customer.edit")
    customer, product, changes = _sale_parties(membership, payload)
    return _created(
        actions.do_record_purchase(
            membership.organization, changes, customer=customer, product=product
        ),
        _purchase_out,
    )


@router.patch("/purchases/{code}", response=PurchaseOut, summary="Correct a purchase")
def update_purchase(request, code: UUID, payload: PurchasePatch):
    membership = require_member(request.auth, "customer.edit")
    purchase = _one(Purchase, membership, code, "purchase")
    purchase = actions.do_correct_purchase(purchase, payload.dict(exclude_unset=True))
    return _purchase_out(purchase)


@router.get("/subscriptions", response=list[SubscriptionOut], summary="List subscriptions")
@paginate(Pagination)
def list_subscriptions(
    request,
    customer: UUID | None = Query(None),
    product: UUID | None = Query(None),
    status: choice_of(Subscription, "status") | None = Query(None),
):
    membership = require_member(request.auth, "customer.view")
    subscriptions = Subscription.objects.filter(organization=membership.organization)
    if customer:
        subscriptions = subscriptions.filter(customer__code=customer)
    if product:
        subscriptions = subscriptions.filter(product__code=product)
    if status:
        subscriptions = subscriptions.filter(status=status)
    subscriptions = subscriptions.select_related("customer", "product")
    return MappedPage(subscriptions.order_by("-started_on", "-pk"), _subscription_out)


@router.get("/subscriptions/{code}", response=SubscriptionOut, summary="Read a subscription")
def get_subscription(request, code: UUID):
    membership = require_member(request.auth, "customer.view")
    return _subscription_out(_one(Subscription, membership, code, "subscription"))


@router.post(
    "/subscriptions",
    response={200: SubscriptionOut, 201: SubscriptionOut},
    summary="Start a subscription, or update the one with the same external id",
)
def create_subscription(request, payload: SubscriptionIn):
    membership = require_member(request.auth, "customer.edit")
    customer, product, changes = _sale_parties(membership, payload)
    return _created(
        actions.do_save_subscription(
            membership.organization, changes, customer=customer, product=product
        ),
        _subscription_out,
    )


@router.patch(
    "/subscriptions/{code}",
    response=SubscriptionOut,
    summary="Change a subscription (renewal, status, end)",
)
def update_subscription(request, code: UUID, payload: SubscriptionPatch):
    membership = require_member(request.auth, "customer.edit")
    subscription = _one(Subscription, membership, code, "subscription")
    subscription, _created_ = actions.do_save_subscription(
        membership.organization, payload.dict(exclude_unset=True), subscription
    )
    return _subscription_out(subscription)
