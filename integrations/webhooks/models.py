"""Webhook endpoints, the outbox of messages written with the change, and one delivery per endpoint and message."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class EndpointQuerySet(models.QuerySet):
    def visible_to(self, user) -> EndpointQuerySet:
        """Endpoints are installation settings: every admin sees all of them, nobody else any."""
        if user and user.is_authenticated and user.is_active and user.is_admin:
            return self
        return self.none()

    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True)


class Endpoint(models.Model):
    """A receiver URL, the event types it wants and the secret its messages are signed with."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives, e.g. lead.created.")
    secret = models.CharField(max_length=100)
    # During a rotation the old secret still signs (alongside the new one) until `previous_secret_expires_at`.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    # The first failure since the last success; 24 hours of failures disable the endpoint.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["url", "id"]
        indexes = [models.Index(fields=["is_active"], name="webhooks_endpoint_active")]

    def __str__(self) -> str:
        return self.url


class Message(models.Model):
    """One event about one record, written in the transaction of the change; its `webhook_id` never changes."""

    webhook_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=50)
    # "lead:12": messages about the same record are delivered to each endpoint in the order they were written.
    record_key = models.CharField(max_length=60)
    # The exact JSON body sent on every attempt (so retries and replays send the same bytes).
    body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.webhook_id} {self.event_type}"


class Delivery(models.Model):
    """The delivery of one message to one endpoint, with its latest attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        # The last attempt failed; the next one is at `next_attempt_at`.
        FAILED = "failed", "Failed, retrying"
        SUCCEEDED = "succeeded", "Delivered"
        # Given up: the retry schedule ran out or the endpoint was disabled.
        DEAD = "dead", "Given up"

    OPEN = (Status.PENDING, Status.FAILED)

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the message, so the dispatcher's "an earlier message for this record is still open" test reads
    # one table.
    record_key = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "message"], name="webhooks_one_delivery_per_message")
        ]
        indexes = [
            # The dispatcher: open deliveries that are due.
            models.Index(
                fields=["next_attempt_at"], name="webhooks_delivery_due", condition=Q(status__in=["pending", "failed"])
            ),
            # Its ordering gate: an earlier open message for the same record and endpoint.
            models.Index(
                fields=["endpoint", "record_key", "message"],
                name="webhooks_delivery_record",
                condition=Q(status__in=["pending", "failed"]),
            ),
            # The delivery log of an endpoint, newest first.
            models.Index(fields=["endpoint", "-id"], name="webhooks_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.endpoint_id}: {self.status}"
