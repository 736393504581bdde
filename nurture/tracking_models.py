"""Opens and clicks of the emails nurture sends (steps and emails from a record); see `nurture.tracking`.

One row per email, kind and human-or-bot: the first request creates it (`first_at`, the user agent, the first
clicked URL, why it is a bot), later ones only raise `count` and `last_at`. The unique constraints are what make
"recorded once per delivery per kind, with the first time" hold under concurrent requests. Bot rows (scanners,
prefetching proxies, HEAD requests, requests too soon after sending) are kept to show what happened, and are never
counted as engagement.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class TrackingHit(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", "Opened"
        CLICK = "click", "Clicked"

    delivery = models.ForeignKey(
        "nurture.Delivery", null=True, blank=True, on_delete=models.CASCADE, related_name="tracking_hits"
    )
    record_email = models.ForeignKey(
        "nurture.RecordEmail", null=True, blank=True, on_delete=models.CASCADE, related_name="tracking_hits"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    url = models.URLField(max_length=2000, blank=True, help_text="Clicks: the first link clicked.")
    is_bot = models.BooleanField(default=False)
    bot_reason = models.CharField(max_length=100, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-first_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivery__isnull=False, record_email__isnull=True)
                | Q(delivery__isnull=True, record_email__isnull=False),
                name="tracking_hit_of_one_email",
            ),
            models.UniqueConstraint(
                fields=["delivery", "kind", "is_bot"],
                condition=Q(delivery__isnull=False),
                name="tracking_hit_once_per_delivery_kind",
            ),
            models.UniqueConstraint(
                fields=["record_email", "kind", "is_bot"],
                condition=Q(record_email__isnull=False),
                name="tracking_hit_once_per_record_email_kind",
            ),
        ]

    def __str__(self) -> str:
        who = f"bot ({self.bot_reason})" if self.is_bot else "human"
        return f"{self.kind} x{self.count} by {who}"
