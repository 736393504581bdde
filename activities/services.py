"""Writes on the timeline."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.events import ActivityEvent
from activities.models import Activity, Event, Notification
from activities.work import add_work, forget_work
from core.events import publish


def record_event(kind: str, summary: str, *, by=None, data: dict[str, Any] | None = None, **records) -> Event:
    """Append a system event to the timelines of `records` (lead=, contact=, account=, opportunity=)."""
    return record_events([Event(kind=kind, summary=summary[:500], actor=by, data=data or {}, **records)])[0]


def record_events(events: list[Event]) -> list[Event]:
    """Append unsaved system events, each to its own records' timelines, in few statements.

    Publishes one `ActivityEvent.RECORDED` per kind for the leads they are on (scoring counts engagement).
    """
    created = Event.objects.bulk_create(events, batch_size=1_000)
    _announce(created)
    return created


def record_event_on_leads(lead_ids: list[int], *, kind: str, summary: str, data: dict[str, Any], by=None, now) -> None:
    """Append the same system event to the timeline of each of many leads with a single INSERT … SELECT.

    bulk_create would cost one query per ~100 rows on SQLite (999 parameters per statement);
    the events of one owner and rule differ only by lead, so one statement writes them all.
    """
    event_table = connection.ops.quote_name(Event._meta.db_table)
    # Leads are an app above this one: their table comes from the foreign key.
    lead_table = connection.ops.quote_name(Event._meta.get_field("lead").related_model._meta.db_table)
    if connection.vendor == "postgresql":
        json_param, ids_param, ids = "CAST(%s AS jsonb)", "= ANY(%s)", [list(lead_ids)]
    else:
        json_param, ids_param, ids = "%s", f"IN ({', '.join(['%s'] * len(lead_ids))})", list(lead_ids)
    sql = (
        f"INSERT INTO {event_table} (lead_id, kind, summary, data, actor_id, created_at) "  # noqa: S608 - table names from model metadata, values are parameters  # nosec B608
        f"SELECT id, %s, %s, {json_param}, %s, %s FROM {lead_table} WHERE id {ids_param}"
    )
    params = [
        kind,
        summary[:500],
        json.dumps(data),
        by.pk if by else None,
        connection.ops.adapt_datetimefield_value(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
    publish(ActivityEvent.RECORDED, record_ids=lead_ids, data={"kind": kind, "at": now.isoformat()})


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
            data={"field": field, "from": _json_value(old_raw), "to": _json_value(new_raw)},
            **records,
        )


def _json_value(value: Any) -> Any:
    """JSON's own types as they are (ids stay numbers); anything else (amounts, dates) as text."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _announce(
    entries: list[Activity] | list[Event], *, kind: str = ActivityEvent.RECORDED, by=None, extra: dict | None = None
) -> None:
    lead_ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for entry in entries:
        if entry.lead_id is not None:
            lead_ids_by_kind[entry.kind].append(entry.lead_id)
    for entry_kind, lead_ids in lead_ids_by_kind.items():
        data = {"kind": entry_kind, "at": entries[0].created_at.isoformat(), **(extra or {})}
        publish(kind, record_ids=lead_ids, by=by, data=data)


@transaction.atomic
def log_activity(
    *,
    by,
    kind: str,
    subject: str,
    body: str = "",
    due_at=None,
    completed_at=None,
    remind_at=None,
    call_outcome: str = "",
    duration_seconds: int | None = None,
    **records,
) -> Activity:
    """Log an activity on one or more records (the lead's `last_activity_at` follows: `ActivityEvent.LOGGED`).

    A call's outcome rides on the event (`data["call_outcome"]`): leads start working on a connected call.
    """
    activity = Activity(
        kind=kind,
        subject=subject,
        body=body,
        due_at=due_at,
        completed_at=completed_at,
        remind_at=remind_at,
        call_outcome=call_outcome or "",
        duration_seconds=duration_seconds,
        owner=by,
        **records,
    )
    activity.full_clean()
    activity.save()
    add_work(activity.owner_id, activity.lead_id, activity.created_at, activities=1)
    extra = {"call_outcome": activity.call_outcome} if activity.call_outcome else None
    _announce([activity], kind=ActivityEvent.LOGGED, by=by, extra=extra)
    return activity


@transaction.atomic
def complete_task(activity: Activity, *, by) -> Activity:
    """Mark a task done once; completing it again changes nothing."""
    Activity.objects.filter(pk=activity.pk, completed_at__isnull=True).update(completed_at=timezone.now())
    activity.refresh_from_db()
    return activity


ACTIVITY_FIELDS = [
    "kind",
    "subject",
    "body",
    "due_at",
    "completed_at",
    "remind_at",
    "call_outcome",
    "duration_seconds",
    "lead",
    "contact",
    "account",
    "opportunity",
]


@transaction.atomic
def update_activity(activity: Activity, *, by, data: dict[str, Any]) -> Activity:
    """Edit an activity's details or the records it belongs to."""
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
    worked_lead_id = activity.lead_id
    changes = {}
    for field in ACTIVITY_FIELDS:
        if field in data and getattr(activity, field) != data[field]:
            changes[field] = data[field]
            setattr(activity, field, data[field])
    if "remind_at" in changes and activity.reminder_sent_at is not None:
        # A new reminder time is a new reminder: it is sent again, once.
        activity.reminder_sent_at = None
        changes["reminder_sent_at"] = None
    if changes:
        activity.full_clean()
        activity.save(update_fields=[*changes, "updated_at"])
    if activity.lead_id != worked_lead_id:
        add_work(activity.owner_id, worked_lead_id, activity.created_at, activities=-1)
        add_work(activity.owner_id, activity.lead_id, activity.created_at, activities=1)
    return activity


@transaction.atomic
def delete_activity(activity: Activity, *, by) -> None:
    """Delete an activity from the timeline (the lead counts as worked that day only if other work remains)."""
    forget_work(pk=activity.pk)
    Activity.objects.filter(pk=activity.pk).delete()


# No savepoint: these run inside a conversion, which succeeds or rolls back whole.
@transaction.atomic(savepoint=False)
def move_lead_history(lead, *, contact, account) -> None:
    """Give a converted lead's activities to the person and company it became, where they name none yet."""
    # One UPDATE for both: each column keeps the record it already names.
    Activity.objects.filter(Q(contact__isnull=True) | Q(account__isnull=True), lead=lead).update(
        contact_id=Coalesce("contact_id", Value(contact.pk), output_field=models.BigIntegerField()),
        account_id=Coalesce("account_id", Value(account.pk), output_field=models.BigIntegerField()),
    )


def notify(user, *, kind: str, text: str, url: str = "", activity: Activity | None = None, email: bool = False):
    """Put a notification in `user`'s bell (and, with `email`, queue it to be emailed once)."""
    notification = Notification(
        user=user,
        kind=kind,
        text=text[:500],
        url=url[:500],
        activity=activity,
        email_status=Notification.EmailStatus.PENDING if email and user.email else Notification.EmailStatus.NONE,
    )
    notification.full_clean()
    notification.save()
    return notification


def mark_notification_read(notification: Notification, *, by) -> Notification:
    """Mark one of `by`'s notifications read; reading it again changes nothing."""
    Notification.objects.filter(pk=notification.pk, user=by, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_notifications_read(*, by) -> int:
    """Mark every unread notification of `by` read; return how many were unread."""
    return Notification.objects.filter(user=by, read_at__isnull=True).update(read_at=timezone.now())
