"""Reads on nurture that span models."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from nurture.models import Enrollment


def list_due_enrollments(now: datetime, *, limit: int) -> list[Enrollment]:
    """Return up to `limit` due active enrollments with lead, owner, sequence and step, locking them and their leads.

    Call inside a transaction. On PostgreSQL rows another sender holds (or a lead being unsubscribed or
    converted right now) are skipped; SQLite has no SKIP LOCKED and serialises writers instead.
    """
    queryset = (
        Enrollment.objects.filter(status=Enrollment.Status.ACTIVE, next_send_at__lte=now, sequence__active=True)
        .select_related("lead__owner", "sequence", "current_step")
        .order_by("next_send_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True, of=("self", "lead"))
    return list(queryset[:limit])
