"""Files on records: add and remove attachments, and the rules that make an upload safe to keep and to serve.

An upload is an attack surface, so:
- the file is stored under a random name (`models.attachment_path`); the person's file name is kept only as a
  sanitised label (`clean_file_name`: no path, no control characters, no leading dots, at most 200 characters);
- its type is sniffed from its first bytes (puremagic), never taken from the browser's claim, and falls back to
  application/octet-stream;
- it is refused, before anything is stored, when it is missing, empty or over `FUNNEL_ATTACHMENT_MAX_BYTES`;
- it is served only as a download (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`), never
  inline, so an HTML or SVG file cannot run in the app's origin.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata

import puremagic
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat

from activities.exceptions import AttachmentEmpty, AttachmentMissing, AttachmentTooLarge, RecordReadOnly
from activities.models import Attachment
from activities.services import record_event

logger = logging.getLogger(__name__)

NAME_LIMIT = 200
SNIFF_BYTES = 8192
FALLBACK_TYPE = "application/octet-stream"
RECORD_NAMES = ("lead", "contact", "account", "opportunity")
_SPACES = re.compile(r"\s+")


def clean_file_name(name: str) -> str:
    """Return `name` as a safe label: its last path part, no control characters or leading dots, length-capped."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _SPACES.sub(" ", name).strip().lstrip(". ").strip()
    if len(name) > NAME_LIMIT:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[: NAME_LIMIT - len(ext)].rstrip() + ext
    return name or "attachment"


def sniff_content_type(head: bytes) -> str:
    """Return the media type the bytes say they are, or application/octet-stream when they say nothing known."""
    if not head:
        return FALLBACK_TYPE
    try:
        return puremagic.from_string(head, mime=True) or FALLBACK_TYPE
    except (puremagic.PureError, ValueError):
        return FALLBACK_TYPE


def max_bytes() -> int:
    return settings.FUNNEL_ATTACHMENT_MAX_BYTES


def check_upload_size(size: int | None) -> None:
    """Refuse an upload over the limit (also called with the request's Content-Length, before the body is read).

    Raises:
        AttachmentTooLarge: `size` is over `FUNNEL_ATTACHMENT_MAX_BYTES`.
    """
    if size is not None and size > max_bytes():
        raise AttachmentTooLarge(limit=filesizeformat(max_bytes()), field="file")


def check_request_size(meta: dict, *, framing: int = 64 * 1024) -> None:
    """Refuse a request whose declared length cannot hold an acceptable file (multipart framing allowed for).

    Raises:
        AttachmentTooLarge: the Content-Length is over the limit plus `framing`.
    """
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return  # Django reads a malformed length as 0; the file's own size is checked later
    check_upload_size(max(0, length - framing))


def _one_record(records: dict) -> dict:
    given = {name: value for name, value in records.items() if name in RECORD_NAMES and value is not None}
    if len(given) != 1 or set(records) - set(RECORD_NAMES):
        raise ValueError("An attachment belongs to exactly one lead, contact, account or opportunity.")
    return given


def add_attachment(*, by, upload: UploadedFile | None, **records) -> Attachment:
    """Store `upload` and attach it to one record (lead=, contact=, account= or opportunity=); note it on the timeline.

    Raises:
        AttachmentMissing, AttachmentEmpty, AttachmentTooLarge: nothing is stored.
        RecordReadOnly: the record is a converted lead.
    """
    record_kwargs = _one_record(records)
    record = next(iter(record_kwargs.values()))
    if getattr(record, "is_converted", False):
        raise RecordReadOnly(reason="the lead was converted")
    if upload is None:
        raise AttachmentMissing(field="file")
    if not upload.size:
        raise AttachmentEmpty(field="file")
    check_upload_size(upload.size)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    name = clean_file_name(upload.name)
    attachment = Attachment(
        original_name=name,
        content_type=sniff_content_type(head),
        size=upload.size,
        uploaded_by=by,
        **record_kwargs,
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.full_clean()
            attachment.save()
            record_event(
                "attached",
                f"Attached {name}",
                by=by,
                data={"attachment": attachment.pk, "name": name, "size": attachment.size},
                **record_kwargs,
            )
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)  # the row did not make it: neither does the file
        raise
    return attachment


@transaction.atomic
def delete_attachment(attachment: Attachment, *, by) -> None:
    """Remove an attachment and its file (after commit); note it on the timeline.

    Raises:
        RecordReadOnly: it belongs to a converted lead.
    """
    attachment = Attachment.objects.select_related("lead").get(pk=attachment.pk)
    if attachment.lead is not None and getattr(attachment.lead, "is_converted", False):
        raise RecordReadOnly(reason="the lead was converted")
    records = {name: getattr(attachment, name) for name in RECORD_NAMES if getattr(attachment, f"{name}_id")}
    storage, path = attachment.file.storage, attachment.file.name
    Attachment.objects.filter(pk=attachment.pk).delete()
    record_event(
        "attachment_removed",
        f"Removed attachment {attachment.original_name}",
        by=by,
        data={"name": attachment.original_name},
        **records,
    )

    def remove_file() -> None:
        try:
            storage.delete(path)
        except OSError:
            logger.warning("could not delete the file of attachment %s at %s", attachment.pk, path)

    transaction.on_commit(remove_file)
