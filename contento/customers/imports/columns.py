"""The columns of an import: how a header names them, and what each may hold.

A header cell is matched in any case, with spaces or hyphens for underscores ("Contact
consent" is `contact_consent`). A customers file may also have `attribute:<name>` columns, one
per customer attribute (`Customer.attributes`).

A column that sets a field of the record is checked twice: its parser reads the cell as people
type it (`cells`), then the value must pass the API's own type for that field (`api_rule`: the
`...In` schemas of `contento.customers.schemas`), so a file can never hold a value the API
would refuse.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

from contento.core.api import EMAIL_PATTERN, field_errors
from contento.customers.imports.cells import ParseError, cell_text, text
from contento.customers.imports.results import ImportResult
from contento.customers.models import ATTRIBUTE_KEY, MAX_ATTRIBUTE_LENGTH, MAX_ATTRIBUTES

ATTRIBUTE_PREFIX = "attribute:"  # customers: a column "attribute:plan" sets the attribute "plan"


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    field: str | None = None  # the model attribute set from this column; None: a reference
    # The customer attribute set from this column; an empty cell removes it.
    attribute: str | None = None
    # The API's check of the parsed value, which returns it as the API would store it.
    rule: Callable[[Any], Any] | None = None

    def read(self, value: Any) -> Any:
        """Return a non-empty cell's value, or raise ParseError."""
        value = self.parse(value)
        return value if self.rule is None else self.rule(value)


@cache
def api_rule(schema, name: str) -> Callable[[Any], Any]:
    """Return the check of a value by the API's type for `schema.name` (a pydantic field).

    The check returns the value as the API would pass it on (a date-time in UTC, an amount with
    two decimals) or raises ParseError with the reason.
    """
    info = schema.model_fields[name]
    annotation = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    adapter = TypeAdapter(annotation)

    def check(value: Any) -> Any:
        try:
            return adapter.validate_python(value)
        except SchemaError as error:
            raise ParseError(_refusal(error, value)) from None

    return check


def _refusal(error: SchemaError, value: Any) -> str:
    """Say why the API's type refused a value, in the words the import uses where it has them."""
    first = error.errors()[0]
    context = first.get("ctx") or {}
    if first["type"] == "string_too_long":
        return _("Longer than %(max)s characters.") % {"max": context["max_length"]}
    if first["type"] == "string_pattern_mismatch" and context.get("pattern") == EMAIL_PATTERN:
        return _('"%(value)s" is not a valid email address.') % {"value": value}
    reasons = [
        message for messages in field_errors(error.errors()).values() for message in messages
    ]
    return _("This value is refused: %(reason)s") % {"reason": " ".join(reasons)}


def _words(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def normalise_header(name: Any) -> str:
    """Return a header cell as a column name: any case, spaces or hyphens for underscores."""
    raw = cell_text(name)
    prefix, colon, rest = raw.partition(":")
    if colon and _words(prefix) == ATTRIBUTE_PREFIX[:-1]:  # "Attribute: Contract type"
        return ATTRIBUTE_PREFIX + _words(rest)
    return _words(raw)


def attribute_column(name: str) -> Column | None:
    """Return the column of an `attribute:<name>` header, or None for another header.

    Raises ParseError when the attribute's name is not one an attribute may have.
    """
    if not name.startswith(ATTRIBUTE_PREFIX):
        return None
    key = name.removeprefix(ATTRIBUTE_PREFIX)
    if not ATTRIBUTE_KEY.fullmatch(key):
        raise ParseError(
            _(
                '"%(name)s" is not a valid attribute name: use up to 40 lowercase letters,'
                " digits and underscores, starting with a letter (like attribute:plan)."
            )
            % {"name": key}
        )
    return Column(name, text(MAX_ATTRIBUTE_LENGTH), attribute=key)


def map_header(importer, raw_header: list, result: ImportResult) -> list[str] | None:
    """Return the normalised column names ("" for a blank header cell), or None on errors.

    Columns that `importer.extra_column` names (attribute columns) are added to its
    `column_map`; every problem is added to `result` as an error of row 1.
    """
    header = [normalise_header(name) for name in raw_header]
    expected = ", ".join([*(c.name for c in importer.columns), *importer.extra_names])
    for index, name in enumerate(header):
        if not name:
            continue
        if name not in importer.column_map:
            try:
                column = importer.extra_column(name)
            except ParseError as error:
                result.add_error(1, cell_text(raw_header[index]), str(error))
                continue
            if column is None:
                result.add_error(
                    1,
                    cell_text(raw_header[index]),
                    _("Unknown column. The expected columns are: %(columns)s.")
                    % {"columns": expected},
                )
                continue
            importer.column_map[name] = column
        if header.index(name) != index:
            result.add_error(1, name, _("This column appears twice."))
    attributes = {c.attribute for c in importer.column_map.values() if c.attribute}
    if len(attributes) > MAX_ATTRIBUTES:
        result.add_error(
            1,
            "",
            _("A file can have at most %(max)d attribute columns.") % {"max": MAX_ATTRIBUTES},
        )
    missing = [c.name for c in importer.columns if c.required and c.name not in header]
    if missing:
        result.add_error(
            1,
            ", ".join(missing),
            _("Missing required columns: %(missing)s. The expected columns are: %(columns)s.")
            % {"missing": ", ".join(missing), "columns": expected},
        )
    for group in importer.one_of:
        if not any(name in header for name in group):
            result.add_error(
                1,
                " / ".join(group),
                _("The file needs one of these columns: %(columns)s.")
                % {"columns": ", ".join(group)},
            )
    return None if result.error_count else header
