"""Signed unsubscribe links: the lead id signed with the site's secret; they never expire."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse

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
    return settings.SITE_URL.rstrip("/") + token_path("nurture:unsubscribe", make_unsubscribe_token(lead_id))


_PLACEHOLDER = "funnel-token-placeholder"


@lru_cache(maxsize=64)
def _route(name: str, urlconf: str | None, script_prefix: str) -> tuple[str, str]:
    path = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)
    at = path.rindex(_PLACEHOLDER)
    return path[:at], path[at + len(_PLACEHOLDER) :]


def token_prefix(name: str) -> str:
    """The path of `name`'s URL before its token argument."""
    return _route(name, get_urlconf(), get_script_prefix())[0]


def token_path(name: str, token: str) -> str:
    """`reverse(name, args=[token])` for a URL whose one argument is a token, reversed once per URLconf and then
    filled in: a sender writes three such links per email, and `reverse` costs more than rendering the email."""
    before, after = _route(name, get_urlconf(), get_script_prefix())
    return before + quote(token, safe="!$&'()*+,;=/~:@") + after
