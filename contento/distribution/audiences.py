"""Audiences: who a campaign reaches, as conditions on customers read at the moment of use.

A condition is a small dict, chosen from lists on the audience page:

    {"field": "language", "op": "is" | "is_not", "value": "es"}
    {"field": "attribute", "name": "plan", "op": "is" | "is_not", "value": "pro"}
    {"field": "company", "op": "is" | "is_not", "value": "<company name>"}
    {"field": "product", "op": "has" | "has_not", "value": "<product name>", "days": 90}
    {"field": "subscription", "op": "has" | "has_not", "value": "active"}
    {"field": "answered", "op": "has" | "has_not", "days": 90}
    {"field": "tickets", "op": "has" | "has_not", "days": 30}
    {"field": "consent", "op": "is", "value": "yes" | "no"}
    {"field": "theme", "op": "has" | "has_not", "value": "<theme name>", "days": 90}

("product … 90": bought it in the last 90 days; no "days": ever. "answered": completed any
survey in the last N days; "tickets": opened a ticket in the last N days; "theme": wrote a
comment the text analysis put in that theme, in the last N days or ever: the audience of a
"you said, we did" message.) Conditions are
joined by all or any of them; none selects every customer. Each is one indexed EXISTS or
column test, so an audience of 100,000 is counted in one query.
"""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.customers.models import Customer, Purchase, Subscription
from contento.support.models import Ticket
from contento.surveys.models import Answer, Response

FIELDS = ("language", "attribute", "company", "product", "subscription", "answered", "tickets")
FIELDS += ("consent", "theme")
OPS = {
    "language": ("is", "is_not"),
    "attribute": ("is", "is_not"),
    "company": ("is", "is_not"),
    "product": ("has", "has_not"),
    "subscription": ("has", "has_not"),
    "answered": ("has", "has_not"),
    "tickets": ("has", "has_not"),
    "consent": ("is",),
    "theme": ("has", "has_not"),
}
_NEEDS_DAYS = {"answered", "tickets"}
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
_LANGUAGES = {code for code, _name in settings.LANGUAGES}
_STATUSES = {choice for choice, _label in Subscription.Status.choices}
MAX_CONDITIONS = 20


def clean_conditions(conditions) -> list[dict]:
    """Return the conditions in their stored shape, or raise ValidationError saying which
    one is wrong and how."""
    if not isinstance(conditions, list):
        raise ValidationError(_("Conditions must be a list."))
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError(
            _("An audience has at most %(n)s conditions.") % {"n": MAX_CONDITIONS}
        )
    cleaned = []
    for number, condition in enumerate(conditions, start=1):
        try:
            cleaned.append(_clean(condition))
        except ValidationError as error:
            raise ValidationError(
                _("Condition %(number)s: %(problem)s")
                % {"number": number, "problem": " ".join(error.messages)}
            ) from None
    return cleaned


def _clean(condition) -> dict:
    if not isinstance(condition, dict):
        raise ValidationError(_("a condition is a field, a test and a value."))
    field = condition.get("field")
    if field not in OPS:
        raise ValidationError(_("unknown field."))
    op = condition.get("op") or OPS[field][0]
    if op not in OPS[field]:
        raise ValidationError(_("this test does not apply to this field."))
    value = str(condition.get("value") or "").strip()[:200]
    result = {"field": field, "op": op}
    if field == "attribute":
        name = str(condition.get("name") or "").strip()
        if not _ATTRIBUTE_NAME.match(name):
            raise ValidationError(_("name the attribute with letters, digits and _."))
        result["name"] = name
    if field == "language" and value not in _LANGUAGES:
        raise ValidationError(_("choose a language."))
    if field == "subscription" and value not in _STATUSES:
        raise ValidationError(_("choose a subscription status."))
    if field == "consent" and value not in ("yes", "no"):
        raise ValidationError(_("choose yes or no."))
    if field in ("attribute", "company", "product", "theme") and not value:
        raise ValidationError(_("give a value."))
    if field not in _NEEDS_DAYS:
        result["value"] = value
    days = condition.get("days")
    if days not in (None, ""):
        try:
            days = int(days)
        except (TypeError, ValueError):
            raise ValidationError(_("the number of days must be a whole number.")) from None
        if not 1 <= days <= 3650:
            raise ValidationError(_("the number of days must be between 1 and 3650."))
        if field in _NEEDS_DAYS or field in ("product", "theme"):
            result["days"] = days
    elif field in _NEEDS_DAYS:
        raise ValidationError(_("give a number of days."))
    return result


def _since(condition, now) -> dt.datetime | None:
    days = condition.get("days")
    return now - dt.timedelta(days=days) if days else None


def _test(condition: dict, now) -> Q:
    field, op, value = condition["field"], condition["op"], condition.get("value", "")
    customer = OuterRef("pk")
    if field == "language":
        test = Q(language=value)
    elif field == "attribute":
        test = Q(**{f"attributes__{condition['name']}": value})
    elif field == "company":
        test = Q(company__name__iexact=value)
    elif field == "consent":
        test = Q(contact_consent=value == "yes")
    elif field == "product":
        purchases = Purchase.objects.filter(customer=customer, product__name__iexact=value)
        since = _since(condition, now)
        if since:
            purchases = purchases.filter(purchased_at__gte=since)
        test = Q(Exists(purchases))
    elif field == "subscription":
        test = Q(Exists(Subscription.objects.filter(customer=customer, status=value)))
    elif field == "answered":
        test = Q(
            Exists(
                Response.objects.filter(
                    customer=customer,
                    status=Response.Status.COMPLETE,
                    completed_at__gte=_since(condition, now),
                )
            )
        )
    elif field == "theme":
        comments = Answer.objects.filter(
            response__customer=customer, theme__label__iexact=value, is_test=False
        )
        since = _since(condition, now)
        if since:
            comments = comments.filter(answered_at__gte=since)
        test = Q(Exists(comments))
    else:  # tickets
        test = Q(
            Exists(Ticket.objects.filter(customer=customer, created_at__gte=_since(condition, now)))
        )
    return ~test if op in ("is_not", "has_not") else test


def select(organization, conditions: list[dict], match: str = "all", now=None) -> QuerySet:
    """The organisation's customers (not erased) who meet the conditions."""
    now = now or timezone.now()
    customers = Customer.objects.filter(organization=organization, erased_at__isnull=True)
    if not conditions:
        return customers
    tests = [_test(condition, now) for condition in conditions]
    joined = tests[0]
    for test in tests[1:]:
        joined = (joined | test) if match == "any" else (joined & test)
    return customers.filter(joined)


def audience_customers(audience, now=None) -> QuerySet:
    return select(audience.organization, audience.conditions, audience.match, now=now)


def describe(condition: dict) -> str:
    """The condition in words, as the audience page lists it."""
    field, op = condition["field"], condition["op"]
    value, days = condition.get("value", ""), condition.get("days")
    negative = op in ("is_not", "has_not")
    if field == "language":
        text = _("language is not %(v)s") if negative else _("language is %(v)s")
    elif field == "attribute":
        text = _("%(name)s is not %(v)s") if negative else _("%(name)s is %(v)s")
    elif field == "company":
        text = _("company is not %(v)s") if negative else _("company is %(v)s")
    elif field == "consent":
        text = _("may be contacted") if value == "yes" else _("may not be contacted")
    elif field == "product":
        if days:
            text = (
                _("did not buy %(v)s in the last %(days)s days")
                if negative
                else _("bought %(v)s in the last %(days)s days")
            )
        else:
            text = _("never bought %(v)s") if negative else _("bought %(v)s")
    elif field == "subscription":
        text = _("has no %(v)s subscription") if negative else _("has a subscription that is %(v)s")
        value = Subscription.Status(value).label.lower()
    elif field == "answered":
        text = (
            _("answered no survey in the last %(days)s days")
            if negative
            else _("answered a survey in the last %(days)s days")
        )
    elif field == "theme":
        if days:
            text = (
                _("wrote nothing about %(v)s in the last %(days)s days")
                if negative
                else _("wrote about %(v)s in the last %(days)s days")
            )
        else:
            text = _("never wrote about %(v)s") if negative else _("wrote about %(v)s")
    else:
        text = (
            _("opened no ticket in the last %(days)s days")
            if negative
            else _("opened a ticket in the last %(days)s days")
        )
    return text % {"v": value, "name": condition.get("name", ""), "days": days}
