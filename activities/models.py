"""The timeline: activities people log, and system events services record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from crm.common.models import owner_visibility


class TimelineQuerySet(models.QuerySet):
    def visible_to(self, user) -> TimelineQuerySet:
        """Visible when the record it belongs to is visible."""
        if owner_visibility(user) is None:
            return self
        condition = Q(pk__in=[])
        for field in ("lead", "contact", "account", "opportunity"):
            condition |= Q(**{f"{field}__isnull": False}) & owner_visibility(user, field=f"{field}__owner")
        return self.filter(condition)


class TimelineEntry(models.Model):
    """What both activities and events share: the record(s) they belong to."""

    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(
        "opportunities.Opportunity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

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
    owner = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="activities")
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
            models.Index(fields=["lead", "-created_at"], name="activity_lead_time"),
            models.Index(fields=["contact", "-created_at"], name="activity_contact_time"),
            models.Index(fields=["account", "-created_at"], name="activity_account_time"),
            models.Index(fields=["opportunity", "-created_at"], name="activity_opportunity_time"),
            models.Index(fields=["owner", "kind", "completed_at", "due_at"], name="activity_owner_tasks"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class Event(TimelineEntry):
    """A system event on a record's timeline: assignment, score milestone, nurture email, conversion, audit."""

    kind = models.CharField(max_length=40, db_index=True)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["lead", "-created_at"], name="event_lead_time"),
            models.Index(fields=["contact", "-created_at"], name="event_contact_time"),
            models.Index(fields=["account", "-created_at"], name="event_account_time"),
            models.Index(fields=["opportunity", "-created_at"], name="event_opportunity_time"),
        ]

    def __str__(self) -> str:
        return self.summary
