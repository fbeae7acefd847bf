"""Import customers, products, purchases and subscriptions from CSV or XLSX files.

Each kind of import reads one table whose columns are declared below (name, parser, whether
it is required). A row is matched with what the workspace already holds by a key (an external
id, else a natural key such as an email address), so importing the same file twice updates
instead of duplicating. An import is all or nothing: one bad row and nothing is saved, and the
result lists every problem by spreadsheet row (the header is row 1) and column.

A customers file may also have any number of `attribute:<name>` columns, one per customer
attribute (`Customer.attributes`): a cell sets that attribute, an empty cell removes it, and the
attributes without a column are left as they are.

Large files are read in chunks: existing rows are fetched with one query per chunk and written
with `bulk_create`/`bulk_update`, so a 100,000-row file takes seconds, not hours.
"""

import csv
import io
import logging
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from contento.accounts.models import Organization
from contento.core.codepages import decode_guessing
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
)

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000  # rows parsed, matched and written together
MAX_ERRORS = 1000  # errors kept for the report; the rest are only counted
STATUS_TIMEOUT = 24 * 3600  # seconds a background import's status stays readable
ATTRIBUTE_PREFIX = "attribute:"  # customers: a column "attribute:plan" sets the attribute "plan"

Progress = Callable[[int, int | None], None]


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, not a spreadsheet, empty)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


class ParseError(ValueError):
    """A cell's value is not what its column expects; the message says what is."""


@dataclass
class RowError:
    row: int | None  # spreadsheet row number, the header being row 1; None for the whole file
    column: str
    reason: str


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def more_errors(self) -> int:
        return self.error_count - len(self.errors)

    def add_error(self, row: int | None, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, str(reason)))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        errors = [RowError(**e) for e in data.get("errors", [])]
        return cls(**{**data, "errors": errors})


# Cell parsers. Each takes a non-empty cell (a string from CSV; a string, number, date or bool
# from XLSX) and returns the Python value, or raises ParseError saying what was expected.


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


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    field: str | None = None  # the model attribute set from this column; None: a reference
    # The customer attribute set from this column; an empty cell removes it.
    attribute: str | None = None


def _words(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _normalise_header(name: Any) -> str:
    """Return a header cell as a column name: any case, spaces or hyphens for underscores."""
    raw = cell_text(name)
    prefix, colon, rest = raw.partition(":")
    if colon and _words(prefix) == ATTRIBUTE_PREFIX[:-1]:  # "Attribute: Contract type"
        return ATTRIBUTE_PREFIX + _words(rest)
    return _words(raw)


# Reading files.


def _open_binary(file):
    if isinstance(file, str | Path):
        return open(file, "rb")  # noqa: SIM115 - closed by the caller
    if not file.seekable():  # a pipe: the file is read twice (kind, then rows)
        return io.BytesIO(file.read())
    file.seek(0)
    return file


def _sniff(binary) -> str:
    start = binary.read(8)
    binary.seek(0)
    if start.startswith(b"PK\x03\x04"):
        return "xlsx"
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_("Old Excel (.xls) files cannot be read; save it as XLSX or CSV."))
    return "csv"


def count_rows(file) -> int:
    """Return about how many rows a file holds, header included (to choose inline or queued)."""
    binary = _open_binary(file)
    try:
        if _sniff(binary) == "xlsx":
            total = _xlsx_row_count(binary)
            binary.seek(0)
            return total
        lines = sum(block.count(b"\n") for block in iter(lambda: binary.read(1 << 20), b""))
        binary.seek(0)
        return lines
    except ImportFileError:
        return 0
    finally:
        if isinstance(file, str | Path):
            binary.close()


def _csv_rows(binary, languages=()) -> tuple[list, Iterator[list], int]:
    data = binary.read()
    # UTF-8 if it is; else the code page Excel saved it in, guessed among those of the
    # workspace's languages first (windows-1251 for Russian, windows-1252 for Spanish...).
    content, _encoding = decode_guessing(data, languages)
    first_line = content.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ImportFileError(str(error), row=1) from None
    if header is None:
        raise ImportFileError(_("The file is empty."))
    total = content.count("\n") + (0 if content.endswith("\n") else 1)

    def rows():
        try:
            yield from reader
        except csv.Error as error:
            raise ImportFileError(
                _("The file cannot be read as CSV: %(error)s") % {"error": error},
                row=reader.line_num,
            ) from None

    return header, rows(), total


def _check_xlsx_size(binary) -> zipfile.ZipFile:
    """Refuse an XLSX whose parts would expand beyond what an import may hold in memory.

    An XLSX is a zip: a 1 MB upload can declare gigabytes of XML (a zip bomb). The sizes a zip
    declares are binding (Python's zipfile stops at them), so their sum is checked first.
    """
    try:
        archive = zipfile.ZipFile(binary)
        expanded = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(_("The file is not a readable XLSX spreadsheet.")) from None
    limit = settings.IMPORT_MAX_EXPANDED_BYTES
    if expanded > limit:
        raise ImportFileError(
            _(
                "The spreadsheet unpacks to %(size)s MB, more than the %(limit)s MB an import "
                "may hold; split it into smaller files or save it as CSV."
            )
            % {"size": expanded // (1024 * 1024), "limit": limit // (1024 * 1024)}
        )
    binary.seek(0)
    return archive


def _first_sheet_name(archive: zipfile.ZipFile) -> str | None:
    sheets = sorted(
        name
        for name in archive.namelist()
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml")
    )
    return sheets[0] if sheets else None


def _xlsx_row_count(binary) -> int:
    """Count the rows of the first sheet by its <row> elements (its <dimension> may be stale)."""
    archive = _check_xlsx_size(binary)
    name = _first_sheet_name(archive)
    if name is None:
        return 0
    count, tail = 0, b""
    with archive.open(name) as xml:
        for block in iter(lambda: xml.read(1 << 20), b""):
            chunk = tail + block
            count += chunk.count(b"<row ") + chunk.count(b"<row>")
            tail = chunk[-5:]
            count -= tail.count(b"<row ") + tail.count(b"<row>")
        count += tail.count(b"<row ") + tail.count(b"<row>")
    binary.seek(0)
    return count


def _xlsx_rows(binary):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_xlsx_size(binary)
    try:
        book = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        raise ImportFileError(_("The file is not a readable XLSX spreadsheet.")) from None
    sheet = book.worksheets[0]
    # The <dimension> a program wrote may be stale (it says A1:A1 while the sheet holds
    # thousands of rows), and read-only mode would stop there: read every row instead.
    sheet.reset_dimensions()
    return book, sheet, None


def _read_table(
    binary, languages=()
) -> tuple[list, Iterator[list], int | None, Callable[[], None]]:
    """Return the header, an iterator over the other rows, their count and a closer."""
    if _sniff(binary) == "csv":
        header, rows, total = _csv_rows(binary, languages)
        return header, rows, total, lambda: None
    book, sheet, total = _xlsx_rows(binary)
    values = sheet.iter_rows(values_only=True)
    header = list(next(values, None) or [])
    if not header:
        book.close()
        raise ImportFileError(_("The file is empty."))
    return header, (list(row) for row in values), total, book.close


# The kinds of import.


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))


_PLAIN_TYPES = {
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "TextField",
}


def _insert(model, rows: list[dict]) -> None:
    """Insert new rows, given as {attname: value}, with one `executemany`.

    `bulk_create` spends most of its time building model instances and preparing every value
    through the field API; here only the values that need the database's own format (UUIDs,
    dates, decimals) go through it, and text, numbers and booleans are passed as they are.
    Fields left out get their default. The new rows' primary keys are not read back: nothing
    in an import needs them.
    """
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    plan = []  # per field: (attname, default maker, converter)
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = f.get_db_prep_save(now, connection)
            plan.append((None, lambda stamp=stamp: stamp, None))
            continue
        if f.has_default() and callable(f.default):
            default = f.default  # a fresh value per row (a UUID)
        else:
            constant = f.get_default()
            default = lambda constant=constant: constant  # noqa: E731
        plain = f.get_internal_type() in _PLAIN_TYPES
        plan.append(
            (
                f.attname,
                default,
                None if plain else partial(f.get_db_prep_save, connection=connection),
            )
        )
    params = []
    for row in rows:
        values = []
        for attname, default, convert in plan:
            value = row[attname] if attname in row else default()
            values.append(value if convert is None else convert(value))
        params.append(values)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _converter(f):
    if f.get_internal_type() in _PLAIN_TYPES:
        return lambda value: value
    return partial(f.get_db_prep_save, connection=connection)


def _update(model, instances: list, names: list[str]) -> None:
    """Save these fields of existing rows with one `executemany` of single-row UPDATEs.

    `bulk_update` builds one CASE expression per field over the whole batch, which SQLite
    evaluates for every row of the batch: 100,000 changed rows took minutes, this takes
    seconds. `auto_now` fields are set to the current time.
    """
    if not instances:
        return
    fields = [model._meta.get_field(name) for name in names]
    now = timezone.now()
    plan = []
    for f in fields:
        if getattr(f, "auto_now", False):
            stamp = f.get_db_prep_save(now, connection)
            plan.append((None, lambda _value, stamp=stamp: stamp))
        else:
            plan.append((f.attname, _converter(f)))
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(model._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(model._meta.pk.column),
    )
    params = [
        [convert(getattr(i, attname) if attname else None) for attname, convert in plan] + [i.pk]
        for i in instances
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class _Importer:
    name = ""
    label: Any = ""
    model: Any = None
    columns: tuple[Column, ...] = ()
    # Groups of columns of which the header must hold at least one.
    one_of: tuple[tuple[str, ...], ...] = ()
    # How the columns named by `extra_column` are shown in the list of expected columns.
    extra_names: tuple[str, ...] = ()

    def __init__(self, organization: Organization):
        self.organization = organization
        self.column_map = {c.name: c for c in self.columns}

    def extra_column(self, name: str) -> Column | None:
        """Return the column of a header name not in `columns`, or None for an unknown one.

        Raises ParseError when the name has the form of such a column but is not valid.
        """
        return None

    def prepare(self, rows: list[_Row]) -> None:
        """Fetch what this chunk's rows refer to or may match, in a few queries."""

    def resolve(self, row: _Row) -> None:
        """Look up the rows' references (customer, product); record errors on the row."""

    def key(self, row: _Row) -> tuple[tuple | None, tuple | None, str]:
        """Return the key matching the row, its natural key and the column named in errors."""
        raise NotImplementedError

    def find(self, row: _Row, key: tuple):
        raise NotImplementedError

    def check(self, row: _Row, instance) -> None:
        """Refuse rows that would change what must not change (an erased customer)."""

    def fields(self, row: _Row) -> dict[str, Any]:
        return {
            c.field: row.values[c.name] for c in self.columns if c.field and c.name in row.values
        }

    def new(self, row: _Row) -> dict:
        """Return the new record's values by attribute name (written by `_insert`)."""
        return {"organization_id": self.organization.pk, **self.fields(row)}

    def apply(self, instance, row: _Row) -> bool:
        """Copy the row's values onto an existing instance; return whether anything changed."""
        changed = False
        for name, value in self.fields(row).items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        return changed

    def update_fields(self, header: list[str]) -> list[str]:
        names = [c.field for c in self.columns if c.field and c.name in header]
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            names.append("updated_at")
        return names

    def write(self, created: list, updated: list, header: list[str]) -> None:
        _insert(self.model, created)
        _update(self.model, updated, self.update_fields(header))


class CustomerImporter(_Importer):
    name = "customers"
    label = gettext_lazy("Customers")
    model = Customer
    columns = (
        Column("external_id", text(100), field="external_id"),
        Column("name", text(200), required=True, field="name"),
        Column("email", email, field="email"),
        Column("phone", text(40), field="phone"),
        Column("language", language, field="language"),
        Column("timezone", time_zone, field="timezone"),
        Column("contact_consent", yes_no, field="contact_consent"),
        Column("company", text(200)),
    )
    extra_names = (f"{ATTRIBUTE_PREFIX}<name>",)

    def __init__(self, organization):
        super().__init__(organization)
        self.companies = {
            c.name.lower(): c
            for c in Company.objects.filter(organization=organization).order_by("-pk")
        }
        self.existing: dict[tuple, Customer] = {}

    def extra_column(self, name):
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
            if company is None:  # created when the chunk is written
                company = Company(organization=self.organization, name=name)
                self.companies[name.lower()] = company
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

    def fields(self, row):
        values = super().fields(row)
        if "company" in row.values:
            values["company"] = row.values["company"]
        return values

    def new(self, row):
        values = {"language": self.organization.default_language, **super().new(row)}
        attributes = {k: v for k, v in self._attributes(row).items() if v is not None}
        if attributes:
            values["attributes"] = attributes
        return values

    def apply(self, instance, row):
        company = row.values.pop("company", None)
        changed = super().apply(instance, row)
        if company is not None and (company.pk is None or instance.company_id != company.pk):
            instance.company = company
            changed = True
        attributes = self._merged_attributes(instance, row)
        if attributes != instance.attributes:
            instance.attributes = attributes
            changed = True
        return changed

    def update_fields(self, header):
        names = super().update_fields(header)
        if "company" in header:
            names.append("company")
        if any(name.startswith(ATTRIBUTE_PREFIX) for name in header):
            names.append("attributes")
        return names

    def write(self, created, updated, header):
        companies = [v["company"] for v in created if v.get("company")]
        companies += [c.company for c in updated if c.company_id is None and c.company]
        new = {id(c): c for c in companies if c.pk is None}
        Company.objects.bulk_create(list(new.values()))
        for values in created:
            if "company" in values:
                values["company_id"] = values.pop("company").pk
        for customer in updated:
            if customer.company_id is None and customer.company is not None:
                customer.company_id = customer.company.pk
        super().write(created, updated, header)


class ProductImporter(_Importer):
    name = "products"
    label = gettext_lazy("Products")
    model = Product
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


class _SaleImporter(_Importer):
    """Purchases and subscriptions: rows that refer to a customer and a product."""

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

    def fields(self, row):
        values = super().fields(row)
        values["customer_id"], values["product_id"] = (
            row.values["customer_id"],
            row.values["product_id"],
        )
        return values

    def update_fields(self, header):
        return [*super().update_fields(header), "customer_id", "product_id"]


class PurchaseImporter(_SaleImporter):
    name = "purchases"
    label = gettext_lazy("Purchases")
    model = Purchase
    date_field = "purchased_at"
    columns = (
        Column("external_id", text(100), field="external_id"),
        *_SaleImporter.reference_columns,
        Column("purchased_at", a_datetime, required=True, field="purchased_at"),
        Column("amount", amount(), field="amount"),
        Column("currency", currency, field="currency"),
        Column("channel", choice(Purchase.Channel), field="channel"),
    )


class SubscriptionImporter(_SaleImporter):
    name = "subscriptions"
    label = gettext_lazy("Subscriptions")
    model = Subscription
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


IMPORTERS: dict[str, type[_Importer]] = {
    i.name: i for i in (CustomerImporter, ProductImporter, PurchaseImporter, SubscriptionImporter)
}
KIND_CHOICES = [(name, importer.label) for name, importer in IMPORTERS.items()]


def expected_columns(kind: str) -> list[str]:
    return [c.name for c in IMPORTERS[kind].columns]


# Running an import.


def _check_header(importer: _Importer, raw_header: list, result: ImportResult) -> list[str] | None:
    """Return the normalised column names ("" for a blank header cell), or None on errors."""
    header = [_normalise_header(name) for name in raw_header]
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


def _parse_row(importer: _Importer, header: list[str], number: int, cells: list) -> _Row | None:
    """Return the row's parsed non-empty cells, or None for a blank row."""
    if len(cells) > len(header) and any(cell_text(c) for c in cells[len(header) :]):
        row = _Row(number, {})
        row.fail("", _("This row has more cells than the header has columns."))
        return row
    columns = importer.column_map
    row = _Row(number, {})
    blank = True
    emptied = []  # attribute columns whose empty cell removes the attribute
    cells = [*cells, *[None] * (len(header) - len(cells))]
    for name, value in zip(header, cells, strict=False):
        if not name:
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            if columns[name].attribute:
                emptied.append(name)
            continue
        blank = False
        column = columns[name]
        try:
            row.values[name] = column.parse(value)
        except ParseError as error:
            row.fail(name, str(error))
    if blank:
        return None
    row.values.update(dict.fromkeys(emptied))
    failed = {name for name, _reason in row.errors}
    for column in importer.columns:
        if (
            column.required
            and column.name in header
            and column.name not in row.values.keys() | failed
        ):
            row.fail(column.name, _("This column is required; the cell is empty."))
    return row


def run_import(
    organization: Organization,
    kind: str,
    file,
    *,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of `kind` into the workspace, all or nothing.

    `file` is a path or a binary file object. With `dry_run`, or when any row is wrong, nothing
    is saved; the result still says how many rows would be created, updated or left unchanged.
    `progress(done, total)` is called after every chunk of rows (`total` may be an estimate).
    """
    if kind not in IMPORTERS:
        raise ValueError(f"Unknown import kind {kind!r}.")
    result = ImportResult(kind=kind, dry_run=dry_run)
    binary = _open_binary(file)
    try:
        if dry_run:  # nothing is written, so no write lock is taken either
            _import_rows(IMPORTERS[kind](organization), binary, result, False, progress)
        else:
            with transaction.atomic():
                _import_rows(IMPORTERS[kind](organization), binary, result, True, progress)
                if not result.ok:
                    transaction.set_rollback(True)
    except ImportFileError as error:
        result.add_error(error.row, "", str(error))
    finally:
        if isinstance(file, str | Path):
            binary.close()
    return result


def _import_rows(importer, binary, result, write: bool, progress: Progress | None) -> None:
    raw_header, rows, total, close = _read_table(binary, (importer.organization.default_language,))
    try:
        header = _check_header(importer, raw_header, result)
        if header is None:
            return
        total = max((total or 1) - 1, 0)
        seen: dict[tuple, int] = {}
        matched: dict[int, int] = {}
        chunk: list[_Row] = []
        number = 1
        for cells in rows:
            number += 1
            row = _parse_row(importer, header, number, cells)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= CHUNK_SIZE:
                _import_chunk(importer, header, chunk, seen, matched, result, write)
                chunk = []
                if progress:
                    progress(number - 1, max(total, number - 1))
        _import_chunk(importer, header, chunk, seen, matched, result, write)
        if progress:
            progress(number - 1, number - 1)
    finally:
        close()


def _import_chunk(importer, header, chunk, seen, matched, result, write: bool) -> None:
    result.rows += len(chunk)
    valid = [row for row in chunk if not row.errors]
    if valid:
        importer.prepare(valid)
    created, updated = [], []
    for row in chunk:
        if not row.errors:
            importer.resolve(row)
        key = natural = None
        column = ""
        if not row.errors:
            key, natural, column = importer.key(row)
        if key is not None:
            first = seen.get(key)
            if first is not None:
                row.fail(
                    column,
                    _("Row %(row)s already has this %(column)s.")
                    % {"row": first, "column": column},
                )
            else:
                seen[key] = row.number
                if natural is not None:
                    seen.setdefault(natural, row.number)
        if row.errors:
            for name, reason in row.errors:
                result.add_error(row.number, name, reason)
            continue
        instance = importer.find(row, key)
        if instance is None:
            if write:  # a dry run only counts
                created.append(importer.new(row))
            result.created += 1
            continue
        importer.check(row, instance)
        first = matched.setdefault(instance.pk, row.number)
        if first != row.number:
            row.fail(column, _("Row %(row)s already updates the same record.") % {"row": first})
        if row.errors:
            for name, reason in row.errors:
                result.add_error(row.number, name, reason)
        elif importer.apply(instance, row):
            updated.append(instance)
            result.updated += 1
        else:
            result.unchanged += 1
    if write and result.ok:
        importer.write(created, updated, header)


# Background imports for the web page: the upload is stored, a task runs it, and the page
# polls the status kept in the cache under a key scoped to the workspace.


def _status_key(organization_code, import_id) -> str:
    return f"customers:import:{organization_code}:{import_id}"


def get_import_status(organization: Organization, import_id) -> dict | None:
    """Return the status of one of this workspace's background imports, or None."""
    return cache.get(_status_key(organization.code, import_id))


def _set_status(organization_code, import_id, **status) -> None:
    key = _status_key(organization_code, import_id)
    cache.set(key, {**(cache.get(key) or {}), **status}, STATUS_TIMEOUT)


def do_queue_import(organization: Organization, kind: str, upload, *, dry_run: bool) -> str:
    """Store an uploaded file (where every host sees it) and queue its import; return its id."""
    import_id = str(uuid.uuid4())
    path = default_storage.save(f"imports/{import_id}", upload)
    _set_status(organization.code, import_id, state="queued", kind=kind, done=0, total=None)
    transaction.on_commit(
        lambda: run_import_task.enqueue(str(organization.code), import_id, kind, path, dry_run),
        robust=True,
    )
    return import_id


@task()
def run_import_task(organization_code: str, import_id: str, kind: str, path: str, dry_run: bool):
    """Run a queued import once and record its result; a finished import is not run again."""
    status = cache.get(_status_key(organization_code, import_id)) or {}
    if status.get("state") in {"done", "failed"}:
        return status.get("state")
    organization = Organization.objects.filter(code=organization_code).first()
    if organization is None:
        _set_status(organization_code, import_id, state="failed")
        return "failed"
    if not default_storage.exists(path):
        # The upload should be where every host sees it (contento.core.storage): a missing
        # one is a failure to see and retry, not a quiet success.
        _set_status(organization_code, import_id, state="failed")
        raise FileNotFoundError(f"The uploaded file {path} cannot be found.")

    def progress(done, total):
        _set_status(organization_code, import_id, state="running", done=done, total=total)

    try:
        with default_storage.open(path, "rb") as file:
            result = run_import(organization, kind, file, dry_run=dry_run, progress=progress)
    except Exception:
        _set_status(organization_code, import_id, state="failed")
        log.exception("import failed", extra={"import": import_id})
        raise
    finally:
        default_storage.delete(path)
    _set_status(organization_code, import_id, state="done", result=result.as_dict())
    return "done"
