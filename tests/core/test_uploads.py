"""An upload to a full disk is refused by name and leaves no partial file."""

from __future__ import annotations

import errno

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from core.exceptions import StorageFull
from core.uploads import save_upload
from imports.models import ImportJob

pytestmark = pytest.mark.django_db


def test_a_full_disk_raises_storage_full_and_keeps_no_part_of_the_file(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path

    def fill_up(self, name, content):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(4))  # part of the file, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", fill_up)
    job = ImportJob()

    with pytest.raises(StorageFull, match="upload storage is full"):
        save_upload(job.file, "leads.csv", ContentFile(b"Last Name\nDoe\n", name="leads.csv"))

    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_other_write_errors_are_not_taken_for_a_full_disk(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path

    def denied(self, name, content):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(FileSystemStorage, "_save", denied)

    with pytest.raises(PermissionError):
        save_upload(ImportJob().file, "leads.csv", ContentFile(b"x", name="leads.csv"))
