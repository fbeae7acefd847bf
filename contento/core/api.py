"""What every endpoint of the REST API shares: input types that hold the boundary rule,
pagination, the error shape and the parser that reads requests.

The boundary rule for text from outside, in one place:

- NUL characters never enter the product: `Parser` removes them from every string of a JSON
  body, and the types of the query's texts (`text`) after checking their length as sent (the
  web forms get the same from `core.middleware.StripNul`). A NUL means nothing in a text and
  PostgreSQL cannot store one.
- Every text an endpoint stores is declared with `text_of(Model, "field")`, which takes its
  length from the column, so an over-long value is a 422 naming the field on every database
  (SQLite would keep it, PostgreSQL would fail), and the OpenAPI schema says so.
- Date-times are turned to UTC (`DateTime`): PostgreSQL refuses offsets beyond ±15:59, which
  Python accepts, and the stored value is the same instant either way.
"""

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import models
from ninja import Field, NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser as NinjaParser
from pydantic import BeforeValidator, PlainValidator, StringConstraints, WithJsonSchema

NUL = "\x00"
MAX_PAGE = 1000  # items in one page of a list
MAX_OFFSET = 10**9  # beyond any workspace's rows, and far within a 64-bit OFFSET


def strip_nul(value: Any) -> Any:
    """Return `value` with NUL characters removed from every string in it, keys included."""
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, dict):
        return {strip_nul(key): strip_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_nul(item) for item in value]
    return value


class Parser(NinjaParser):
    """Read JSON bodies with NUL characters removed from every string, and queries as sent."""

    def parse_body(self, request):
        body = json.loads(request.body)
        if not isinstance(body, dict):  # every body of this API is an object
            raise ValueError("The body must be a JSON object.")  # answered with 400
        return strip_nul(body)

    def parse_querydict(self, data, list_fields, request):
        # A parameter that takes one value, sent several times, is refused rather than read
        # as one of them: the list goes on to validation, which says it is not a text.
        # NULs are left in: each parameter's type checks the value as sent (a text of 201
        # characters is too long for text(200), NULs or not) and `text` then removes them;
        # an identifier, a date or a choice with a NUL in it is simply invalid.
        return {
            key: data.getlist(key)
            if key in list_fields or len(data.getlist(key)) > 1
            else data[key]
            for key in data
        }


def text(max_length: int, *, required: bool = False) -> Any:
    """Return a string type of at most `max_length` characters (NUL removed).

    A `required` text must hold something besides spaces (the actions trim what they store).
    """
    constraints = StringConstraints(max_length=max_length, pattern=r"\S" if required else None)

    def strip_nul_within(value: Any) -> Any:
        # The length counts as sent, NULs included: a text longer than the schema says is
        # refused, as a client reading the schema expects, even when its NULs would be cut.
        if isinstance(value, str) and len(value) > max_length:
            raise ValueError(f"String should have at most {max_length} characters")
        return strip_nul(value)

    # The validator goes last: it wraps the constraints, so it runs first and the schema
    # still shows them (placed first, pydantic leaves the pattern out of the schema).
    return Annotated[str, constraints, BeforeValidator(strip_nul_within)]


def text_of(model: type[models.Model], name: str, *, required: bool = False) -> Any:
    """Return the string type of a model's column: its max_length, so nothing is cut or fails."""
    field = model._meta.get_field(name)
    max_length = getattr(field, "max_length", None)
    if max_length is None:
        raise TypeError(f"{model.__name__}.{name} has no max_length; use text(n)")
    return text(max_length, required=required)


def choice_of(model: type[models.Model], name: str) -> Any:
    """Return the type of a column with choices: one of its values, as an enum in the schema."""
    values = tuple(value for value, _label in model._meta.get_field(name).choices)
    return Literal[values]


def one_of(values) -> Any:
    """Return a type that takes exactly these strings (an enum in the schema)."""
    return Literal[tuple(values)]


# An email address as the product stores it: what Django's EmailValidator accepts, in a form a
# JSON Schema can state (a dot-atom local part, a host name with a letter-only top level), or
# "" for none; spaces around it are trimmed.
EMAIL_PATTERN = (
    r"^ *$|^ *[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24} *$"
)
Email = Annotated[
    str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN), BeforeValidator(strip_nul)
]


def _iso_datetime(value: Any) -> dt.datetime:
    """Read a date-time as RFC 3339 text with its offset, and return it in UTC.

    Only text is read (pydantic would take "0.5" as a Unix time), an offset is required (the
    schema's `format: date-time` requires one), and any offset Python reads is accepted and
    turned to UTC (PostgreSQL refuses offsets beyond ±15:59).
    """
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and _RFC3339.fullmatch(value):
        parsed = dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    else:
        raise ValueError("must be a date-time such as 2026-03-01T10:00:00Z")
    if parsed.tzinfo is None:
        raise ValueError("must say its offset from UTC, such as Z or +01:00")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of the range of dates") from None


def _iso_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError("must be a date such as 2026-03-01")


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")

DateTime = Annotated[
    dt.datetime,
    PlainValidator(_iso_datetime),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Date = Annotated[
    dt.date, PlainValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})
]
# true or false, never 0, 1 or "yes" (JSON's booleans; in a query, the words true and false).
Flag = Annotated[
    bool, PlainValidator(lambda value: _flag(value)), WithJsonSchema({"type": "boolean"})
]


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("must be true or false")


def _whole(value: Any) -> int:
    # JSON Schema counts 5.0 as an integer; text, booleans and fractions are not numbers here.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("must be a whole number")


def count(maximum: int = 2**31 - 1) -> Any:
    """Return a whole number from 0 to `maximum` (a JSON integer, never text or a fraction)."""
    return Annotated[
        int,
        PlainValidator(_whole),
        Field(ge=0, le=maximum),
        WithJsonSchema({"type": "integer", "minimum": 0, "maximum": maximum}),
    ]


MONEY_MAX = Decimal("9999999999.99")  # the columns hold 12 digits, 2 after the point
_MONEY_TEXT = re.compile(r"\d{1,10}(\.\d{1,2})?")


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("must be an amount such as 19.90")
    if isinstance(value, str) and not _MONEY_TEXT.fullmatch(value):
        raise ValueError("must be an amount such as 19.90, with at most two decimals")
    amount = Decimal(str(value))
    if not amount.is_finite() or not 0 <= amount <= MONEY_MAX:
        raise ValueError(f"must be an amount from 0 to {MONEY_MAX}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("must be an amount with at most two decimals")
    return amount.quantize(Decimal("0.01"))


# An amount of money: a JSON number or a decimal text, 0 to MONEY_MAX, at most two decimals.
Money = Annotated[
    Decimal,
    PlainValidator(_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": float(MONEY_MAX), "multipleOf": 0.01},
                {"type": "string", "pattern": f"^{_MONEY_TEXT.pattern}$"},
            ]
        }
    ),
]


_LOCATIONS = {"body", "payload", "query", "path", "header", "cookie", "form"}


def field_errors(errors: list[dict]) -> dict[str, list[str]]:
    """Turn pydantic's errors into {field: [message]}, as Django's ValidationError gives them.

    The field is the path inside the request ("name", "attributes", "offset"); the messages
    say what to send instead, in the words the product's own validation uses.
    """
    by_field: dict[str, list[str]] = {}
    for error in errors:
        path = [str(part) for part in error.get("loc", ()) if part not in _LOCATIONS]
        field = ".".join(path) or "__all__"
        by_field.setdefault(field, []).append(_message(error))
    return by_field


def _message(error: dict) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind == "value_error":
        return str(context.get("error", error.get("msg", "")))
    if kind == "missing":
        return "This field is required."
    if kind == "string_too_long":
        return f"Ensure this value has at most {context.get('max_length')} characters."
    if kind == "string_pattern_mismatch":
        pattern = context.get("pattern")
        if pattern == r"\S":
            return "This field cannot be blank."
        if pattern == EMAIL_PATTERN:
            return "Enter a valid email address."
        return f"Does not have the expected form ({pattern})."
    if kind == "literal_error":
        return f"Choose one of: {context.get('expected')}."
    return str(error.get("msg", "Not valid."))


class ErrorOut(Schema):
    """Every error answer: a message, and for refused input what is wrong by field."""

    detail: str
    errors: Any = None


# What any operation may answer besides its own success codes, each with an ErrorOut body.
ERRORS = {
    400: "The request is malformed (not JSON, or not what the operation reads).",
    401: "No valid API token.",
    403: "The member's role does not allow this.",
    404: "A record named in the path or the body does not exist in this workspace.",
    422: "The request does not satisfy the schema or the product's rules; see `errors`.",
    503: "The database is briefly unreachable; try again after `Retry-After` seconds.",
}
WRITE_ERRORS = {
    409: "The request conflicts with what is stored (a reused Idempotency-Key, a record "
    "in another state).",
    413: "The request body is too large.",
}


def documented_body(model: type[Schema]):
    """Document an operation's JSON body as `model` while the view reads the body as it came.

    For documents the product validates itself (a survey definition, whose errors name paths
    such as `questions[2] (csat).min`), so that the API's schema still states their shape.
    """

    def decorate(view):
        view.documented_body = model
        return view

    return decorate


class _Schema(OpenAPISchema):
    def request_body(self, operation):
        model = getattr(operation.view_func, "documented_body", None)
        if model is None:
            return super().request_body(operation)
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        self.schemas.update(schema.pop("$defs", {}))
        self.schemas[model.__name__] = schema
        reference = {"$ref": f"#/components/schemas/{model.__name__}"}
        return {"content": {"application/json": {"schema": reference}}, "required": True}

    def responses(self, operation):
        result = super().responses(operation)
        self.schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
        error = {"$ref": "#/components/schemas/ErrorOut"}
        errors = dict(ERRORS)
        if set(operation.methods) & {"POST", "PUT", "PATCH", "DELETE"}:
            errors |= WRITE_ERRORS
        for status, description in errors.items():
            result.setdefault(
                status,
                {"description": description, "content": {"application/json": {"schema": error}}},
            )
        return dict(sorted(result.items()))


class Api(NinjaAPI):
    """django-ninja's API whose schema documents every error an operation can answer."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return _Schema(api=self, path_prefix=path_prefix)


class Pagination(LimitOffsetPagination):
    """`limit` and `offset` paging with both bounded, so no value can overflow the query."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs):
        super().__init__(max_limit=MAX_PAGE, **kwargs)


class MappedPage:
    """A sliceable view of a queryset that converts only the rows of the page returned.

    django-ninja's pagination counts and slices what the view returns; this lets a view return
    a queryset and a function that turns one row into its output.
    """

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [self.convert(row) for row in self.queryset[item]]
