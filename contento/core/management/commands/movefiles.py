"""`contento movefiles`: copy files an earlier version wrote to disk into the shared storage."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand

from contento.core.storage import DatabaseStorage


class Command(BaseCommand):
    help = (
        "Copy the attachments, raw mail and imports under MEDIA_ROOT into the database storage "
        "(or the configured S3 store), so every host sees them; with --delete, remove each "
        "file from disk once it is copied. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove copied files from disk.")

    def handle(self, delete, **options):
        disk = FileSystemStorage(location=settings.MEDIA_ROOT)
        moved = 0
        in_database = isinstance(default_storage, DatabaseStorage)
        for name in _walk(disk, ""):
            # The database storage's exists() also sees the disk: ask the database itself.
            already = default_storage.holds(name) if in_database else default_storage.exists(name)
            if not already:
                with disk.open(name, "rb") as handle:
                    if in_database:
                        default_storage.keep_as(name, handle)
                    elif default_storage.save(name, handle) != name:
                        self.stderr.write(f"{name}: the store gave it another name; kept on disk")
                        continue
                moved += 1
            if delete:
                disk.delete(name)
        self.stdout.write(f"Copied {moved} file(s) into the {settings.FILE_STORAGE} storage.")


def _walk(disk, path):
    try:
        directories, files = disk.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _walk(disk, f"{path}/{directory}" if path else directory)
