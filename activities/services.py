"""Writes on the timeline."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Event


def record_event(kind: str, summary: str, *, by=None, data: dict[str, Any] | None = None, **records) -> Event:
    """Append a system event to the timelines of `records` (lead=, contact=, account=, opportunity=)."""
    event = Event.objects.create(kind=kind, summary=summary[:500], actor=by, data=data or {}, **records)
    _engagement_recorded(records, kind)
    return event


def record_field_changes(changes: dict[str, tuple[Any, Any]], *, audited: list[str], by=None, **records) -> None:
    """Append one "field_changed" event (who, from what, to what) per audited field in `changes` to `records`."""
    for field, (old, new) in changes.items():
        if field not in audited:
            continue
        old_raw, new_raw = getattr(old, "pk", old), getattr(new, "pk", new)
        shown_old, shown_new = ("—" if value in (None, "") else str(value) for value in (old, new))
        record_event(
            "field_changed",
            f"{field.replace('_', ' ').capitalize()} changed from {shown_old} to {shown_new}",
            by=by,
            data={
                "field": field,
                "from": str(old_raw) if old_raw is not None else None,
                "to": str(new_raw) if new_raw is not None else None,
            },
            **records,
        )


def _engagement_recorded(records: dict[str, Any], kind: str) -> None:
    lead = records.get("lead")
    if lead is not None:
        from leads.services.scoring import on_engagement_recorded

        on_engagement_recorded(lead_id=lead.pk, kind=kind)


@transaction.atomic
def log_activity(*, by, kind: str, subject: str, body: str = "", due_at=None, completed_at=None, **records) -> Activity:
    """Log an activity on one or more records and touch the lead's `last_activity_at`."""
    activity = Activity(
        kind=kind, subject=subject, body=body, due_at=due_at, completed_at=completed_at, owner=by, **records
    )
    activity.full_clean()
    activity.save()
    lead = records.get("lead")
    if lead is not None:
        from leads.models import Lead

        Lead.objects.filter(pk=lead.pk).update(last_activity_at=activity.created_at)
    _engagement_recorded(records, kind)
    return activity


@transaction.atomic
def complete_task(activity: Activity, *, by) -> Activity:
    """Mark a task done once; completing it again changes nothing."""
    Activity.objects.filter(pk=activity.pk, completed_at__isnull=True).update(completed_at=timezone.now())
    activity.refresh_from_db()
    return activity


ACTIVITY_FIELDS = ["kind", "subject", "body", "due_at", "completed_at", "lead", "contact", "account", "opportunity"]


@transaction.atomic
def update_activity(activity: Activity, *, by, data: dict[str, Any]) -> Activity:
    """Edit an activity's details or the records it belongs to."""
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
    changes = {}
    for field in ACTIVITY_FIELDS:
        if field in data and getattr(activity, field) != data[field]:
            changes[field] = data[field]
            setattr(activity, field, data[field])
    if changes:
        activity.full_clean()
        activity.save(update_fields=[*changes, "updated_at"])
    return activity


@transaction.atomic
def delete_activity(activity: Activity, *, by) -> None:
    """Delete an activity from the timeline."""
    Activity.objects.filter(pk=activity.pk).delete()
