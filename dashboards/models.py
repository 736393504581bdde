"""What the dashboards store: one weekly digest delivery per manager and week (the claim that makes it once)."""

from __future__ import annotations

from django.db import models


class DigestDelivery(models.Model):
    """A manager's weekly digest for one week: claimed (pending), being sent, then sent or failed.

    The row is the claim: its (user, week) is unique, so of two senders only one creates it; "pending" →
    "sending" is a conditional UPDATE, so only one sender hands it to the mail backend. A sender that dies after
    creating it leaves it "pending" and the next run sends it; one that dies while "sending" never sends it again
    (the mail may have left): at most once, never twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday (in the manager's time zone) the digest is sent on.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week", "user_id", "id"]
        verbose_name_plural = "digest deliveries"
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_user_week")]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(status="pending"), name="digest_pending"),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.user_id}, week of {self.week}: {self.status}"
