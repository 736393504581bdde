"""Reads on the timeline: one record's activities, events and history merged, and a rep's open tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

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
