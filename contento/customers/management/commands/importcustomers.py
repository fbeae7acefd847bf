import contextlib
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from contento.accounts.models import Organization
from contento.customers.imports import IMPORTERS, run_import


class Command(BaseCommand):
    help = (
        "Import customers, products, purchases or subscriptions from a CSV or XLSX file, "
        "all or nothing; rows already imported are updated, not duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )
        parser.add_argument(
            "--workspace", help="Organisation code or name (needed when there are several)."
        )

    def handle(self, kind, path, dry_run, workspace, **options):
        organization = self.organization(workspace)
        try:
            file = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        # tqdm stays quiet when stderr is not a terminal (cron, tests).
        with file, tqdm(total=None, unit=" rows", file=self.stderr._out, disable=None) as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            result = run_import(organization, kind, file, dry_run=dry_run, progress=progress)
        for error in result.errors:
            where = f"row {error.row}" if error.row else "file"
            column = f", {error.column}" if error.column else ""
            self.stdout.write(f"{where}{column}: {error.reason}")
        if result.more_errors:
            self.stdout.write(f"... and {result.more_errors} more errors.")
        counts = (
            f"{result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        if not result.ok:
            raise CommandError(f"{result.error_count} errors; nothing was saved ({counts}).")
        if dry_run:
            self.stdout.write(f"Dry run, nothing was saved. {counts}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported. {counts}."))

    def organization(self, workspace) -> Organization:
        organizations = Organization.objects.all()
        if workspace:
            query = Q(name__iexact=workspace)
            with contextlib.suppress(ValueError):
                query |= Q(code=uuid.UUID(workspace.strip()))
            organizations = organizations.filter(query)
        found = list(organizations.order_by("pk")[:2])
        if len(found) == 1:
            return found[0]
        if not found:
            raise CommandError(f"No workspace {workspace!r}." if workspace else "No workspace yet.")
        raise CommandError(
            "Several workspaces match; name one with --workspace <code or name>."
            if not workspace
            else f"Several workspaces are named {workspace!r}; give its code instead."
        )
