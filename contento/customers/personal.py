"""What each app holds about a customer: the contract behind export, erasure, timeline and page.

Every app whose models hold a customer's personal data has a `personal_data.py` module that
registers one `PersonalData` subclass, the way an app's `admin.py` registers its model admins.
`customers` imports those modules when Django starts (`autodiscover`) and, when it exports or
erases a customer (`contento.customers.gdpr`), draws their timeline
(`contento.customers.timeline`) or shows their page, asks every registered part for its share.
So `customers` knows nothing of the apps above it, and a new app adds its share in one place.

`contento/customers/tests/test_personal_data.py` walks every model that can be reached from a
customer and fails until some app's part names it, in `models` (held and handled) or in
`no_personal_data` (with the reason), so a new model cannot be forgotten.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db.models import Model
from django.utils.module_loading import autodiscover_modules
from django.utils.text import Truncator

# What erased text becomes. Stored data, not interface text, so not translated.
ERASED = "[erased]"
# How much of a message or comment the timeline shows; the page it links to has the rest.
DETAIL_CHARS = 240


def iso(value) -> str | None:
    """A time or date in an export: ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def export_product(product) -> dict:
    """A product as exports name it: what a purchase, subscription or ticket is about."""
    return {"code": str(product.code), "name": product.name, "kind": product.kind}


def record_key(obj: Model) -> str:
    """The `Entry.key` of a record: "<app_label>.<model>:<pk>"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def short(text: str) -> str:
    """Text shortened for a timeline line, on one line."""
    return Truncator(" ".join((text or "").split())).chars(DETAIL_CHARS)


@dataclass(frozen=True)
class Entry:
    """One thing that happened to a customer, ready to show on their timeline.

    `category` groups entries for styling and filtering (purchase, subscription, ticket,
    message, note, survey, rating); `kind` says exactly what happened within it. `key` names
    the record shown (`record_key`); an entry that `replaces` a key is shown
    instead of the entry with that key, when an app above tells the same event better (a rating
    of a ticket is a response to the rating survey, shown once, as the rating).
    """

    at: dt.datetime
    kind: str
    category: str
    icon: str
    title: str
    detail: str = ""
    url: str = ""
    internal: bool = False
    # Among entries at the same instant, the higher rank is shown first (newest first): a
    # ticket's first message comes above the "ticket opened" line it belongs to.
    rank: int = 0
    key: str = ""
    replaces: str = ""


@dataclass(frozen=True)
class Panel:
    """A part of the customer page that an app above `customers` shows: a template and its data.

    The template gets the data as `panel`; panels come before the timeline unless
    `after_timeline`.
    """

    template: str
    data: dict[str, Any]
    after_timeline: bool = False


@dataclass
class Erasure:
    """One customer's erasure under way, handed to every app's part inside one transaction.

    `addresses` are every address the customer was known by, lower-cased, read before anything
    was blanked. Parts add the files to delete once the transaction commits and the rows whose
    admin history names the customer.
    """

    customer: Any
    actor: Any
    addresses: list[str]
    files: list[tuple[Any, str]] = field(default_factory=list)
    history: list[tuple[type[Model], list[int]]] = field(default_factory=list)

    def delete_file(self, storage, name: str) -> None:
        if name:
            self.files.append((storage, name))

    def forget_history(self, model: type[Model], ids) -> None:
        ids = list(ids)
        if ids:
            self.history.append((model, ids))


class PersonalData:
    """One app's share of what is held about a customer. Subclass it and `register` it.

    Every method gets a customer row of the current workspace; the defaults hold nothing.
    """

    # The models whose rows hold personal data of customers, exported and erased here.
    models: ClassVar[tuple[type[Model], ...]] = ()
    # Models reachable from a customer that hold none of it, each with the reason.
    no_personal_data: ClassVar[dict[type[Model], str]] = {}

    def export(self, customer) -> dict[str, Any]:
        """This app's keys of the customer's export (JSON-serialisable, objects named by code)."""
        return {}

    def erase(self, erasure: Erasure) -> None:
        """Remove what identifies the customer or what they wrote; keep what figures count."""

    def timeline(self, customer, limit: int) -> list[Entry]:
        """At most `limit` entries of each kind, newest first, in a fixed number of queries."""
        return []

    def panels(self, customer, membership) -> list[Panel]:
        """What this app shows on the customer page to this member."""
        return []


_parts: list[PersonalData] = []


def register(cls: type[PersonalData]) -> type[PersonalData]:
    """Class decorator: add an app's part (once, however often its module is imported)."""
    if not any(type(part) is cls for part in _parts):
        _parts.append(cls())
    return cls


def parts() -> tuple[PersonalData, ...]:
    """Every registered part, in the order of INSTALLED_APPS."""
    return tuple(_parts)


def autodiscover() -> None:
    """Import every installed app's `personal_data` module (from `CustomersConfig.ready`)."""
    autodiscover_modules("personal_data")
