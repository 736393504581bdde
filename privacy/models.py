"""The audit tombstone of each erasure: who, when and how much — never whom."""

from __future__ import annotations

from django.db import models


class Erasure(models.Model):
    """One privacy erasure: the admin who asked, when, and the counts per kind of data (no address, no name)."""

    erased_by = models.ForeignKey("users.User", null=True, on_delete=models.SET_NULL, related_name="+")
    erased_at = models.DateTimeField(auto_now_add=True, db_index=True)
    counts = models.JSONField(default=dict, help_text="Records deleted or anonymised, per kind.")
    found = models.BooleanField(
        help_text="False: nothing was held; the address was only added to the suppression list."
    )

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"erasure {self.pk} at {self.erased_at:%Y-%m-%d %H:%M}"
