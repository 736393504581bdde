"""Opportunities (deals), their configurable stages, contact roles, stage and close-date history, quotas and
forecast snapshots.

Forecast categories follow Salesforce: pipeline, best case, commit, closed (won) and omitted (lost, or left out of
the forecast by the owner). Each stage names its default category; a deal takes it on every stage move unless its
owner overrode it (with a note) while the deal was open. Closing a deal always sets the stage's category.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.models import OwnedModel, VisibleByOwnerQuerySet


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED = "closed", "Closed"
    OMITTED = "omitted", "Omitted"


class StageQuerySet(models.QuerySet):
    def visible_to(self, user) -> StageQuerySet:
        return self if user and user.is_authenticated else self.none()

    def open(self) -> StageQuerySet:
        return self.filter(is_closed=False)


class Stage(models.Model):
    name = models.CharField(max_length=64, unique=True)
    order = models.PositiveSmallIntegerField(unique=True)
    probability = models.PositiveSmallIntegerField(default=0)
    is_closed = models.BooleanField(default=False)
    is_won = models.BooleanField(default=False)
    forecast_category = models.CharField(
        max_length=20, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_0_100"),
            models.CheckConstraint(condition=Q(is_won=False) | Q(is_closed=True), name="stage_won_is_closed"),
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(OwnedModel):
    name = models.CharField(max_length=255)
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="opportunities")
    contacts = models.ManyToManyField(
        "contacts.Contact", through="opportunities.OpportunityContactRole", related_name="opportunities", blank=True
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    stage = models.ForeignKey("opportunities.Stage", on_delete=models.PROTECT, related_name="opportunities")
    probability = models.PositiveSmallIntegerField(default=0)
    forecast_category = models.CharField(
        max_length=20, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    forecast_note = models.CharField(
        max_length=500, blank=True, default="", help_text="Why the owner's forecast category differs from the stage's."
    )
    forecast_overridden = models.BooleanField(
        default=False, help_text="Set by hand: a move to another open stage keeps the category."
    )
    lead_source = models.CharField(max_length=20, blank=True)
    next_step = models.CharField(max_length=255, blank=True)
    lost_reason = models.CharField(max_length=255, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    sourced_by = models.ForeignKey(
        "users.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sourced_opportunities",
        help_text="The SDR whose lead became this deal; keeps the credit after the hand-off to an AE.",
    )
    # The record's id in another system (the Salesforce-compatible API's External_Id__c): upserts match on it.
    external_id = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="opportunity_amount_gte_0"
            ),
            models.CheckConstraint(condition=Q(probability__lte=100), name="opportunity_probability_0_100"),
        ]
        indexes = [
            # Only the few records an integration keyed carry an external id: the others write no entry.
            models.Index(fields=["external_id"], condition=~models.Q(external_id=""), name="opportunity_external_id"),
            models.Index(fields=["owner", "-created_at", "-id"], name="opportunity_owner_created"),
            models.Index(fields=["stage", "close_date"], name="opportunity_stage_close"),
            # The dashboard's pipeline and won/lost aggregates read only these columns (index-only scans).
            models.Index(
                fields=["owner", "stage", "close_date", "amount", "probability", "lead_source", "id"],
                name="opportunity_dashboard_pipeline",
            ),
            models.Index(
                fields=["closed_at", "owner", "stage", "amount", "lead_source", "lost_reason", "id"],
                condition=Q(closed_at__isnull=False),
                name="opportunity_dashboard_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.forecast_overridden and not self.forecast_note.strip():
            raise ValidationError(
                {"forecast_note": "Say why this deal's forecast category differs from its stage's (a short note)."}
            )

    @property
    def is_closed(self) -> bool:
        return self.stage.is_closed

    @property
    def is_won(self) -> bool:
        return self.stage.is_won


class OpportunityContactRoleQuerySet(VisibleByOwnerQuerySet):
    visibility_field = "opportunity__owner"


class OpportunityContactRole(models.Model):
    opportunity = models.ForeignKey("opportunities.Opportunity", on_delete=models.CASCADE, related_name="contact_roles")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="opportunity_roles")
    role = models.CharField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)

    objects = OpportunityContactRoleQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity_id", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "contact"], name="opportunity_contact_unique"),
            models.UniqueConstraint(
                fields=["opportunity"], condition=Q(is_primary=True), name="opportunity_one_primary_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} on {self.opportunity}"


class StageChangeQuerySet(VisibleByOwnerQuerySet):
    visibility_field = "opportunity__owner"


class OpportunityStageChange(models.Model):
    """One move of an opportunity between stages: feeds history and velocity reports."""

    opportunity = models.ForeignKey("opportunities.Opportunity", on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        "opportunities.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey("opportunities.Stage", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    changed_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(db_index=True)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity_id", "changed_at", "id"]
        indexes = [models.Index(fields=["opportunity", "changed_at"], name="stage_change_opp_time")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


class CloseDateChangeQuerySet(VisibleByOwnerQuerySet):
    visibility_field = "opportunity__owner"


class OpportunityCloseDateChange(models.Model):
    """One change of a deal's expected close date: the slipped-deals list reads it."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.CASCADE, related_name="close_date_changes"
    )
    from_date = models.DateField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField()

    objects = CloseDateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["opportunity_id", "changed_at", "id"]
        indexes = [models.Index(fields=["from_date", "to_date"], name="close_change_dates")]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_date} → {self.to_date}"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class UserOwnedQuerySet(VisibleByOwnerQuerySet):
    """Rows of one user (a quota, a snapshot): visible by the owner rule applied to that user."""

    visibility_field = "user"
    include_unassigned = False


class Quota(models.Model):
    """A rep's target of closed-won amount for one month or quarter."""

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="quotas")
    period = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(help_text="The first day of the month or quarter.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period", "user_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period", "period_start"], name="quota_one_per_user_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.period_start}: {self.amount}"


class ForecastSnapshot(models.Model):
    """A rep's forecast figures for one period as they stood in one week; kept for week-over-week change."""

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="forecast_snapshots")
    period = models.CharField(max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField()
    week = models.DateField(help_text="The Monday of the week the snapshot belongs to.")
    taken_at = models.DateTimeField()
    quota = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    closed_won = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    commit = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    best_case = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    pipeline = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    weighted = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    objects = UserOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-week", "user_id", "period", "period_start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "user", "period", "period_start"], name="forecast_snapshot_one_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.period_start} @ {self.week}"
