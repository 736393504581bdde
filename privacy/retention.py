"""Retention: system events, tracking hits and security events older than their setting are deleted nightly.

Each setting counts days; 0 (the default) keeps that data for ever. Activities people logged, records and the
erasure tombstones are not touched.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from activities.erasure import purge_events_before
from nurture.erasure import purge_tracking_hits_before
from users.retention import purge_security_events_before

logger = logging.getLogger("funnel.privacy")


def apply_retention(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is older than the retention settings allow; return how many rows went, per kind."""
    now = now or timezone.now()
    purges = [
        ("events", settings.FUNNEL_RETENTION_ACTIVITY_DAYS, purge_events_before),
        ("tracking_hits", settings.FUNNEL_RETENTION_TRACKING_DAYS, purge_tracking_hits_before),
        ("security_events", settings.FUNNEL_RETENTION_AUDIT_DAYS, purge_security_events_before),
    ]
    deleted = {kind: purge(now - timedelta(days=days)) for kind, days, purge in purges if days > 0}
    if any(deleted.values()):
        logger.info("retention deleted %s", deleted)
    return deleted
