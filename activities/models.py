"""The timeline: activities people log, and system events services record."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

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

    class CallOutcome(models.TextChoices):
        CONNECTED = "connected", "Connected"
        VOICEMAIL = "voicemail", "Left voicemail"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NOTE)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Indexed by activity_owner_tasks, which leads with the owner.
    owner = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="activities", db_index=False
    )
    # A task's reminder: due when `remind_at` has passed; `reminder_sent_at` is its claim (set once, by one sender).
    remind_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    call_outcome = models.CharField(max_length=20, choices=CallOutcome.choices, blank=True)
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(24 * 3600, "A call lasts at most 24 hours.")]
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
            # The activity report: the reps' activities logged in the range, counted from the index alone.
            models.Index(
                fields=["owner", "created_at"], include=["kind", "call_outcome"], name="activity_owner_created"
            ),
            # Only the reminders still to send: the beat's claim reads this small index, not the timeline.
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False, reminder_sent_at__isnull=True, completed_at__isnull=True),
                name="activity_due_reminders",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    def get_absolute_url(self) -> str:
        """The page of the record it belongs to (lead, then opportunity, contact, account), at its timeline."""
        for name, app in (("lead", "leads"), ("opportunity", "opportunities"), ("contact", "contacts")):
            record_id = getattr(self, f"{name}_id")
            if record_id is not None:
                return reverse(f"{app}:detail", args=[record_id]) + "#timeline"
        return reverse("accounts:detail", args=[self.account_id]) + "#timeline"

    def clean(self) -> None:
        errors = {}
        if self.kind != self.Kind.CALL:
            if self.call_outcome:
                errors["call_outcome"] = "Only a call has an outcome."
            if self.duration_seconds is not None:
                errors["duration_seconds"] = "Only a call has a duration."
        if self.remind_at is not None and self.kind != self.Kind.TASK:
            errors["remind_at"] = "Only a task has a reminder."
        if errors:
            raise ValidationError(errors)

    @property
    def duration_display(self) -> str:
        """The call's length as m:ss (empty when not recorded)."""
        if self.duration_seconds is None:
            return ""
        minutes, seconds = divmod(self.duration_seconds, 60)
        return f"{minutes}:{seconds:02d}"


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


def attachment_path(instance, filename: str) -> str:
    """Store every upload under a random name: the person's file name never reaches the storage path."""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(TimelineEntry):
    """A file on a record; its name is sanitised, its type sniffed from its bytes, and it is only ever downloaded."""

    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False)
                | Q(contact__isnull=False)
                | Q(account__isnull=False)
                | Q(opportunity__isnull=False),
                name="attachment_belongs_to_a_record",
                violation_error_message="An attachment belongs to a lead, contact, account or opportunity.",
            ),
        ]
        indexes = [
            *record_time_indexes("attachment"),
            models.Index(fields=["uploaded_by"], condition=Q(uploaded_by__isnull=False), name="attachment_uploader"),
        ]

    def __str__(self) -> str:
        return self.original_name


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        """A notification is its recipient's alone (admins included)."""
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user in the header's bell (a task reminder, a missed speed-to-lead target …), optionally also
    sent by email."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Task reminder"
        SLA_BREACH = "sla_breach", "Speed-to-lead target missed"

    class EmailStatus(models.TextChoices):
        NONE = "", "Not emailed"
        PENDING = "pending", "To send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="notifications", db_index=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_time"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["activity"], condition=Q(activity__isnull=False), name="notification_activity"),
            models.Index(fields=["id"], condition=Q(email_status="pending"), name="notification_email_pending"),
        ]

    def __str__(self) -> str:
        return self.text


class WorkedLead(models.Model):
    """A lead `rep` worked in a period: a rollup `activities.work` keeps in the same transaction as the work.

    Work is an activity the rep logged on the lead or a status change they made (not the status a lead is created
    or imported with); the two counters say how many of each, and a row lives while either is above zero. The
    activity report counts these rows instead of deduplicating the timeline per request.
    """

    # The unique (rep, period, lead) index serves the report and the rep's foreign key; `lead` keeps its own
    # index for the cascade when a lead is deleted.
    rep = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="+", db_index=False)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    activities = models.IntegerField(default=0)
    status_changes = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"rep {self.rep_id} worked lead {self.lead_id}"


class WorkedLeadDay(WorkedLead):
    """Per day in the installation's zone (settings.TIME_ZONE)."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "day", "lead"], name="worked_lead_day_unique")]


class WorkedLeadWeek(WorkedLead):
    """Per week, Monday to Sunday in the installation's zone; `week` is its Monday."""

    week = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "week", "lead"], name="worked_lead_week_unique")]
