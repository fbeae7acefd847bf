"""Responses as rows (one per response, one column per question) for CSV and XLSX exports.

An export has one header row of column names (the questions' keys), so it can be read back
by any tool, imported again, or joined with other data. Two options:

- `texts`: a second header row with each column's question text, for people reading it;
- `codes`: the choices' keys instead of their labels in the export's language (labels are
  the default: what the respondent chose, in words).

Responses are read in chunks with their answers, so an export of any size holds only one
chunk in memory; the CSV streams, the XLSX is written to a temporary file in constant-memory
mode and streamed from there.
"""

import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator

from contento.core.spreadsheets import CsvWriter, XlsxRows, new_workbook
from contento.surveys.localize import LocalSurvey
from contento.surveys.models import Answer, Response

CHUNK = 500
FIXED_COLUMNS = [
    "response",
    "status",
    "language",
    "started_at",
    "completed_at",
    "customer",
    "customer_external_id",
]


def header(local: LocalSurvey) -> list[str]:
    return FIXED_COLUMNS + [col for lq in local.questions for col in lq.kind.columns(lq)]


def question_labels(local: LocalSurvey) -> list[str]:
    """Return a second header row: each column's question text in the export's language."""
    labels = [""] * len(FIXED_COLUMNS)
    for lq in local.questions:
        columns = lq.kind.columns(lq)
        if lq.kind.uses_items:
            labels += [f"{lq.text} — {label}" for _key, label in lq.choices]
        elif len(columns) == 2:
            labels += [f"{lq.text} (expected)", f"{lq.text} (perceived)"]
        else:
            labels.append(lq.text)
    return labels


def _choice_codes(value) -> list:
    """A choice question's cell with the chosen keys instead of their labels."""
    if value is None or value == []:
        return [""]
    return ["; ".join(value) if isinstance(value, list) else value]


def rows(local: LocalSurvey, responses=None, *, codes: bool = False) -> Iterator[list]:
    """Yield one row per response of the survey, oldest first (choices by key with `codes`)."""
    responses = responses if responses is not None else Response.objects.filter(survey=local.survey)
    choices_by_id = {c.id: c for lq in local.questions for c in lq.question.choices.all()}
    last_pk = 0
    while True:
        chunk = list(
            responses.filter(pk__gt=last_pk).select_related("customer").order_by("pk")[:CHUNK]
        )
        if not chunk:
            return
        last_pk = chunk[-1].pk
        by_response = defaultdict(lambda: defaultdict(list))
        for answer in Answer.objects.filter(response__in=chunk).order_by("pk"):
            by_response[answer.response_id][answer.question_id].append(answer)
        for response in chunk:
            answers = by_response.get(response.pk, {})
            row = [
                str(response.code),
                response.status,
                response.language,
                response.started_at.isoformat(),
                response.completed_at.isoformat() if response.completed_at else "",
                response.customer.name if response.customer else "",
                response.customer.external_id if response.customer else "",
            ]
            for lq in local.questions:
                stored = answers.get(lq.question.id)
                value = lq.kind.from_rows(lq.question, stored, choices_by_id) if stored else None
                if codes and lq.kind.uses_choices:
                    row += _choice_codes(value)
                else:
                    row += lq.kind.cells(lq, value)
            yield row


class _Echo:
    def write(self, value):
        return value


def csv_stream(local: LocalSurvey, *, texts: bool = False, codes: bool = False) -> Iterator[str]:
    writer = CsvWriter(_Echo())
    yield "\ufeff"  # a byte-order mark, so spreadsheet programs read the file as UTF-8
    yield writer.writerow(header(local))
    if texts:
        yield writer.writerow(question_labels(local))
    for row in rows(local, codes=codes):
        yield writer.writerow(row)


def xlsx_file(local: LocalSurvey, *, texts: bool = False, codes: bool = False):
    """Return an open binary file with the XLSX export; it is deleted when closed."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    workbook = new_workbook(handle.name, constant_memory=True)
    sheet = XlsxRows(workbook, workbook.add_worksheet("responses"))
    sheet.write_row(0, header(local), bold=True)
    first = 1
    if texts:
        sheet.write_row(1, question_labels(local))
        first = 2
    for index, row in enumerate(rows(local, codes=codes), start=first):
        sheet.write_row(index, row)
    workbook.close()
    stream = open(handle.name, "rb")  # noqa: SIM115 - closed by the FileResponse
    os.unlink(handle.name)  # the open handle keeps the data readable until it is closed
    return stream
