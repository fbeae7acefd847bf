"""Customer attributes in customers files: `attribute:<name>` columns."""

import io

import openpyxl
import pytest
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers.imports import run_import
from contento.customers.models import MAX_ATTRIBUTES, Customer

ATTRIBUTES = (
    "external_id,name,email,attribute:plan,Attribute: Region\n"
    "C1,Ana,ana@example.net,Fibre 600,North\n"
    "C2,Bob,bob@example.net,,South\n"
)


def csv_file(content: str) -> io.BytesIO:
    return io.BytesIO(content.encode())


def errors(result) -> list[tuple]:
    return [(e.row, e.column) for e in result.errors]


def attributes(external_id: str) -> dict:
    return Customer.objects.get(external_id=external_id).attributes


def test_new_customers_get_the_attributes_given(personas):
    result = run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=False)
    assert result.ok, result.errors
    assert result.created == 2
    assert attributes("C1") == {"plan": "Fibre 600", "region": "North"}
    assert attributes("C2") == {"region": "South"}  # an empty cell sets nothing


def test_a_reimport_changes_nothing(personas):
    run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=False)
    before = {c.pk: c.updated_at for c in Customer.objects.all()}
    again = run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=False)
    assert again.ok
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert {c.pk: c.updated_at for c in Customer.objects.all()} == before
    # Columns in another order make no difference either.
    reordered = (
        "attribute:region,attribute:plan,external_id,name,email\n"
        "North,Fibre 600,C1,Ana,ana@example.net\n"
    )
    third = run_import(personas.org, "customers", csv_file(reordered), dry_run=False)
    assert (third.updated, third.unchanged) == (0, 1)


def test_an_update_sets_removes_and_keeps_attributes(personas):
    run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=False)
    Customer.objects.filter(external_id="C1").update(
        attributes={"plan": "Fibre 600", "region": "North", "segment": "smb"}
    )
    update = (
        "external_id,name,attribute:plan,attribute:region,attribute:since\n"
        "C1,Ana,Fibre 1G,,2019\n"
        "C2,Bob,,,\n"
    )
    result = run_import(personas.org, "customers", csv_file(update), dry_run=False)
    assert result.ok, result.errors
    assert (result.updated, result.unchanged) == (2, 0)
    # plan changed, region removed by its empty cell, since added, segment (no column) kept
    assert attributes("C1") == {"plan": "Fibre 1G", "since": "2019", "segment": "smb"}
    assert attributes("C2") == {}
    # A file without attribute columns leaves them all alone.
    plain = "external_id,name\nC1,Ana María\n"
    assert run_import(personas.org, "customers", csv_file(plain), dry_run=False).updated == 1
    assert attributes("C1") == {"plan": "Fibre 1G", "since": "2019", "segment": "smb"}


def test_a_missing_trailing_cell_removes_like_an_empty_one(personas):
    run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=False)
    short = "external_id,name,attribute:region\nC1,Ana\n"
    result = run_import(personas.org, "customers", csv_file(short), dry_run=False)
    assert result.ok
    assert result.updated == 1
    assert attributes("C1") == {"plan": "Fibre 600"}


def test_a_dry_run_counts_the_same_and_saves_nothing(personas):
    dry = run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=True)
    assert dry.ok
    assert dry.created == 2
    assert not Customer.objects.exists()
    run_import(personas.org, "customers", csv_file(ATTRIBUTES), dry_run=False)
    update = "external_id,name,attribute:plan\nC1,Ana,\nC2,Bob,\n"
    dry = run_import(personas.org, "customers", csv_file(update), dry_run=True)
    assert (dry.updated, dry.unchanged) == (1, 1)  # Bob has no plan to remove
    assert attributes("C1") == {"plan": "Fibre 600", "region": "North"}
    done = run_import(personas.org, "customers", csv_file(update), dry_run=False)
    assert (done.updated, done.unchanged) == (1, 1)
    assert attributes("C1") == {"region": "North"}


@pytest.mark.parametrize(
    "column", ["attribute:1plan", "attribute:", "attribute:plan!", "attribute:" + "x" * 41]
)
def test_a_bad_attribute_name_is_a_header_error(personas, column):
    content = f"external_id,name,{column}\nC1,Ana,gold\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(1, column)]
    assert "not a valid attribute name" in result.errors[0].reason
    assert not Customer.objects.exists()


def test_attribute_columns_are_only_for_customers_and_never_twice(personas):
    result = run_import(
        personas.org, "products", csv_file("name,attribute:plan\nRouter,x\n"), dry_run=False
    )
    assert errors(result) == [(1, "attribute:plan")]
    assert "Unknown column" in result.errors[0].reason
    twice = "external_id,name,attribute:plan,Attribute:Plan\nC1,Ana,a,b\n"
    result = run_import(personas.org, "customers", csv_file(twice), dry_run=False)
    assert errors(result) == [(1, "attribute:plan")]
    assert "appears twice" in result.errors[0].reason
    unknown = run_import(personas.org, "customers", csv_file("name,plan\nAna,a\n"), dry_run=False)
    assert "attribute:<name>" in unknown.errors[0].reason


def test_a_value_too_long_is_a_row_error_on_its_column(personas):
    content = (
        "external_id,name,attribute:plan,attribute:note\n"
        f"C1,Ana,gold,{'x' * 200}\n"
        f"C2,Bob,gold,{'x' * 201}\n"
    )
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(3, "attribute:note")]
    assert "200" in result.errors[0].reason
    assert not Customer.objects.exists()


def test_at_most_fifty_attributes(personas):
    names = [f"a{i}" for i in range(MAX_ATTRIBUTES + 1)]
    header = "external_id,name," + ",".join(f"attribute:{n}" for n in names)
    content = f"{header}\nC1,Ana," + ",".join("v" for _n in names) + "\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(1, "")]
    assert "50" in result.errors[0].reason

    Customer.objects.create(
        organization=personas.org,
        name="Ana",
        external_id="C1",
        attributes={n: "v" for n in names[:MAX_ATTRIBUTES]},
    )
    content = "external_id,name,attribute:a0,attribute:extra\nC1,Ana,,w\n"
    replaced = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert replaced.ok  # one removed, one added: still fifty
    assert replaced.updated == 1
    content = "external_id,name,attribute:more\nC1,Ana,w\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(2, "attribute:more")]
    assert len(attributes("C1")) == MAX_ATTRIBUTES
    assert "more" not in attributes("C1")


def test_xlsx_attribute_cells(personas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["External id", "Name", "attribute:seats", "attribute:vip"])
    sheet.append([101, "Ana", 25, True])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(personas.org, "customers", buffer, dry_run=False)
    assert result.ok, result.errors
    assert attributes("101") == {"seats": "25", "vip": "1"}


def test_the_import_page_names_attribute_columns(personas):
    body = personas.client(Role.OWNER).get(reverse("customers:import")).content.decode()
    assert "attribute:&lt;name&gt;" in body
