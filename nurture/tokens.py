"""Signed unsubscribe links: the lead id signed with the site's secret; they never expire."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "nurture.unsubscribe"


def make_unsubscribe_token(lead_id: int) -> str:
    """Return the signed token for `lead_id`'s unsubscribe link."""
    return signing.dumps(lead_id, salt=SALT, compress=False)


def read_unsubscribe_token(token: str) -> int | None:
    """Return the lead id in `token`, or None when it is forged or malformed."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def unsubscribe_url(lead_id: int) -> str:
    """Return the absolute unsubscribe URL for `lead_id`."""
    path = reverse("nurture:unsubscribe", args=[make_unsubscribe_token(lead_id)])
    return settings.SITE_URL.rstrip("/") + path
