"""CSV and XLSX exports: one row per response, one column per question, labels in a language."""

import csv
import io

import openpyxl
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.surveys import exports
from contento.surveys.actions import do_submit_response
from contento.surveys.localize import localize


def _fill(personas, survey):
    lucia = do_create_customer(
        personas.org, name="Lucía", email="l@example.net", external_id="C-1", language="es"
    )
    do_submit_response(
        survey,
        customer=lucia,
        language="es",
        answers={
            "nps": 3,
            "why": '=HYPERLINK("x")',
            "plan": "basic",
            "channels": ["phone", "chat"],
            "drivers": {"speed": 2, "price": 4},
            "gap": {"expected": 7, "perceived": 2},
            "fix": "Todo",
        },
    )
    do_submit_response(survey, answers={"nps": 10})


def _csv(personas, survey, query: str) -> list[list[str]]:
    reply = personas.client(Role.ANALYST).get(
        reverse("surveys:export_csv", args=[survey.code]) + query
    )
    assert reply["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode("utf-8-sig"))))


def test_csv_export(personas, live_survey):
    _fill(personas, live_survey)
    header, labels, first, second = _csv(personas, live_survey, "?lang=es&texts=1")
    assert header[:7] == exports.FIXED_COLUMNS
    assert header[7:] == [
        "nps",
        "why",
        "csat",
        "ces",
        "stars",
        "plan",
        "channels",
        "drivers[speed]",
        "drivers[price]",
        "gap[expected]",
        "gap[perceived]",
        "fix",
    ]
    assert labels[7] == "¿Nos recomendaría?"
    row = dict(zip(header, first, strict=True))
    assert row["customer_external_id"] == "C-1"
    assert row["language"] == "es"
    assert row["nps"] == "3"
    assert row["plan"] == "Básico"
    assert row["channels"] == "Teléfono; Chat"
    assert row["drivers[speed]"] == "2"
    assert row["gap[perceived]"] == "2"
    assert row["fix"] == "Todo"
    assert row["why"].startswith("'=")  # a formula from a respondent is never run by a spreadsheet
    assert dict(zip(header, second, strict=True))["csat"] == ""


def test_the_csv_has_one_header_row_by_default(personas, live_survey):
    # A second row of question texts broke re-import and every tool that reads a header.
    _fill(personas, live_survey)
    rows = _csv(personas, live_survey, "?lang=es")
    assert len(rows) == 3
    assert rows[0][7] == "nps"
    assert rows[1][7] == "3"


def test_choices_can_be_exported_by_key(personas, live_survey):
    _fill(personas, live_survey)
    header, first, _second = _csv(personas, live_survey, "?lang=es&values=codes")
    row = dict(zip(header, first, strict=True))
    assert row["plan"] == "basic"
    assert row["channels"] == "phone; chat"
    assert row["nps"] == "3"


def test_xlsx_export(personas, live_survey):
    _fill(personas, live_survey)
    url = reverse("surveys:export_xlsx", args=[live_survey.code]) + "?texts=1"
    reply = personas.client(Role.OWNER).get(url)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(reply.streaming_content)))
    sheet = workbook["responses"]
    values = list(sheet.values)
    assert len(values) == 4
    header = values[0]
    first = dict(zip(header, values[2], strict=True))
    assert first["plan"] == "Basic"
    assert first["channels"] == "Phone; Chat"
    assert first["nps"] == 3
    assert first["why"] == '=HYPERLINK("x")'  # stored as text, not as a formula


def test_exports_read_in_chunks(personas, live_survey, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 2)
    for score in range(5):
        do_submit_response(live_survey, answers={"nps": 10 - score, "fix": "x"})

    rows = list(exports.rows(localize(live_survey, "en")))
    assert [row[7] for row in rows] == [10, 9, 8, 7, 6]
    assert [row[-1] for row in rows] == ["", "", "", "", "x"]  # hidden unless nps <= 6
