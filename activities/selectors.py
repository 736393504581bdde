"""Reads on the timeline: one record's activities, events and history merged, and a rep's open tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, Event

# How each kind of timeline entry is labelled: (label, glyph). Event kinds are written by the apps that record them
# (leads, nurture, opportunities); an unknown kind falls back to its name.
KIND_LABELS = {
    "note": ("Note", "✎"),
    "call": ("Call", "☎"),
    "email": ("Email", "✉"),
    "meeting": ("Meeting", "◷"),
    "task": ("Task", "☐"),
    "status": ("Status", "◆"),
    "stage": ("Stage", "▸"),
    "assigned": ("Assigned", "→"),
    "assignment_failed": ("Not assigned", "⚠"),
    "mql": ("MQL", "★"),
    "converted": ("Converted", "✓"),
    "conversion_notified": ("Owner notified", "✉"),
    "field_changed": ("Edited", "✎"),
    "form_submitted": ("Web form", "⎘"),
    "nurture_enrolled": ("Nurture", "↻"),
    "nurture_email": ("Nurture email", "✉"),
    "nurture_opened": ("Email opened", "◉"),
    "nurture_clicked": ("Link clicked", "↗"),
    "nurture_stopped": ("Nurture stopped", "■"),
    "reply": ("Replied", "↩"),
    "unsubscribed": ("Unsubscribed", "⊘"),
    "email_bounced": ("Email bounced", "⚠"),
    "attached": ("Attachment", "⎙"),
    "attachment_removed": ("Attachment removed", "⎙"),
}


@dataclass
class TimelineItem:
    at: datetime
    type: str  # activity | event | status | stage
    kind: str
    title: str
    body: str = ""
    who: Any = None
    activity: Activity | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, (self.kind.replace("_", " ").capitalize(), ""))[0]

    @property
    def glyph(self) -> str:
        return KIND_LABELS.get(self.kind, ("", "•"))[1]


def get_timeline(user, *, lead=None, account=None, contact=None, opportunity=None, limit: int = 50) -> list:
    """Return the newest `limit` timeline items of one record visible to `user`, in a fixed number of queries."""
    records = {
        name: value
        for name, value in (("lead", lead), ("account", account), ("contact", contact), ("opportunity", opportunity))
        if value is not None
    }
    if len(records) != 1:
        raise ValueError("get_timeline takes exactly one record.")
    items: list[TimelineItem] = []
    activities = Activity.objects.visible_to(user).filter(**records).select_related("owner")[:limit]
    for activity in activities:
        items.append(
            TimelineItem(
                at=activity.created_at,
                type="activity",
                kind=activity.kind,
                title=activity.subject,
                body=activity.body,
                who=activity.owner,
                activity=activity,
            )
        )
    for event in Event.objects.visible_to(user).filter(**records).select_related("actor")[:limit]:
        items.append(
            TimelineItem(at=event.created_at, type="event", kind=event.kind, title=event.summary, who=event.actor)
        )
    if lead is not None:
        # Leads and opportunities are apps above activities: their history is read through reverse relations.
        changes = (
            lead.status_changes.visible_to(user).select_related("changed_by").order_by("-changed_at", "-id")[:limit]
        )
        for change in changes:
            title = (
                f"Status set to {change.get_to_status_display()}"
                if not change.from_status
                else f"Status changed from {change.get_from_status_display()} to {change.get_to_status_display()}"
            )
            items.append(
                TimelineItem(
                    at=change.changed_at,
                    type="status",
                    kind="status",
                    title=title,
                    body=change.reason,
                    who=change.changed_by,
                )
            )
    if opportunity is not None:
        changes = (
            opportunity.stage_changes.visible_to(user)
            .select_related("from_stage", "to_stage", "changed_by")
            .order_by("-changed_at", "-id")[:limit]
        )
        for change in changes:
            title = (
                f"Created in {change.to_stage}"
                if change.from_stage is None
                else f"Stage moved from {change.from_stage} to {change.to_stage}"
            )
            items.append(
                TimelineItem(at=change.changed_at, type="stage", kind="stage", title=title, who=change.changed_by)
            )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def list_open_tasks(user, *, days_ahead: int = 0):
    """Return `user`'s open tasks due by the end of today (plus `days_ahead`), overdue first."""
    end = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days_ahead + 1), time.min))
    return (
        Activity.objects.visible_to(user)
        .filter(owner=user, kind=Activity.Kind.TASK, completed_at__isnull=True, due_at__lt=end)
        .select_related("lead", "contact", "account", "opportunity")
        .order_by("due_at", "id")
    )


RECORDS = ("lead", "contact", "account", "opportunity")
TASK_TABS = {"today": "Today", "overdue": "Overdue", "upcoming": "Upcoming", "done": "Done"}
UPCOMING_DAYS = 14
# The Done tab shows the most recently completed tasks, not the whole history.
DONE_SHOWN = 100


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _task_windows(now: datetime | None) -> dict[str, Q]:
    """Each open tab's condition on `due_at`, by the local calendar day of `now`."""
    today = timezone.localdate(now)
    start, tomorrow = _day_start(today), _day_start(today + timedelta(days=1))
    horizon = _day_start(today + timedelta(days=UPCOMING_DAYS + 1))
    return {
        "today": Q(due_at__gte=start, due_at__lt=tomorrow),
        "overdue": Q(due_at__lt=start),
        "upcoming": Q(due_at__gte=tomorrow, due_at__lt=horizon),
    }


def _my_tasks(user):
    return Activity.objects.visible_to(user).filter(owner=user, kind=Activity.Kind.TASK)


def list_tasks(user, *, tab: str, now: datetime | None = None):
    """Return `user`'s tasks of one tab (today, overdue, upcoming: open, soonest first; done: latest first)."""
    tasks = _my_tasks(user).select_related(*RECORDS)
    if tab == "done":
        return tasks.filter(completed_at__isnull=False).order_by("-completed_at", "-id")[:DONE_SHOWN]
    return tasks.filter(_task_windows(now)[tab], completed_at__isnull=True).order_by("due_at", "id")


def count_open_tasks(user, *, now: datetime | None = None) -> dict[str, int]:
    """Count `user`'s open tasks in each open tab, in one query."""
    counts = {name: Count("id", filter=window) for name, window in _task_windows(now).items()}
    return _my_tasks(user).filter(completed_at__isnull=True).aggregate(**counts)


@dataclass
class CalendarDay:
    day: date
    is_today: bool
    items: list[Activity] = field(default_factory=list)


def get_week(user, *, day: date, now: datetime | None = None) -> list[CalendarDay]:
    """Return the seven days (Monday first) of the week holding `day`, each with `user`'s tasks (by due time) and
    meetings (by when they take place, else when they were logged), in one query."""
    monday = day - timedelta(days=day.weekday())
    today = timezone.localdate(now)
    days = [CalendarDay(monday + timedelta(days=i), monday + timedelta(days=i) == today) for i in range(7)]
    items = (
        Activity.objects.visible_to(user)
        .filter(owner=user, kind__in=[Activity.Kind.TASK, Activity.Kind.MEETING])
        .annotate(at=Coalesce("due_at", "created_at"))
        .filter(at__gte=_day_start(monday), at__lt=_day_start(monday + timedelta(days=7)))
        .select_related(*RECORDS)
        .order_by("at", "id")
    )
    for item in items[:700]:
        days[(timezone.localdate(item.at) - monday).days].items.append(item)
    return days
