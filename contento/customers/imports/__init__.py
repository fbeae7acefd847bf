"""Import customers, products, purchases and subscriptions from CSV or XLSX files.

One module per job:

- `readers`: the file to a header and rows (CSV in any delimiter and code page, XLSX).
- `cells`: a parser per kind of cell value (dates, amounts, yes/no...).
- `columns`: header names to columns, attribute columns, and the API's rule for each field.
- `importers`: one importer per kind of record: its columns, keys and changes.
- `jobs`: `run_import`, which reads a file in chunks and has the actions validate and write.
- `results`: the counts and per-row errors an import reports.
- `background`: large uploads imported by the task worker, with their status.

The names below are what the page, the command and the tests use.
"""

from contento.customers.imports.background import (
    do_queue_import,
    get_import_status,
    run_import_task,
)
from contento.customers.imports.importers import IMPORTERS, KIND_CHOICES, expected_columns
from contento.customers.imports.jobs import run_import
from contento.customers.imports.readers import ImportFileError, count_rows
from contento.customers.imports.results import ImportResult, RowError

__all__ = [
    "IMPORTERS",
    "KIND_CHOICES",
    "ImportFileError",
    "ImportResult",
    "RowError",
    "count_rows",
    "do_queue_import",
    "expected_columns",
    "get_import_status",
    "run_import",
    "run_import_task",
]
