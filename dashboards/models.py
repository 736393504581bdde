"""What the dashboards store: one weekly digest delivery per manager and week (the claim that makes it once)."""

from __future__ import annotations

from django.db import models

from core.models import VisibleByOwnerQuerySet


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


class RollupRow(models.Model):
    """A rollup's key: a day in the installation's zone, an owner (null: unassigned) and a lead source.

    No database constraint on the owner: the rows are the database's own bookkeeping, kept by triggers, and a user
    is never deleted while they own leads. PostgreSQL only (the embedded SQLite default counts its small data
    directly). See `dashboards.funnel_rollup`.
    """

    day = models.DateField()
    owner = models.ForeignKey(
        "users.User", null=True, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    source = models.CharField(max_length=20)

    objects = VisibleByOwnerQuerySet.as_manager()

    class Meta:
        abstract = True
        required_db_features = {"supports_nulls_distinct_unique_constraints"}


class FunnelCounts(RollupRow):
    """The funnel's counters for one (created day, owner, source): what the dashboard's cohort sums.

    The velocity sums are in seconds over the leads that reached both ends of the step.
    """

    leads = models.BigIntegerField(default=0)
    mqls = models.BigIntegerField(default=0)
    sqls = models.BigIntegerField(default=0)
    converted = models.BigIntegerField(default=0)
    lead_to_mql_n = models.BigIntegerField(default=0)
    lead_to_mql_seconds = models.FloatField(default=0)
    mql_to_sql_n = models.BigIntegerField(default=0)
    mql_to_sql_seconds = models.FloatField(default=0)
    sql_to_converted_n = models.BigIntegerField(default=0)
    sql_to_converted_seconds = models.FloatField(default=0)
    lead_to_converted_n = models.BigIntegerField(default=0)
    lead_to_converted_seconds = models.FloatField(default=0)

    class Meta(RollupRow.Meta):
        abstract = True


class FunnelDay(FunnelCounts):
    """The folded rollup: one row per (day, owner, source), see `dashboards.funnel_rollup`."""

    class Meta(FunnelCounts.Meta):
        constraints = [
            models.UniqueConstraint(fields=["day", "owner", "source"], name="funnel_day_key", nulls_distinct=False)
        ]

    def __str__(self) -> str:
        return f"{self.day} owner {self.owner_id} {self.source}: {self.leads} leads"


class FunnelDelta(FunnelCounts):
    """A change not folded into `FunnelDay` yet, appended by the database's triggers on the lead table."""

    class Meta(FunnelCounts.Meta):
        indexes = [models.Index(fields=["day"], name="funnel_delta_day")]

    def __str__(self) -> str:
        return f"{self.day} owner {self.owner_id} {self.source}: {self.leads:+} leads"


class UnattendedDay(RollupRow):
    """Open leads per (day they went idle, owner, source): idle since the last activity, else since creation."""

    leads = models.BigIntegerField(default=0)

    class Meta(RollupRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["day", "owner", "source"], name="unattended_day_key", nulls_distinct=False)
        ]

    def __str__(self) -> str:
        return f"{self.day} owner {self.owner_id} {self.source}: {self.leads} idle open leads"


class UnattendedDelta(RollupRow):
    """A change to `UnattendedDay` not folded yet, appended by the database's triggers on the lead table."""

    leads = models.BigIntegerField(default=0)

    class Meta(RollupRow.Meta):
        indexes = [models.Index(fields=["day"], name="unattended_delta_day")]

    def __str__(self) -> str:
        return f"{self.day} owner {self.owner_id} {self.source}: {self.leads:+} idle open leads"
