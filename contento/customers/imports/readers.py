"""Reading an uploaded table: CSV in any delimiter and code page, or the first sheet of an XLSX.

A reader returns the header row and an iterator over the other rows, each a list of cells
(strings from CSV; strings, numbers, dates or booleans from XLSX). What a cell means is for
the columns to say (`columns`, `cells`).
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from contento.core.codepages import decode_guessing


class ImportFileError(Exception):
    """The file as a whole cannot be read (not UTF-8, not a spreadsheet, empty)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row


@contextmanager
def open_file(file):
    """Yield a seekable binary file for a path or a file object; close it if it was a path."""
    if isinstance(file, str | Path):
        with open(file, "rb") as binary:
            yield binary
    elif not file.seekable():  # a pipe: the file is read twice (kind, then rows)
        yield io.BytesIO(file.read())
    else:
        file.seek(0)
        yield file


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
    with open_file(file) as binary:
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


def read_table(binary, languages=()) -> tuple[list, Iterator[list], int | None, Callable[[], None]]:
    """Return the header, an iterator over the other rows, their count and a closer.

    `languages` are tried first when a CSV file is not UTF-8 (their code pages).
    """
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
