"""One importer per kind of record: its columns, how a row finds the record it updates, and
what the row changes.

A row is matched with what the workspace already holds by a key (an external id, else a
natural key such as an email address), so importing the same file twice updates instead of
duplicating. An importer only plans: each row becomes an `actions.RecordChange` (a new record,
or a stored one and what changes on it), and `jobs` has the actions validate and write them.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contento.accounts.models import Organization
from contento.customers.actions import RecordChange
from contento.customers.imports.cells import (
    a_date,
    a_datetime,
    amount,
    choice,
    currency,
    email,
    language,
    text,
    time_zone,
    whole_number,
    yes_no,
)
from contento.customers.imports.columns import (
    ATTRIBUTE_PREFIX,
    Column,
    api_rule,
    attribute_column,
)
from contento.customers.models import (
    MAX_ATTRIBUTES,
    Company,
    Customer,
    Product,
    Purchase,
    Subscription,
)
from contento.customers.schemas import (
    CompanyIn,
    CustomerIn,
    ProductIn,
    PurchaseIn,
    SubscriptionIn,
)


@dataclass
class Row:
    number: int  # in the spreadsheet, the header being row 1
    values: dict[str, Any]  # the parsed non-empty cells by column name
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)

    def fail(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))


class Importer:
    """The import of one kind of record into one workspace.

    `schema` is the API's input schema for the kind: every column that sets a field gets its
    type as the column's `rule` (`columns.api_rule`), so what a file may hold is what the API
    takes.
    """

    name = ""
    label: Any = ""
    model: Any = None
    schema: Any = None
    columns: tuple[Column, ...] = ()
    # Groups of columns of which the header must hold at least one.
    one_of: tuple[tuple[str, ...], ...] = ()
    # How the columns named by `extra_column` are shown in the list of expected columns.
    extra_names: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.schema is not None:
            cls.columns = tuple(
                replace(c, rule=api_rule(cls.schema, c.field))
                if c.rule is None and c.field in cls.schema.model_fields
                else c
                for c in cls.columns
            )

    def __init__(self, organization: Organization):
        self.organization = organization
        self.column_map = {c.name: c for c in self.columns}

    def extra_column(self, name: str) -> Column | None:
        """Return the column of a header name not in `columns`, or None for an unknown one.

        Raises ParseError when the name has the form of such a column but is not valid.
        """
        return None

    def prepare(self, rows: list[Row]) -> None:
        """Fetch what this chunk's rows refer to or may match, in a few queries."""

    def resolve(self, row: Row) -> None:
        """Look up the rows' references (customer, product); record errors on the row."""

    def key(self, row: Row) -> tuple[tuple | None, tuple | None, str]:
        """Return the key matching the row, its natural key and the column named in errors."""
        raise NotImplementedError

    def find(self, row: Row, key: tuple):
        raise NotImplementedError

    def check(self, row: Row, instance) -> None:
        """Refuse rows that would change what must not change (an erased customer)."""

    def fields(self, row: Row) -> dict[str, Any]:
        return {
            c.field: row.values[c.name] for c in self.columns if c.field and c.name in row.values
        }

    def new(self, row: Row) -> RecordChange:
        """Return the new record the row makes, and its values."""
        return RecordChange(self.model(organization=self.organization), self.fields(row))

    def changes(self, instance, row: Row) -> dict[str, Any]:
        """Return what the row changes on a stored record (nothing: it is unchanged)."""
        return {
            name: value
            for name, value in self.fields(row).items()
            if getattr(instance, name) != value
        }

    def pending(self) -> list[tuple[Row, RecordChange, str]]:
        """Return, once, the records the rows planned so far need written before them.

        Each comes with the row that first needed it and the column its errors are shown in.
        """
        return []

    def column_of(self, name: str, row: Row) -> str:
        """Return the column to show a record's error on its field `name` in."""
        if name == NON_FIELD_ERRORS:
            return ""
        for column in self.columns:
            if column.field == name:
                return column.name
        return name


class CustomerImporter(Importer):
    """Customers, with their company (made when no company has its name) and attributes.

    A customers file may have any number of `attribute:<name>` columns: a cell sets that
    attribute, an empty cell removes it, and the attributes without a column are left as they
    are.
    """

    name = "customers"
    label = gettext_lazy("Customers")
    model = Customer
    schema = CustomerIn
    columns = (
        Column("external_id", text(100), field="external_id"),
        Column("name", text(200), required=True, field="name"),
        Column("email", email, field="email"),
        Column("phone", text(40), field="phone"),
        Column("language", language, field="language"),
        Column("timezone", time_zone, field="timezone"),
        Column("contact_consent", yes_no, field="contact_consent"),
        Column("company", text(200), rule=api_rule(CompanyIn, "name")),
    )
    extra_names = (f"{ATTRIBUTE_PREFIX}<name>",)

    def __init__(self, organization):
        super().__init__(organization)
        self.companies = {
            c.name.lower(): c
            for c in Company.objects.filter(organization=organization).order_by("-pk")
        }
        self.new_companies: list[tuple[Row, RecordChange, str]] = []
        self.existing: dict[tuple, Customer] = {}

    def extra_column(self, name):
        return attribute_column(name)

    def _attributes(self, row) -> dict[str, str | None]:
        """Return the row's attributes by name: a text to set, None (an empty cell) to remove."""
        attributes = {}
        for name, value in row.values.items():
            column = self.column_map.get(name)
            if column is not None and column.attribute:
                attributes[column.attribute] = value
        return attributes

    def _merged_attributes(self, instance, row) -> dict[str, str]:
        merged = dict(instance.attributes or {})
        for key, value in self._attributes(row).items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def prepare(self, rows):
        external_ids = {r.values["external_id"] for r in rows if r.values.get("external_id")}
        emails = {
            r.values["email"]
            for r in rows
            if not r.values.get("external_id") and r.values.get("email")
        }
        self.existing = {}
        customers = Customer.objects.filter(organization=self.organization)
        if external_ids:
            for customer in customers.exclude(external_id="").filter(external_id__in=external_ids):
                self.existing[("external_id", customer.external_id)] = customer
        if emails:
            for customer in customers.filter(email__in=emails, erased_at__isnull=True).order_by(
                "-pk"
            ):  # the oldest customer with the address wins
                self.existing[("email", customer.email)] = customer

    def resolve(self, row):
        name = row.values.pop("company", None)
        if name:
            company = self.companies.get(name.lower())
            if company is None:  # written with the chunk that first names it
                company = Company(organization=self.organization, name=name)
                self.companies[name.lower()] = company
                self.new_companies.append((row, RecordChange(company, {"name": name}), "company"))
            row.values["company"] = company

    def key(self, row):
        natural = ("email", row.values["email"]) if row.values.get("email") else None
        if row.values.get("external_id"):
            return ("external_id", row.values["external_id"]), natural, "external_id"
        if natural is None:
            row.fail("email", _("A customer needs an external id or an email address."))
        return natural, natural, "email"

    def find(self, row, key):
        return self.existing.get(key)

    def check(self, row, instance):
        if instance.erased_at is not None:
            row.fail("external_id", _("This customer's personal data was erased on request."))
            return
        if len(self._merged_attributes(instance, row)) > MAX_ATTRIBUTES:
            added = [
                name
                for name, value in row.values.items()
                if value is not None
                and (column := self.column_map.get(name)) is not None
                and column.attribute
                and column.attribute not in instance.attributes
            ]
            row.fail(
                added[0] if added else "",
                _("A customer can have at most %(max)d attributes.") % {"max": MAX_ATTRIBUTES},
            )

    def new(self, row):
        values = {"language": self.organization.default_language, **self.fields(row)}
        if row.values.get("company") is not None:
            values["company"] = row.values["company"]
        attributes = {k: v for k, v in self._attributes(row).items() if v is not None}
        if attributes:
            values["attributes"] = attributes
        return RecordChange(Customer(organization=self.organization), values)

    def changes(self, instance, row):
        changes = super().changes(instance, row)
        company = row.values.get("company")
        if company is not None and (company.pk is None or instance.company_id != company.pk):
            changes["company"] = company
        attributes = self._merged_attributes(instance, row)
        if attributes != instance.attributes:
            changes["attributes"] = attributes
        return changes

    def pending(self):
        pending, self.new_companies = self.new_companies, []
        return pending

    def column_of(self, name, row):
        if name == "attributes":
            names = [n for n in row.values if n.startswith(ATTRIBUTE_PREFIX)]
            return names[0] if names else ""
        return super().column_of(name, row)


class ProductImporter(Importer):
    name = "products"
    label = gettext_lazy("Products")
    model = Product
    schema = ProductIn
    columns = (
        Column("sku", text(100), field="sku"),
        Column("name", text(200), required=True, field="name"),
        Column("kind", choice(Product.Kind), field="kind"),
        Column("price", amount(minimum=Decimal(0)), field="price"),
        Column("on_sale", yes_no, field="is_active"),
    )

    def __init__(self, organization):
        super().__init__(organization)
        self.by_sku: dict[str, Product] = {}
        self.by_name: dict[str, Product] = {}
        for product in Product.objects.filter(organization=organization).order_by("-pk"):
            if product.sku:
                self.by_sku[product.sku] = product
            self.by_name[product.name.lower()] = product  # the oldest of a name wins

    def key(self, row):
        natural = ("name", row.values["name"].lower())
        if row.values.get("sku"):
            return ("sku", row.values["sku"]), natural, "sku"
        return natural, natural, "name"

    def find(self, row, key):
        kind, value = key
        return (self.by_sku if kind == "sku" else self.by_name).get(value)


class _SaleImporter(Importer):
    """Purchases and subscriptions: rows that refer to a customer and a product.

    As in the API, a sale stays with its customer and product: a row whose external id names
    another customer's or product's sale is refused, never moved.
    """

    reference_columns = (
        Column("customer_external_id", text(100)),
        Column("customer_email", email),
        Column("product_sku", text(100)),
        Column("product_name", text(200)),
    )
    one_of = (("customer_external_id", "customer_email"), ("product_sku", "product_name"))
    date_field = ""

    def __init__(self, organization):
        super().__init__(organization)
        self.products_by_sku: dict[str, Product] = {}
        self.products_by_name: dict[str, list[Product]] = {}
        for product in Product.objects.filter(organization=organization).order_by("pk"):
            if product.sku:
                self.products_by_sku[product.sku] = product
            self.products_by_name.setdefault(product.name.lower(), []).append(product)
        self.customers: dict[tuple, Customer] = {}
        self.existing: dict[tuple, Any] = {}

    def prepare(self, rows):
        external_ids = {
            r.values["customer_external_id"] for r in rows if r.values.get("customer_external_id")
        }
        emails = {r.values["customer_email"] for r in rows if r.values.get("customer_email")}
        customers = Customer.objects.filter(organization=self.organization)
        self.customers = {}
        if external_ids:
            for customer in customers.exclude(external_id="").filter(external_id__in=external_ids):
                self.customers[("external_id", customer.external_id)] = customer
        if emails:
            for customer in customers.filter(email__in=emails, erased_at__isnull=True).order_by(
                "-pk"
            ):
                self.customers[("email", customer.email)] = customer
        self.existing = {}
        own_ids = {r.values["external_id"] for r in rows if r.values.get("external_id")}
        sales = self.model.objects.filter(organization=self.organization)
        if own_ids:
            for sale in sales.exclude(external_id="").filter(external_id__in=own_ids):
                self.existing[("external_id", sale.external_id)] = sale
        moments = {r.values[self.date_field] for r in rows if self.date_field in r.values}
        customer_ids = {c.pk for c in self.customers.values()}
        if moments and customer_ids:
            natural = sales.filter(
                customer_id__in=customer_ids, **{f"{self.date_field}__in": moments}
            ).order_by("-pk")
            for sale in natural:
                self.existing[self._natural(sale.customer_id, sale.product_id, sale)] = sale

    def _natural(self, customer_id, product_id, sale) -> tuple:
        return ("natural", customer_id, product_id, getattr(sale, self.date_field))

    def resolve(self, row):
        values = row.values
        if values.get("customer_external_id"):
            column, key = "customer_external_id", ("external_id", values["customer_external_id"])
        elif values.get("customer_email"):
            column, key = "customer_email", ("email", values["customer_email"])
        else:
            row.fail("customer_email", _("Give the customer's external id or email address."))
            column, key = "", None
        customer = self.customers.get(key) if key else None
        if key and customer is None:
            row.fail(
                column,
                _('No customer has this %(column)s: "%(value)s".')
                % {"column": column, "value": key[1]},
            )
        if values.get("product_sku"):
            product = self.products_by_sku.get(values["product_sku"])
            if product is None:
                row.fail(
                    "product_sku",
                    _('No product has the SKU "%(value)s".') % {"value": values["product_sku"]},
                )
        elif values.get("product_name"):
            named = self.products_by_name.get(values["product_name"].lower(), [])
            product = named[0] if len(named) == 1 else None
            if not named:
                row.fail(
                    "product_name",
                    _('No product is named "%(value)s".') % {"value": values["product_name"]},
                )
            elif len(named) > 1:
                row.fail(
                    "product_name",
                    _('Several products are named "%(value)s"; give its product_sku instead.')
                    % {"value": values["product_name"]},
                )
        else:
            row.fail("product_sku", _("Give the product's SKU or name."))
            product = None
        if customer is not None and product is not None:
            values["customer_id"], values["product_id"] = customer.pk, product.pk

    def key(self, row):
        if "customer_id" not in row.values or self.date_field not in row.values:
            return None, None, ""
        values = row.values
        natural = ("natural", values["customer_id"], values["product_id"], values[self.date_field])
        if values.get("external_id"):
            return ("external_id", values["external_id"]), natural, "external_id"
        return natural, natural, self.date_field

    def find(self, row, key):
        return self.existing.get(key)

    def check(self, row, instance):
        values = row.values
        if (instance.customer_id, instance.product_id) != (
            values["customer_id"],
            values["product_id"],
        ):
            row.fail(
                "external_id",
                _("This external id is already used for another customer or product."),
            )

    def new(self, row):
        sale = self.model(
            organization=self.organization,
            customer_id=row.values["customer_id"],
            product_id=row.values["product_id"],
        )
        return RecordChange(sale, self.fields(row))


class PurchaseImporter(_SaleImporter):
    name = "purchases"
    label = gettext_lazy("Purchases")
    model = Purchase
    schema = PurchaseIn
    date_field = "purchased_at"
    columns = (
        Column("external_id", text(100), field="external_id"),
        *_SaleImporter.reference_columns,
        Column("purchased_at", a_datetime, required=True, field="purchased_at"),
        Column("amount", amount(minimum=Decimal(0)), field="amount"),
        Column("currency", currency, field="currency"),
        Column("channel", choice(Purchase.Channel), field="channel"),
    )


class SubscriptionImporter(_SaleImporter):
    name = "subscriptions"
    label = gettext_lazy("Subscriptions")
    model = Subscription
    schema = SubscriptionIn
    date_field = "started_on"
    columns = (
        Column("external_id", text(100), field="external_id"),
        *_SaleImporter.reference_columns,
        Column("status", choice(Subscription.Status), field="status"),
        Column("started_on", a_date, required=True, field="started_on"),
        Column("renews_on", a_date, field="renews_on"),
        Column("ends_on", a_date, field="ends_on"),
        Column("monthly_amount", amount(minimum=Decimal(0)), field="monthly_amount"),
        Column("currency", currency, field="currency"),
        Column("renewals", whole_number, field="renewals"),
    )

    def resolve(self, row):
        super().resolve(row)
        started = row.values.get("started_on")
        for column in ("renews_on", "ends_on"):
            if started and row.values.get(column) and row.values[column] < started:
                row.fail(column, _("This date is before started_on."))


IMPORTERS: dict[str, type[Importer]] = {
    i.name: i for i in (CustomerImporter, ProductImporter, PurchaseImporter, SubscriptionImporter)
}
KIND_CHOICES = [(name, importer.label) for name, importer in IMPORTERS.items()]


def expected_columns(kind: str) -> list[str]:
    return [c.name for c in IMPORTERS[kind].columns]
