"""Files in the database: every host of an installation reads the same, erasure reaches them.

Attachments, raw inbound mail and uploaded imports are written through Django's default
storage. On one machine's disk they would be visible only to that machine: a download served
by another web host answers 404, an import started on one host fails on another's worker, and
an erasure run elsewhere leaves personal data on disk. So by default they live in the database
that every host already shares (as Zammad keeps them), one row per file, written in the same
transaction as the record that names them: a request that fails leaves no orphan file.

Large installations can keep them in an S3-compatible store instead (FILE_STORAGE=s3, through
django-storages); see docs/scaling.md. Files written to disk by an earlier version are still
read from MEDIA_ROOT, and `contento movefiles` copies them into the database.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import connections, router
from django.utils.deconstruct import deconstructible

from contento.core.models import StoredFile


@deconstructible
class DatabaseStorage(Storage):
    """A Django storage whose files are `StoredFile` rows."""

    def _legacy(self) -> FileSystemStorage:
        return FileSystemStorage(location=settings.MEDIA_ROOT)

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError("Files in the database are written with save(), not open().")
        content = StoredFile.objects.filter(name=name).values_list("content", flat=True).first()
        if content is None:
            legacy = self._legacy()
            if legacy.exists(name):  # written to disk by an earlier version
                return legacy.open(name, mode)
            raise FileNotFoundError(f"No stored file named {name!r}.")
        return ContentFile(bytes(content), name=name)

    def _save(self, name, content):
        data = _read_all(content)
        for _attempt in range(10):
            if _insert_unless_taken(StoredFile(name=name, content=data, size=len(data))):
                return name
            name = self.get_alternative_name(*self._split(name))  # another request took it
        raise OSError(f"Could not find a free name for {name!r}.")

    def get_available_name(self, name, max_length=None):
        # A name taken in the database is found by its unique index when the row is written
        # (`_save` draws another then): asking first would cost a query per file. Only a file
        # an earlier version left on disk is looked for here.
        return self._legacy().get_available_name(name, max_length=max_length)

    @staticmethod
    def _split(name):
        root, dot, ext = name.rpartition(".")
        return (root, f".{ext}") if dot and "/" not in ext else (name, "")

    def delete(self, name):
        if not name:
            return
        StoredFile.objects.filter(name=name).delete()
        legacy = self._legacy()
        if legacy.exists(name):
            legacy.delete(name)

    def keep_as(self, name, content) -> None:
        """Store `content` under exactly `name` (moving files an older version left on disk)."""
        data = _read_all(content)
        StoredFile.objects.update_or_create(
            name=name, defaults={"content": data, "size": len(data)}
        )

    def holds(self, name) -> bool:
        """Return whether the database itself holds the file (not a copy left on disk)."""
        return StoredFile.objects.filter(name=name).exists()

    def exists(self, name):
        return StoredFile.objects.filter(name=name).exists() or self._legacy().exists(name)

    def size(self, name):
        size = StoredFile.objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            return self._legacy().size(name)
        return size

    def url(self, name):
        # Stored files are personal data: they are served by views that check who asks.
        raise NotImplementedError("Files in the database have no public address.")

    def listdir(self, path):
        prefix = f"{path.rstrip('/')}/" if path else ""
        names = StoredFile.objects.filter(name__startswith=prefix).values_list("name", flat=True)
        directories, files = set(), set()
        for name in names:
            rest = name[len(prefix) :]
            head, slash, _tail = rest.partition("/")
            (directories if slash else files).add(head)
        return sorted(directories), sorted(files)


def _insert_unless_taken(row: StoredFile) -> bool:
    """Insert the row unless its name is taken; return whether it was inserted.

    One statement (`ON CONFLICT DO NOTHING`, SQLite and PostgreSQL alike) where catching the
    unique index's error would need a savepoint around the insert, two more round trips for
    every file, although the names drawn (random) are almost never taken.
    """
    connection = connections[router.db_for_write(StoredFile)]
    fields = [f for f in StoredFile._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    quote = connection.ops.quote_name
    # Names from the model, values as parameters.
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING".format(  # noqa: S608
        quote(StoredFile._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(StoredFile._meta.get_field("name").column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.rowcount == 1


def _read_all(content) -> bytes:
    if hasattr(content, "seek"):
        content.seek(0)
    data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
    return data.encode() if isinstance(data, str) else data
