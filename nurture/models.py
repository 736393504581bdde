"""Drip nurture: sequences of timed email steps, enrollments of leads, one delivery per enrollment step."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel, VisibleByOwnerQuerySet, owner_visibility
from leads.models import LeadSource


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Berlin).") from None


def validate_send_days(value: str) -> None:
    if not value or any(ch not in "0123456" for ch in value) or len(set(value)) != len(value):
        raise ValidationError("List weekdays as digits 0 (Monday) to 6 (Sunday), each once, e.g. 01234.")


class SequenceQuerySet(models.QuerySet):
    def active(self) -> SequenceQuerySet:
        return self.filter(active=True)

    def visible_to(self, user) -> SequenceQuerySet:
        """Sequences are configuration: everyone signed in may pick one; managers and admins edit them."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class Sequence(TimeStampedModel):
    class Trigger(models.TextChoices):
        STATUS_NURTURING = "status_nurturing", "Status becomes nurturing"
        SCORE_BAND = "score_band", "Score within a band"
        SOURCE = "source", "Lead source"
        MANUAL = "manual", "Manual only"

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Off: nothing is sent and nobody is enrolled.")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    trigger_score_min = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="Score band: lowest score (inclusive)."
    )
    trigger_score_max = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="Score band: highest score (inclusive)."
    )
    trigger_source = models.CharField(max_length=20, choices=LeadSource.choices, blank=True)
    exit_on_status_change = models.BooleanField(
        default=True, help_text="Stop when the lead becomes qualified or unqualified."
    )
    exit_on_reply = models.BooleanField(
        default=True, help_text="Stop when an email or a meeting is logged on the lead."
    )
    exit_on_mql = models.BooleanField(default=False, help_text="Stop when the lead becomes an MQL.")
    exit_on_click = models.BooleanField(default=False, help_text="Stop when the lead clicks a link in a step.")
    send_days = models.CharField(
        max_length=7, default="01234", validators=[validate_send_days], help_text="Weekdays, 0 = Monday … 6 = Sunday."
    )
    send_start_hour = models.PositiveSmallIntegerField(default=9, validators=[MaxValueValidator(23)])
    send_end_hour = models.PositiveSmallIntegerField(
        default=17, validators=[MinValueValidator(1), MaxValueValidator(24)], help_text="Exclusive; 24 = midnight."
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    daily_cap = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Most emails per day; empty = no cap."
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sequences",
        help_text="A lead sent a step of this sequence becomes a member of this campaign (status sent).",
    )

    objects = SequenceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(send_start_hour__lt=models.F("send_end_hour")),
                name="sequence_window_starts_before_it_ends",
                violation_error_message="The sending window must start before it ends.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.trigger == self.Trigger.SCORE_BAND:
            if self.trigger_score_min is None and self.trigger_score_max is None:
                raise ValidationError({"trigger_score_min": "A score band needs a lowest or a highest score."})
            if (
                self.trigger_score_min is not None
                and self.trigger_score_max is not None
                and self.trigger_score_min > self.trigger_score_max
            ):
                raise ValidationError({"trigger_score_max": "The highest score must not be below the lowest."})
        if self.trigger == self.Trigger.SOURCE and not self.trigger_source:
            raise ValidationError({"trigger_source": "Choose the source that enrolls leads."})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def weekdays(self) -> frozenset[int]:
        return frozenset(int(ch) for ch in self.send_days)


class Step(models.Model):
    sequence = models.ForeignKey("nurture.Sequence", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    delay_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(365)])
    delay_hours = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(23)])
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text="Optional simple HTML; merge fields are HTML-escaped.")

    class Meta:
        ordering = ["sequence_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "order"], name="step_one_per_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.subject}"

    def clean(self) -> None:
        from nurture.rendering import unknown_merge_fields

        errors = {}
        for field in ("subject", "body_text", "body_html"):
            unknown = unknown_merge_fields(getattr(self, field) or "")
            if unknown:
                errors[field] = f"Unknown merge field(s): {', '.join(sorted(unknown))}."
        if errors:
            raise ValidationError(errors)


class EnrollmentQuerySet(VisibleByOwnerQuerySet):
    """Enrollments are visible when their lead is visible."""

    visibility_field = "lead__owner"

    def open(self) -> EnrollmentQuerySet:
        return self.filter(status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED])


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    class StopReason(models.TextChoices):
        CONVERTED = "converted", "Converted"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact"
        QUALIFIED = "qualified", "Qualified"
        UNQUALIFIED = "unqualified", "Unqualified"
        REPLIED = "replied", "Replied or met"
        MQL = "mql", "Became an MQL"
        NO_EMAIL = "no_email", "No email address"
        BOUNCED = "bounced", "Email bounced"
        CLICKED = "clicked", "Clicked a link"
        MANUAL = "manual", "Stopped by hand"

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="nurture_enrollments")
    sequence = models.ForeignKey("nurture.Sequence", on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    current_step = models.ForeignKey(
        "nurture.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="The next to send."
    )
    next_send_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=20, choices=StopReason.choices, blank=True)
    enrolled_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "sequence"],
                condition=Q(status__in=["active", "paused"]),
                name="enrollment_one_open_per_lead_sequence",
                violation_error_message="This lead is already enrolled in this sequence.",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(next_send_at__isnull=False),
                name="enrollment_active_has_next_send_at",
            ),
        ]
        indexes = [
            models.Index(fields=["next_send_at", "id"], condition=Q(status="active"), name="enrollment_due"),
            models.Index(fields=["lead", "status"], name="enrollment_lead_status"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} in {self.sequence_id} ({self.status})"


class Delivery(models.Model):
    """One email of one step to one enrollment; the unique pair is what makes a step go out at most once."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown (sender stopped mid-send; never retried)"

    enrollment = models.ForeignKey("nurture.Enrollment", on_delete=models.CASCADE, related_name="deliveries")
    step = models.ForeignKey("nurture.Step", on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # Opens and clicks (nurture.tracking): random, set when the delivery is claimed; empty before tracking existed.
    tracking_token = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="delivery_one_per_enrollment_step"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="delivery_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.step} → enrollment {self.enrollment_id} ({self.status})"


class EmailTemplateQuerySet(models.QuerySet):
    def active(self) -> EmailTemplateQuerySet:
        return self.filter(active=True)

    def visible_to(self, user) -> EmailTemplateQuerySet:
        """Templates are configuration: everyone signed in may pick one; admins edit them."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        return self


class EmailTemplate(TimeStampedModel):
    """A reusable email a rep picks when writing from a lead's or contact's page; merge fields as in steps."""

    name = models.CharField(max_length=150, unique=True)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    active = models.BooleanField(default=True, help_text="Off: no longer offered when composing.")

    objects = EmailTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from nurture.rendering import unknown_merge_fields

        errors = {}
        for field in ("subject", "body_text"):
            unknown = unknown_merge_fields(getattr(self, field) or "")
            if unknown:
                errors[field] = f"Unknown merge field(s): {', '.join(sorted(unknown))}."
        if errors:
            raise ValidationError(errors)


class RecordEmailQuerySet(models.QuerySet):
    def visible_to(self, user) -> RecordEmailQuerySet:
        """Visible when the lead or contact it was sent to is visible."""
        lead = owner_visibility(user, field="lead__owner")
        if lead is None:
            return self
        contact = owner_visibility(user, field="contact__owner")
        return self.filter((Q(lead__isnull=False) & lead) | (Q(contact__isnull=False) & contact))


class RecordEmail(models.Model):
    """One email a person wrote on a lead's or contact's page. The row is written before the send is enqueued and
    claimed (queued → sending) by a conditional update, so it goes out at most once however often the task runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled (no longer allowed to email)"
        UNKNOWN = "unknown", "Unknown (sender stopped mid-send; never retried)"

    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(
        "nurture.EmailTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    reply_token = models.CharField(max_length=32, unique=True)
    tracking_token = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    message_id = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = RecordEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False, contact__isnull=True) | Q(lead__isnull=True, contact__isnull=False),
                name="record_email_to_a_lead_or_a_contact",
                violation_error_message="An email is written to one lead or one contact.",
            ),
        ]
        indexes = [
            models.Index(fields=["to_email", "-created_at"], name="record_email_to_time"),
            models.Index(fields=["status", "created_at"], name="record_email_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.status})"


class InboundEmail(models.Model):
    """A reply the mail provider posted, matched to a lead or contact; its unique Message-ID makes a repeat a no-op."""

    class MatchedBy(models.TextChoices):
        TOKEN = "token", "Reply token"
        ADDRESS = "address", "Sender address"

    message_id = models.CharField(max_length=255, unique=True)
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    record_email = models.ForeignKey(
        "nurture.RecordEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    matched_by = models.CharField(max_length=10, choices=MatchedBy.choices)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_email}: {self.subject}"


from nurture.tracking_models import TrackingHit  # noqa: E402, F401 - the tracking model lives in its own module
