"""Importing customers, products, purchases and subscriptions from CSV and XLSX files."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers import import_views
from contento.customers.actions import do_create_customer
from contento.customers.imports import run_import
from contento.customers.models import Company, Customer, Product, Purchase, Subscription

CUSTOMERS = (
    "External ID,Name,Email,Language,Phone,Contact consent,Company\n"
    "C1,Ana López,ANA@example.net,es,+34 600 000 001,yes,Acme Travel\n"
    "C2,Bob Stone,bob@example.net,en,,no,\n"
    ",Chloé Martin,chloe@example.net,fr-FR,,1,Acme Travel\n"
)


def csv_file(content: str, name="import.csv", bom=False) -> io.BytesIO:
    data = content.encode()
    return io.BytesIO(b"\xef\xbb\xbf" + data if bom else data)


def errors(result) -> list[tuple]:
    return [(e.row, e.column) for e in result.errors]


def test_customers_are_created_then_updated_not_duplicated(personas):
    result = run_import(personas.org, "customers", csv_file(CUSTOMERS, bom=True), dry_run=False)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)
    ana = Customer.objects.get(external_id="C1")
    assert ana.email == "ana@example.net"
    assert ana.language == "es"
    assert ana.contact_consent
    assert ana.company.name == "Acme Travel"
    assert Company.objects.count() == 1
    chloe = Customer.objects.get(email="chloe@example.net")
    assert chloe.language == "fr"
    assert chloe.company == ana.company
    assert Customer.objects.get(external_id="C2").contact_consent is False

    again = run_import(personas.org, "customers", csv_file(CUSTOMERS), dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = CUSTOMERS.replace("Bob Stone", "Robert Stone")
    third = run_import(personas.org, "customers", csv_file(changed), dry_run=False)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert Customer.objects.count() == 3
    assert Customer.objects.get(external_id="C2").name == "Robert Stone"


def test_semicolons_tabs_and_empty_cells(personas):
    do_create_customer(personas.org, name="Ana", email="ana@example.net", language="es")
    content = "name;email;language\nAna López;ana@example.net;\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert (result.created, result.updated) == (0, 1)
    ana = Customer.objects.get()
    assert ana.name == "Ana López"  # an empty cell changes nothing
    assert ana.language == "es"
    tabbed = "NAME\tE-mail\nBob\tbob@example.net\n".replace("E-mail", "email")
    assert run_import(personas.org, "customers", csv_file(tabbed), dry_run=False).created == 1


def test_dry_run_writes_nothing(personas):
    result = run_import(personas.org, "customers", csv_file(CUSTOMERS), dry_run=True)
    assert result.ok
    assert result.created == 3
    assert not result.saved
    assert not Customer.objects.exists()
    assert not Company.objects.exists()


def test_wrong_columns_are_named(personas):
    content = "full name,email,shoe size\nAna,ana@example.net,38\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(1, "full name"), (1, "shoe size"), (1, "name")]
    assert "external_id, name, email" in result.errors[0].reason
    assert "Missing required columns: name" in result.errors[2].reason
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("cell", "column", "reason"),
    [
        ("email,not-an-email", "email", "not a valid email"),
        ("language,de", "language", 'Unknown language "de"'),
        ("timezone,Mars/Olympus", "timezone", "Unknown time zone"),
        ("contact_consent,maybe", "contact_consent", "not yes or no"),
    ],
)
def test_bad_customer_cells_are_reported(personas, cell, column, reason):
    header, value = cell.split(",")
    content = f"external_id,name,{header}\nG,Good,\nB,Bad,{value}\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(3, column)]
    assert reason in result.errors[0].reason
    assert not Customer.objects.exists()  # all or nothing: the good row is not saved either


def test_one_bad_row_among_many_saves_nothing(personas):
    rows = [f"X{i},Customer {i},c{i}@example.net" for i in range(2500)]
    rows[2100] = "X2100,Customer,broken@"
    content = "external_id,name,email\n" + "\n".join(rows)
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(2102, "email")]
    assert result.rows == 2500
    assert not Customer.objects.exists()


def test_duplicates_in_the_file_are_errors(personas):
    content = (
        "external_id,name,email\n"
        "C1,Ana,ana@example.net\n"
        "C1,Ana again,ana2@example.net\n"
        ",Ana by mail,ana@example.net\n"
        ",Bob,bob@example.net\n"
        ",Bob,BOB@example.net\n"
        ",Nobody,\n"
    )
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(3, "external_id"), (4, "email"), (6, "email"), (7, "email")]
    assert "Row 2 already has this external_id" in result.errors[0].reason
    assert not Customer.objects.exists()


def test_products(personas):
    content = (
        "sku,name,kind,price,on_sale\n"
        'FIB-1,Fibre 1 Gb,service,"1.234,50",yes\n'
        ",Router,Product,89.90,no\n"
    )
    result = run_import(personas.org, "products", csv_file(content), dry_run=False)
    assert result.ok, result.errors
    assert result.created == 2, result.errors
    fibre = Product.objects.get(sku="FIB-1")
    assert fibre.kind == "service"
    assert fibre.price == Decimal("1234.50")
    assert Product.objects.get(name="Router").is_active is False
    again = run_import(personas.org, "products", csv_file(content), dry_run=False)
    assert (again.created, again.unchanged) == (0, 2)
    bad = "name,kind,price\nLamp,gadget,-3\n"
    result = run_import(personas.org, "products", csv_file(bad), dry_run=False)
    assert errors(result) == [(2, "kind"), (2, "price")]


@pytest.fixture
def catalogue(personas):
    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net", external_id="C1")
    bob = do_create_customer(personas.org, name="Bob", email="bob@example.net")
    fibre = Product.objects.create(
        organization=personas.org, name="Fibre", sku="FIB", kind="service"
    )
    router = Product.objects.create(organization=personas.org, name="Router")
    return ana, bob, fibre, router


def test_purchases(personas, catalogue):
    ana, bob, fibre, router = catalogue
    content = (
        "external_id,customer_external_id,customer_email,product_sku,product_name,purchased_at,"
        "amount,currency,channel\n"
        "P1,C1,,FIB,,2024-05-01T10:30:00+02:00,49.90,eur,online\n"
        ",,bob@example.net,,router,02/05/2024 09:15,89,,Store\n"
    )
    result = run_import(personas.org, "purchases", csv_file(content), dry_run=False)
    assert result.ok, result.errors
    assert result.created == 2, result.errors
    first = Purchase.objects.get(external_id="P1")
    assert first.customer == ana
    assert first.product == fibre
    assert first.currency == "EUR"
    assert first.purchased_at.isoformat() == "2024-05-01T08:30:00+00:00"
    second = Purchase.objects.get(customer=bob)
    assert second.product == router
    assert second.channel == "store"
    assert second.amount == 89
    assert second.purchased_at.date() == date(2024, 5, 2)
    again = run_import(personas.org, "purchases", csv_file(content), dry_run=False)
    assert (again.created, again.unchanged) == (0, 2)
    assert Purchase.objects.count() == 2


def test_purchase_references_and_dates_are_checked(personas, catalogue):
    content = (
        "customer_external_id,product_sku,purchased_at\n"
        "NOPE,FIB,2024-05-01\n"
        "C1,NOPE,2024-05-01\n"
        "C1,FIB,2024-13-45\n"
        "C1,FIB,\n"
    )
    result = run_import(personas.org, "purchases", csv_file(content), dry_run=False)
    assert errors(result) == [
        (2, "customer_external_id"),
        (3, "product_sku"),
        (4, "purchased_at"),
        (5, "purchased_at"),
    ]
    assert "YYYY-MM-DD" in result.errors[2].reason
    missing = run_import(
        personas.org, "purchases", csv_file("purchased_at\n2024-01-01\n"), dry_run=True
    )
    assert [e.column for e in missing.errors] == [
        "customer_external_id / customer_email",
        "product_sku / product_name",
    ]


def test_subscriptions(personas, catalogue):
    ana, bob, fibre, router = catalogue
    content = (
        "external_id,customer_email,product_sku,status,started_on,renews_on,ends_on,"
        "monthly_amount,renewals\n"
        "S1,ana@example.net,FIB,active,2024-01-15,15/01/2025,,29.99,0\n"
        ",bob@example.net,FIB,cancelled,01.02.2023,,2024-02-01,19,1\n"
    )
    result = run_import(personas.org, "subscriptions", csv_file(content), dry_run=False)
    assert result.ok, result.errors
    assert result.created == 2, result.errors
    ana_sub = Subscription.objects.get(external_id="S1")
    assert ana_sub.customer == ana
    assert ana_sub.renews_on == date(2025, 1, 15)
    bob_sub = Subscription.objects.get(customer=bob)
    assert bob_sub.status == "cancelled"
    assert bob_sub.started_on == date(2023, 2, 1)
    again = run_import(personas.org, "subscriptions", csv_file(content), dry_run=False)
    assert (again.created, again.unchanged) == (0, 2)
    bad = (
        "customer_email,product_sku,started_on,ends_on\nana@example.net,FIB,2024-03-01,2024-01-01\n"
    )
    result = run_import(personas.org, "subscriptions", csv_file(bad), dry_run=False)
    assert errors(result) == [(2, "ends_on")]


def test_xlsx_file(personas):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["External id", "Name", "Email", "Language", "Phone"])
    sheet.append([101, "Ana", "ana@example.net", "ES", 34600000001])
    sheet.append([None, None, None, None, None])  # a blank row is skipped
    sheet.append([102, "Bob", "bob@", "en", None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(personas.org, "customers", buffer, dry_run=False)
    assert errors(result) == [(4, "email")]
    sheet.cell(row=4, column=3, value="bob@example.net")
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(personas.org, "customers", buffer, dry_run=False)
    assert result.ok
    assert result.created == 2
    ana = Customer.objects.get(external_id="101")
    assert ana.language == "es"
    assert ana.phone == "34600000001"


@pytest.mark.parametrize(
    ("language", "codec", "name"),
    [
        ("es", "cp1252", "José Núñez"),
        ("fr", "cp1252", "Françoise Lefèvre"),
        ("ru", "cp1251", "Сергей Иванов"),
        ("ru", "koi8_r", "Сергей Иванов"),
    ],
)
def test_a_file_saved_in_a_legacy_code_page_is_read(personas, language, codec, name):
    personas.org.default_language = language
    personas.org.save()
    data = io.BytesIO(f"external_id,name\nL1,{name}\n".encode(codec))
    result = run_import(personas.org, "customers", data, dry_run=False)
    assert result.ok, result.errors
    assert Customer.objects.get(external_id="L1").name == name


def test_unreadable_files_are_explained(personas):
    for data, reason in [(b"", "empty"), (b"PK\x03\x04broken", "XLSX")]:
        result = run_import(personas.org, "customers", io.BytesIO(data), dry_run=False)
        assert reason in result.errors[0].reason


def test_a_100000_row_file(personas, tmp_path):
    path = tmp_path / "customers.csv"
    with path.open("w") as out:
        out.write("external_id,name,email,language\n")
        out.writelines(f"X{i},Customer {i},c{i}@example.net,es\n" for i in range(100_000))
    seen = []
    result = run_import(
        personas.org, "customers", path, dry_run=False, progress=lambda d, t: seen.append(d)
    )
    assert result.ok
    assert result.created == 100_000
    assert Customer.objects.filter(organization=personas.org).count() == 100_000
    assert len(seen) > 10
    assert seen[-1] == 100_000


def test_command(personas, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS)
    out = io.StringIO()
    call_command(
        "importcustomers", "customers", str(path), "--dry-run", workspace="acme", stdout=out
    )
    assert "3 created" in out.getvalue()
    assert not Customer.objects.exists()
    call_command("importcustomers", "customers", str(path), workspace="Acme", stdout=out)
    assert Customer.objects.filter(organization=personas.org).count() == 3
    path.write_text("name,email\nAna,nope\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command(
            "importcustomers", "customers", str(path), "--dry-run", workspace="Acme", stdout=out
        )
    assert failure.value.returncode == 1
    assert "row 2" in out.getvalue()
    assert "email" in out.getvalue()


# The web page (URL names customers:import and customers:import_status).


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.OWNER, 200), (Role.MANAGER, 200), (Role.AGENT, 403), (Role.ANALYST, 403)],
)
def test_import_page_by_role(personas, role, status):
    client = personas.client(role)
    assert client.get(reverse("customers:import")).status_code == status
    upload = SimpleUploadedFile("c.csv", CUSTOMERS.encode(), content_type="text/csv")
    response = client.post(reverse("customers:import"), {"kind": "customers", "file": upload})
    assert response.status_code == status
    assert Customer.objects.exists() is (status == 200)


def test_import_page_anonymous_redirects(personas):
    assert personas.client().get(reverse("customers:import")).status_code == 302


def test_import_page_shows_results_and_errors(personas):
    client = personas.client(Role.OWNER)
    upload = SimpleUploadedFile("c.csv", b"name,email\nAna,nope\n", content_type="text/csv")
    response = client.post(
        reverse("customers:import"), {"kind": "customers", "file": upload, "dry_run": "on"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "not a valid email" in body
    assert "<td>2</td>" in body


def test_large_files_run_in_the_background(
    personas, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(import_views, "INLINE_ROWS", 5)
    content = "external_id,name\n" + "".join(f"X{i},C {i}\n" for i in range(10))
    client = personas.client(Role.MANAGER)
    upload = SimpleUploadedFile("c.csv", content.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:import"), {"kind": "customers", "file": upload})
    import_id = response.context["import_id"]
    assert Customer.objects.count() == 10
    url = reverse("customers:import_status", args=[import_id])
    status = client.get(url)
    assert status.status_code == 200
    assert "10 rows: 10 new, 0 updated, 0 unchanged." in status.content.decode()
    assert default_storage.listdir("imports") == ([], [])  # the upload is deleted once imported
    assert personas.client(personas.outsider).get(url).status_code == 404
    assert personas.client(Role.AGENT).get(url).status_code == 403


def _rewrite_member(data: bytes, name: str, change) -> io.BytesIO:
    """Return a copy of a zip (XLSX) with one member's content changed by `change`."""
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            out.writestr(item, change(content) if item.filename == name else content)
    target.seek(0)
    return target


def test_an_xlsx_with_a_stale_dimension_imports_every_row(personas):
    book = openpyxl.Workbook()
    book.active.append(["External id", "Name"])
    for i in range(30):
        book.active.append([f"S{i}", f"Customer {i}"])
    buffer = io.BytesIO()
    book.save(buffer)
    # What some programs write: a <dimension> that says one cell, over 31 rows.
    stale = _rewrite_member(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<dimension ref="A1:B31"/>', b'<dimension ref="A1"/>'),
    )
    assert import_views.count_rows(stale) == 31
    result = run_import(personas.org, "customers", stale, dry_run=False)
    assert result.ok
    assert result.created == 30
    assert Customer.objects.count() == 30


def test_an_xlsx_that_unpacks_too_large_is_refused_before_it_is_read(personas, settings):
    settings.IMPORT_MAX_EXPANDED_BYTES = 2 * 1024 * 1024
    book = openpyxl.Workbook()
    book.active.append(["External id", "Name"])
    buffer = io.BytesIO()
    book.save(buffer)
    # A zip bomb in miniature: 8 MB of padding that compresses to a few kilobytes.
    bomb = _rewrite_member(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml + b" " * (8 * 1024 * 1024),
    )
    assert len(bomb.getvalue()) < 100_000
    result = run_import(personas.org, "customers", bomb, dry_run=False)
    assert not result.ok
    assert "unpacks to 8 MB" in result.errors[0].reason
    assert import_views.count_rows(bomb) == 0
    assert Customer.objects.count() == 0


def test_nul_characters_and_over_long_addresses_in_a_file_are_handled(personas):
    long_email = "a" * 250 + "@example.net"
    content = f"external_id,name,email\nN1,Ana\x00 Pérez,ana@example.net\nN2,Bob,{long_email}\n"
    result = run_import(personas.org, "customers", csv_file(content), dry_run=False)
    assert errors(result) == [(3, "email")]
    assert Customer.objects.count() == 0
    fixed = content.replace(long_email, "bob@example.net")
    result = run_import(personas.org, "customers", csv_file(fixed), dry_run=False)
    assert result.ok
    assert Customer.objects.get(external_id="N1").name == "Ana Pérez"
