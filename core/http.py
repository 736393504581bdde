"""What the request says about its client."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """Return the client's address: REMOTE_ADDR, or the entry the nearest of FUNNEL_PROXY_COUNT trusted proxies added."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.FUNNEL_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies <= 0 or not forwarded:
        return remote
    # Each trusted proxy appends what it saw; entries to the left of theirs are whatever the client sent.
    return forwarded[-min(proxies, len(forwarded))]
