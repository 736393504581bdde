"""The timeline: activities people log, and system events services record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.models import owner_visibility


class TimelineQuerySet(models.QuerySet):
    def visible_to(self, user) -> TimelineQuerySet:
        """Visible when the record it belongs to is visible."""
        if owner_visibility(user) is None:
            return self
        condition = Q(pk__in=[])
        for field in ("lead", "contact", "account", "opportunity"):
            condition |= Q(**{f"{field}__isnull": False}) & owner_visibility(user, field=f"{field}__owner")
        return self.filter(condition)


def record_time_indexes(prefix: str) -> list[models.Index]:
    """One `(record, -created_at)` index per record a timeline entry may belong to, holding only entries of it.

    They serve the timelines and the foreign-key lookups (cascades), so the foreign keys carry no index of their
    own; being partial, an entry updates only the index of the record it belongs to (one, usually), not four.
    """
    return [
        models.Index(
            fields=[name, "-created_at"], condition=Q(**{f"{name}__isnull": False}), name=f"{prefix}_{name}_time"
        )
        for name in ("lead", "contact", "account", "opportunity")
    ]


def _record(model: str) -> models.ForeignKey:
    return models.ForeignKey(model, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False)


class TimelineEntry(models.Model):
    """What both activities and events share: the record(s) they belong to (indexed by `record_time_indexes`)."""

    lead = _record("leads.Lead")
    contact = _record("contacts.Contact")
    account = _record("accounts.Account")
    opportunity = _record("opportunities.Opportunity")

    objects = TimelineQuerySet.as_manager()

    class Meta:
        abstract = True


class Activity(TimelineEntry):
    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        TASK = "task", "Task"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Indexed by activity_owner_tasks, which leads with the owner.
    owner = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="activities", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False)
                | Q(contact__isnull=False)
                | Q(account__isnull=False)
                | Q(opportunity__isnull=False),
                name="activity_belongs_to_a_record",
                violation_error_message="An activity belongs to a lead, contact, account or opportunity.",
            ),
        ]
        indexes = [
            *record_time_indexes("activity"),
            models.Index(fields=["owner", "kind", "completed_at", "due_at"], name="activity_owner_tasks"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class Event(TimelineEntry):
    """A system event on a record's timeline: assignment, score milestone, nurture email, conversion, audit."""

    # Every lookup by kind also names the record, so kind rides on the record's index instead of one of its own.
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    # Most events are the system's (no actor): index only those a person caused, for SET_NULL when a user goes.
    actor = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            *record_time_indexes("event"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="event_actor"),
        ]

    def __str__(self) -> str:
        return self.summary
