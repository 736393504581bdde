"""Bounce and spam-complaint reports a mail provider posts to the inbound endpoint, read into one shape (no writes).

Understood, besides replies (`nurture.inbound`):
- Postmark's bounce and spam-complaint webhooks: `RecordType` "Bounce" or "SpamComplaint", `Email`, `Type`,
  `Inactive`, `BouncedAt`. A bounce counts when it is permanent: `Type` HardBounce, BadEmailAddress or
  ManuallyDeactivated, or Postmark deactivated the address (`Inactive`); soft bounces are accepted and ignored.
- Mailgun's event webhooks: `event-data.event` "failed" with `severity` "permanent" (temporary failures are
  ignored) or "complained", `event-data.recipient`, `event-data.timestamp` (seconds). Other Mailgun events
  (delivered, opened …) and Postmark's other webhooks are accepted and ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leads.models import Lead
from nurture.exceptions import InboundEmailRefused

POSTMARK_RECORD_TYPES = {"Bounce": Lead.BounceKind.BOUNCE, "SpamComplaint": Lead.BounceKind.COMPLAINT}
POSTMARK_PERMANENT = {"HardBounce", "BadEmailAddress", "ManuallyDeactivated", "SpamComplaint"}


@dataclass(frozen=True)
class Bounce:
    """A report about one address: `kind` is a Lead.BounceKind, or "" with `ignored` saying why."""

    email: str
    kind: str
    at: datetime
    ignored: str = ""


def _address(value: Any, field: str) -> str:
    email = value.strip().lower() if isinstance(value, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        raise InboundEmailRefused(
            reason=f"The bounce report has no valid recipient address in {field}.", field=field
        ) from None
    return email


def _postmark_time(value: Any) -> datetime:
    try:
        at = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        at = None
    if at is None:
        return timezone.now()
    return at if timezone.is_aware(at) else at.replace(tzinfo=UTC)


def _mailgun_time(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return timezone.now()
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return timezone.now()


def _postmark(data: dict) -> Bounce:
    record_type = data["RecordType"]
    email = _address(data.get("Email"), "Email")
    at = _postmark_time(data.get("BouncedAt"))
    kind = POSTMARK_RECORD_TYPES[record_type]
    bounce_type = data.get("Type") if isinstance(data.get("Type"), str) else ""
    if kind == Lead.BounceKind.COMPLAINT or bounce_type in POSTMARK_PERMANENT or data.get("Inactive") is True:
        return Bounce(email=email, kind=kind, at=at)
    return Bounce(email=email, kind="", at=at, ignored=f"a temporary bounce ({bounce_type or 'no type'})")


def _mailgun(event: dict) -> Bounce:
    name = event.get("event")
    at = _mailgun_time(event.get("timestamp"))
    if name not in ("failed", "complained"):
        shown = name if isinstance(name, str) else "no event"
        return Bounce(email="", kind="", at=at, ignored=f"not a bounce or complaint ({shown[:50]})")
    email = _address(event.get("recipient"), "event-data.recipient")
    if name == "complained":
        return Bounce(email=email, kind=Lead.BounceKind.COMPLAINT, at=at)
    if event.get("severity") != "permanent":
        return Bounce(email=email, kind="", at=at, ignored="a temporary failure")
    return Bounce(email=email, kind=Lead.BounceKind.BOUNCE, at=at)


def parse_bounce(data: Any) -> Bounce | None:
    """Read a bounce or complaint report; None when `data` is not one (then it is a reply).

    Raises:
        InboundEmailRefused: a bounce or complaint report without a valid address.
    """
    if not isinstance(data, dict):
        return None
    record_type = data.get("RecordType")
    if record_type in POSTMARK_RECORD_TYPES:
        return _postmark(data)
    if isinstance(record_type, str) and record_type:  # Postmark's other webhooks (Delivery, Open …)
        return Bounce(email="", kind="", at=timezone.now(), ignored=f"not a bounce or complaint ({record_type[:50]})")
    event = data.get("event-data")
    if isinstance(event, dict):
        return _mailgun(event)
    if "event-data" in data or "RecordType" in data:
        field = "RecordType" if "RecordType" in data else "event-data"
        raise InboundEmailRefused(
            reason=f"{field} is malformed: a text (Postmark) or an object (Mailgun).", field=field
        )
    return None
