"""Reads on nurture that span models: due enrollments, a lead's enrollments, the sequences to pick from."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet, Subquery

from leads.models import Lead
from nurture.models import Delivery, Enrollment, Sequence, Step
from users.models import User


def list_due_enrollments(now: datetime, *, limit: int) -> list[Enrollment]:
    """Return up to `limit` due active enrollments with lead, owner, sequence and step, locking them and their leads.

    Call inside a transaction. On PostgreSQL rows another sender holds (or a lead being unsubscribed or
    converted right now) are skipped; SQLite has no SKIP LOCKED and serialises writers instead.

    The rows are locked first and read with their step, owner and sequence after: when a row changed between
    the locking statement's snapshot and its lock (another sender just advanced it), PostgreSQL re-checks the
    new row version against the joined rows of the old snapshot, so a join in the locking statement could pair
    an enrollment now at step 2 with no step at all — and the sender would end it without sending step 2.
    """
    order = ("next_send_at", "id")
    due = Enrollment.objects.filter(
        status=Enrollment.Status.ACTIVE, next_send_at__lte=now, sequence__active=True
    ).order_by(*order)
    if not connection.features.has_select_for_update_skip_locked:
        return list(due.select_related("lead__owner", "sequence", "current_step")[:limit])
    locking = due.select_related("lead").only("id", "lead__id").select_for_update(skip_locked=True, of=("self", "lead"))
    locked = [enrollment.pk for enrollment in locking[:limit]]
    if not locked:
        return []
    return list(
        Enrollment.objects.filter(pk__in=locked)
        .select_related("lead__owner", "sequence", "current_step")
        .order_by(*order)
    )


def list_lead_enrollments(lead: Lead, user: User) -> list[Enrollment]:
    """Return `lead`'s enrollments `user` may see, newest first, with sequence, next step and the last delivery."""
    last = Delivery.objects.filter(enrollment=OuterRef("pk")).order_by("-created_at", "-id")
    return list(
        Enrollment.objects.visible_to(user)
        .filter(lead=lead)
        .select_related("sequence", "current_step")
        .annotate(
            last_delivery_at=Subquery(last.values("created_at")[:1]),
            last_delivery_status=Subquery(last.values("status")[:1]),
            last_delivery_subject=Subquery(last.values("step__subject")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def list_enrollable_sequences(user: User) -> QuerySet[Sequence]:
    """Return the active sequences with at least one step that `user` may enrol leads in, by name."""
    return (
        Sequence.objects.visible_to(user)
        .active()
        .filter(Exists(Step.objects.filter(sequence=OuterRef("pk"))))
        .order_by("name", "id")
    )
