"""Files in the database: the same for every host, gone when erased, never half-written."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import transaction

from contento.core.models import StoredFile
from contento.core.storage import DatabaseStorage


def test_the_default_storage_is_the_database(db):
    assert isinstance(default_storage, DatabaseStorage)
    name = default_storage.save("inbound/2026/12/message.eml", ContentFile(b"From: a\r\n\r\nhi"))
    again = default_storage.save("inbound/2026/12/message.eml", ContentFile(b"other"))
    assert name != again  # a taken name gets another
    with default_storage.open(name) as handle:
        assert handle.read() == b"From: a\r\n\r\nhi"
    assert default_storage.size(name) == 13
    assert default_storage.exists(again)
    assert default_storage.listdir("inbound") == (["2026"], [])
    default_storage.delete(name)
    assert not default_storage.exists(name)
    assert StoredFile.objects.count() == 1
    with pytest.raises(FileNotFoundError):
        default_storage.open(name)


def test_a_file_saved_in_a_failed_transaction_is_not_left_behind(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        default_storage.save("attachments/invoice.pdf", ContentFile(b"%PDF"))
        raise RuntimeError("the request failed after saving the file")
    assert StoredFile.objects.count() == 0


def test_files_written_to_disk_before_are_read_and_moved(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    disk = FileSystemStorage(location=tmp_path)
    disk.save("attachments/2025/old.txt", ContentFile(b"written by an earlier version"))
    with default_storage.open("attachments/2025/old.txt") as handle:
        assert handle.read() == b"written by an earlier version"  # read through from disk
    call_command("movefiles", delete=True)
    assert StoredFile.objects.get(name="attachments/2025/old.txt").size == 29
    assert not disk.exists("attachments/2025/old.txt")
    call_command("movefiles")  # again: nothing to do, nothing doubled
    assert StoredFile.objects.count() == 1
