"""What one cell may hold: a parser per kind of value, each with the message a person reads.

A parser takes a non-empty cell (a string from CSV; a string, number, date or bool from XLSX)
and returns the Python value, or raises ParseError saying what was expected. Parsers read the
forms people type in spreadsheets (1.234,50, DD/MM/YYYY, yes); what may be stored is then
checked with the API's own types (`columns.api_rule`).
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.customers.models import TIMEZONE_CHOICES, Customer


class ParseError(ValueError):
    """A cell's value is not what its column expects; the message says what is."""


def cell_text(value: Any) -> str:
    """Return a cell as trimmed text (XLSX numbers like 123.0 become "123"), without NULs.

    Every text cell passes here: a NUL character means nothing in a text, and PostgreSQL
    cannot store one (the boundary rule of contento.core.api).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\x00", "").strip()


def text(max_length: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        value = cell_text(value)
        if len(value) > max_length:
            raise ParseError(
                _("Longer than %(max)s characters.") % {"max": max_length},
            )
        return value

    return parse


def email(value: Any) -> str:
    value = cell_text(value).lower()
    limit = Customer._meta.get_field("email").max_length
    if len(value) > limit:
        raise ParseError(_("Longer than %(max)s characters.") % {"max": limit})
    try:
        validate_email(value)
    except ValidationError:
        raise ParseError(
            _('"%(value)s" is not a valid email address.') % {"value": value}
        ) from None
    return value


_LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def language(value: Any) -> str:
    code = cell_text(value).lower().replace("_", "-")
    if code in _LANGUAGE_CODES:
        return code
    if code.split("-")[0] in _LANGUAGE_CODES:  # "es-MX" is Spanish
        return code.split("-")[0]
    raise ParseError(
        _('Unknown language "%(value)s"; use one of: %(choices)s.')
        % {"value": cell_text(value), "choices": ", ".join(_LANGUAGE_CODES)}
    )


_TIMEZONES = {name.lower(): name for name, _label in TIMEZONE_CHOICES}


def time_zone(value: Any) -> str:
    name = _TIMEZONES.get(cell_text(value).lower())
    if name is None:
        raise ParseError(
            _('Unknown time zone "%(value)s"; use a name like Europe/Madrid.')
            % {"value": cell_text(value)}
        )
    return name


_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = cell_text(value).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ParseError(
        _('"%(value)s" is not yes or no; use yes, no, true, false, 1 or 0.')
        % {"value": cell_text(value)}
    )


_DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    *_DATE_FORMATS,
)


def a_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = cell_text(value)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ParseError(
        _('"%(value)s" is not a date; use YYYY-MM-DD (ISO 8601), DD/MM/YYYY or DD.MM.YYYY.')
        % {"value": raw}
    )


def a_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        raw = cell_text(value)
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            for pattern in _DATETIME_FORMATS:
                try:
                    moment = datetime.strptime(raw, pattern)
                    break
                except ValueError:
                    continue
            else:
                raise ParseError(
                    _(
                        '"%(value)s" is not a date and time; use ISO 8601 (YYYY-MM-DD HH:MM, '
                        "with an optional UTC offset), DD/MM/YYYY HH:MM or DD.MM.YYYY HH:MM."
                    )
                    % {"value": raw}
                ) from None
    if timezone.is_naive(moment):  # a time without an offset is in the server's time zone
        moment = timezone.make_aware(moment)
    return moment


_AMOUNT_LIMIT = Decimal(10) ** 10  # max_digits=12 with two decimal places


def amount(minimum: Decimal | None = None) -> Callable[[Any], Decimal]:
    def parse(value: Any) -> Decimal:
        raw = cell_text(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            number_text = repr(value) if isinstance(value, float) else str(value)
        else:
            number_text = re.sub(r"[\s\u00a0'€$£]", "", raw)
            if "," in number_text and "." in number_text:
                # The separator written last is the decimal one: 1,234.50 or 1.234,50.
                thousands = "," if number_text.rfind(".") > number_text.rfind(",") else "."
                number_text = number_text.replace(thousands, "").replace(",", ".")
            elif number_text.count(",") == 1:
                number_text = number_text.replace(",", ".")
            elif number_text.count(",") > 1:
                number_text = number_text.replace(",", "")
        try:
            number = Decimal(number_text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ParseError(
                _('"%(value)s" is not an amount; write it like 1234.50 or 1234,50.')
                % {"value": raw}
            )
        if number != number.quantize(Decimal("0.01")):
            raise ParseError(_("An amount has at most two decimal places."))
        if abs(number) >= _AMOUNT_LIMIT:
            raise ParseError(_("This amount is too large."))
        if minimum is not None and number < minimum:
            raise ParseError(_("This amount cannot be negative."))
        return number.quantize(Decimal("0.01"))

    return parse


def whole_number(value: Any) -> int:
    raw = cell_text(value)
    try:
        number = int(raw)
    except ValueError:
        number = -1
    if number < 0:
        raise ParseError(_('"%(value)s" is not a whole number.') % {"value": raw})
    return number


def currency(value: Any) -> str:
    code = cell_text(value).upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ParseError(
            _('"%(value)s" is not a currency code; use three letters like EUR or USD.')
            % {"value": cell_text(value)}
        )
    return code


def choice(choices) -> Callable[[Any], str]:
    """Accept a choice's value or its English label, in any case."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value

    def parse(value: Any) -> str:
        found = lookup.get(cell_text(value).lower())
        if found is None:
            raise ParseError(
                _('Unknown value "%(value)s"; use one of: %(choices)s.')
                % {"value": cell_text(value), "choices": ", ".join(choices.values)}
            )
        return found

    return parse
