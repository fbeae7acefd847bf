"""Running an import: a file, read in chunks, into records, all or nothing.

Each chunk's rows are parsed (`columns`), matched with the records the workspace holds by
their key (`importers`), checked for duplicates within the file, then handed to the actions:
`actions.do_save_records` validates every record as the API's actions do and writes the chunk
with a few statements, or `actions.check_records` only validates (a dry run, or an import that
already failed). One bad row and nothing is saved; the result lists every problem by
spreadsheet row (the header is row 1) and column.

Existing records are fetched with one query per chunk and written in bulk, so a 100,000-row
file takes seconds, not hours.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from contento.accounts.models import Organization
from contento.customers.actions import RecordChange, check_records, do_save_records
from contento.customers.imports.cells import ParseError, cell_text
from contento.customers.imports.columns import map_header
from contento.customers.imports.importers import IMPORTERS, Importer, Row
from contento.customers.imports.readers import ImportFileError, open_file, read_table
from contento.customers.imports.results import ImportResult

CHUNK_SIZE = 1000  # rows parsed, matched and written together

Progress = Callable[[int, int | None], None]


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
    try:
        with open_file(file) as binary:
            if dry_run:  # nothing is written, so no write lock is taken either
                _import_rows(IMPORTERS[kind](organization), binary, result, False, progress)
            else:
                with transaction.atomic():
                    _import_rows(IMPORTERS[kind](organization), binary, result, True, progress)
                    if not result.ok:
                        transaction.set_rollback(True)
    except ImportFileError as error:
        result.add_error(error.row, "", str(error))
    return result


def _import_rows(importer, binary, result, write: bool, progress: Progress | None) -> None:
    raw_header, rows, total, close = read_table(binary, (importer.organization.default_language,))
    try:
        header = map_header(importer, raw_header, result)
        if header is None:
            return
        total = max((total or 1) - 1, 0)
        seen: dict[tuple, int] = {}
        matched: dict[int, int] = {}
        chunk: list[Row] = []
        number = 1
        for cells in rows:
            number += 1
            row = _parse_row(importer, header, number, cells)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= CHUNK_SIZE:
                _import_chunk(importer, chunk, seen, matched, result, write)
                chunk = []
                if progress:
                    progress(number - 1, max(total, number - 1))
        _import_chunk(importer, chunk, seen, matched, result, write)
        if progress:
            progress(number - 1, number - 1)
    finally:
        close()


def _parse_row(importer: Importer, header: list[str], number: int, cells: list) -> Row | None:
    """Return the row's parsed non-empty cells, or None for a blank row."""
    if len(cells) > len(header) and any(cell_text(c) for c in cells[len(header) :]):
        row = Row(number, {})
        row.fail("", _("This row has more cells than the header has columns."))
        return row
    columns = importer.column_map
    row = Row(number, {})
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
        try:
            row.values[name] = columns[name].read(value)
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


@dataclass
class _Planned:
    """A record a row creates or changes."""

    row: Row
    change: RecordChange
    new: bool  # created, or updated
    column: str | None = None  # the column all its errors are shown in; None: by field
    counted: bool = True  # whether it counts as a row created or updated


def _import_chunk(importer, chunk, seen, matched, result, write: bool) -> None:
    result.rows += len(chunk)
    valid = [row for row in chunk if not row.errors]
    if valid:
        importer.prepare(valid)
    planned: list[_Planned] = []
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
            continue
        instance = importer.find(row, key)
        if instance is None:
            planned.append(_Planned(row, importer.new(row), new=True))
            continue
        importer.check(row, instance)
        first = matched.setdefault(instance.pk, row.number)
        if first != row.number:
            row.fail(column, _("Row %(row)s already updates the same record.") % {"row": first})
        if row.errors:
            continue
        changes = importer.changes(instance, row)
        if changes:
            planned.append(_Planned(row, RecordChange(instance, changes), new=False))
        else:
            result.unchanged += 1
    planned[:0] = [
        _Planned(row, change, new=True, column=column, counted=False)
        for row, change, column in importer.pending()
    ]
    _save(importer, chunk, planned, result, write)


def _save(importer, chunk: list[Row], planned: list[_Planned], result, write: bool) -> None:
    """Validate the chunk's records with the actions, write them if all is well, and report."""
    changes = [p.change for p in planned]
    try:
        if write and result.ok and not any(row.errors for row in chunk):
            problems = do_save_records(changes)
        else:
            problems = check_records(changes)
    except ValidationError as error:  # the database refused the chunk (a concurrent import)
        result.add_error(None, "", " ".join(error.messages))
        problems = {}
    for index, error in problems.items():
        p = planned[index]
        by_field = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for name, messages in by_field.items():
            column = p.column if p.column is not None else importer.column_of(name, p.row)
            for message in messages:
                p.row.fail(column, message)
    for row in chunk:
        for name, reason in row.errors:
            result.add_error(row.number, name, reason)
    for p in planned:
        if p.counted and not p.row.errors:
            if p.new:
                result.created += 1
            else:
                result.updated += 1
