"""The suppression list: addresses of people who asked to be erased, held only as peppered hashes.

Every service that creates or re-addresses a person record (leads, contacts, imports, web-to-lead, the
Salesforce-compatible API) and every sender of email asks `is_suppressed()` first; the refusal is logged
without the address.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings

from core.exceptions import ApplicationError
from core.models import Suppression
from core.text import normalize_email

logger = logging.getLogger("funnel.privacy")


ERASED_DETAIL = "This person asked to be erased; the record cannot be created."


class PersonErased(ApplicationError):
    code = "person_erased"
    status_code = 409
    default_detail = ERASED_DETAIL


def email_digest(email: str | None) -> str:
    """Return the sha256 of the server-side pepper and the normalised `email`."""
    pepper = settings.FUNNEL_PRIVACY_PEPPER or settings.SECRET_KEY
    return hashlib.sha256(f"{pepper}:{normalize_email(email)}".encode()).hexdigest()


def is_suppressed(email: str | None) -> bool:
    """True when `email` belongs to a person who was erased."""
    if not normalize_email(email):
        return False
    return Suppression.objects.filter(digest=email_digest(email)).exists()


def suppressed_among(emails: list[str]) -> set[str]:
    """Return which of `emails` (normalised) belong to erased people, in one query."""
    digests = {email_digest(email): email for email in emails if email}
    if not digests:
        return set()
    found = Suppression.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)
    return {digests[digest] for digest in found}


def suppress_email(email: str) -> bool:
    """Add `email` to the suppression list; return False when it was already there."""
    _, created = Suppression.objects.get_or_create(digest=email_digest(email))
    return created


def check_not_suppressed(email: str | None, *, field: str = "email", what: str = "record") -> None:
    """Refuse (and log) creating or re-addressing a record for an erased person.

    Raises:
        PersonErased: `email` is on the suppression list.
    """
    if is_suppressed(email):
        logger.warning("refused to store a %s for an erased person (suppression list)", what)
        raise PersonErased(field=field)
