"""Opportunities (deals), their configurable stages, contact roles and stage history."""

from __future__ import annotations

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
