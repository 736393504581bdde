"""Store an uploaded file whole or not at all: a full disk answers StorageFull and leaves no partial file."""

from __future__ import annotations

import contextlib
import errno

from django.core.files.base import File
from django.db.models.fields.files import FieldFile

from core.exceptions import StorageFull

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def save_upload(field_file: FieldFile, name: str, content: File) -> None:
    """Save `content` into `field_file` (without saving its model); StorageFull when the disk is full."""
    storage = field_file.storage
    target = storage.get_available_name(field_file.field.generate_filename(field_file.instance, name))
    try:
        field_file.save(name, content, save=False)
    except OSError as exc:
        if exc.errno not in FULL:
            raise
        with contextlib.suppress(OSError):
            storage.delete(target)  # the part written before the disk filled up
        raise StorageFull() from exc
