"""Measure customer and purchase imports: rows per second, first import and re-import.

An import validates every row as the API validates one record, then writes the file all or
nothing. This bench generates a customers file (with a company and an attribute column) and a
purchases file that refers to those customers and to products it creates, and times
`run_import` in a fresh database:

* customers, new: every row creates a customer (and its company, the first time);
* customers, again: the same file, every row unchanged;
* customers, changed: every row changes the name and the attribute (an update each);
* products: 50 products, the purchases' catalogue;
* purchases, new: every row creates a purchase of a customer and a product found by key.

Run from the repository root (PostgreSQL at 127.0.0.1:5432 with trust auth; the database
`contento_bench` is dropped and created again):

    .venv/bin/python bench/imports.py [--rows 20000] [--db both] [--root PATH]

`--root` measures another checkout of Contento (say, `git worktree add /tmp/before HEAD~1`)
with this project's virtual environment, so two versions can be compared on the same machine.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/contento_bench"

# Run in a child process with the checkout under test first on the path.
CHILD = r"""
import json, sys, time
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from contento.accounts.models import Organization
from contento.customers.imports import run_import
from contento.customers.models import Customer, Purchase

org = Organization.objects.create(name="Bench")
figures = {}
for step, kind, path in json.loads(sys.argv[1]):
    started = time.perf_counter()
    with open(path, "rb") as file:
        result = run_import(org, kind, file, dry_run=False)
    seconds = time.perf_counter() - started
    if not result.ok:
        sys.exit(f"{step}: {result.errors[:3]}")
    figures[step] = {
        "seconds": seconds, "rows": result.rows, "created": result.created,
        "updated": result.updated, "unchanged": result.unchanged,
    }
figures["stored"] = {
    "customers": Customer.objects.filter(organization=org).count(),
    "purchases": Purchase.objects.filter(organization=org).count(),
}
print(json.dumps(figures))
"""


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    files = {
        "customers": folder / "customers.csv",
        "changed": folder / "changed.csv",
        "purchases": folder / "purchases.csv",
        "products": folder / "products.csv",
    }
    with files["products"].open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["sku", "name", "price"])
        for i in range(50):
            writer.writerow([f"SKU{i}", f"Product {i}", f"{10 + i}.50"])
    header = ["external_id", "name", "email", "language", "company", "attribute:plan"]
    for name, suffix in (("customers", ""), ("changed", " (renamed)")):
        with files[name].open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for i in range(rows):
                plan = ("basic", "pro", "team")[(i + bool(suffix)) % 3]
                writer.writerow(
                    [f"C{i}", f"Customer {i}{suffix}", f"c{i}@example.com",
                     ("en", "es", "fr", "ru", "vi", "id")[i % 6], f"Company {i % 500}", plan]
                )  # fmt: skip
    with files["purchases"].open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["external_id", "customer_external_id", "product_sku", "product_name",
             "purchased_at", "amount", "currency"]
        )  # fmt: skip
        for i in range(rows):
            writer.writerow(
                [f"P{i}", f"C{i % rows}", f"SKU{i % 50}", "",
                 f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00", f"{10 + i % 90}.50", "EUR"]
            )  # fmt: skip
    return files


def run(root: Path, database_url: str, files: dict[str, Path]) -> dict:
    steps = [
        ("customers, new", "customers", str(files["customers"])),
        ("customers, again", "customers", str(files["customers"])),
        ("customers, changed", "customers", str(files["changed"])),
        ("products", "products", str(files["products"])),
        ("purchases, new", "purchases", str(files["purchases"])),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "contento.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(steps)],
        env=env, cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        sys.exit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def fresh_postgres() -> str:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS contento_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE contento_bench")
    return PG_URL


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contento-bench-") as tmp:
        folder = Path(tmp)
        files = write_files(folder, args.rows)
        databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
        print(f"{args.rows:,} rows per file; checkout {args.root}")
        for db in databases:
            url = f"sqlite:///{folder / 'bench.sqlite3'}" if db == "sqlite" else fresh_postgres()
            figures = run(args.root.resolve(), url, files)
            stored = figures.pop("stored")
            print(f"\n{db}: {stored['customers']:,} customers, {stored['purchases']:,} purchases")
            for step, f in figures.items():
                rate = f["rows"] / f["seconds"]
                print(
                    f"  {step:<20} {f['seconds']:7.2f} s  {rate:9,.0f} rows/s  "
                    f"({f['created']} created, {f['updated']} updated, {f['unchanged']} unchanged)"
                )
            if stored != {"customers": args.rows, "purchases": args.rows}:
                sys.exit(f"{db}: expected {args.rows} of each, found {stored}")


if __name__ == "__main__":
    main()
