"""Scoring configuration: fit rules, engagement weights, and the runs that rescore every lead."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from scoring.rules import ENGAGEMENT_KINDS, validate_rule


class FitRule(TimeStampedModel):
    """A rule on a lead's fields: leads whose `field` matches `operator`/`value` earn `points` (negative allowed).

    Which fields and operators a rule may use, and how `value` is read, is defined in `scoring.rules`; scoring
    rules and grade rules share it.
    """

    class Operator(models.TextChoices):
        EQUALS = "equals", "equals"
        NOT_EQUALS = "not_equals", "does not equal"
        IN = "in", "is one of (comma-separated)"
        CONTAINS = "contains", "contains (any of, comma-separated)"
        STARTS_WITH = "starts_with", "starts with (any of, comma-separated)"
        GTE = "gte", "≥"
        LTE = "lte", "≤"
        IS_SET = "is_set", "is set"
        IS_BLANK = "is_blank", "is blank"
        FREE_MAIL = "free_mail", "email is free-mail"

    name = models.CharField(max_length=120)
    field = models.CharField(max_length=40, help_text="The lead field the rule looks at.")
    operator = models.CharField(max_length=20, choices=Operator.choices)
    value = models.CharField(max_length=500, blank=True, help_text="Lists are comma-separated; numbers for ≥ and ≤.")
    points = models.SmallIntegerField(
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text="Added to the score when the rule matches; negative for a penalty.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"

    def clean(self) -> None:
        validate_rule(self.field, self.operator, self.value)


class ScoringRule(FitRule):
    """A fit rule of the score: how interesting a lead looks."""

    class Meta:
        db_table = "leads_scoringrule"  # created by the leads app, which held this model before
        ordering = ["-points", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=-100, points__lte=100), name="scoring_rule_points_range"),
        ]


class GradeRule(FitRule):
    """A profile rule of the grade: how well a lead fits the ideal customer profile (see `scoring.grades`)."""

    points = models.SmallIntegerField(
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text="Profile points when the rule matches; negative for a poor fit. The grade follows the sum.",
    )

    class Meta:
        ordering = ["-points", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=-100, points__lte=100), name="grade_rule_points_range"),
        ]


class EngagementWeight(TimeStampedModel):
    """Points one engagement of `kind` is worth when it just happened; they halve every half-life."""

    kind = models.CharField(max_length=40, unique=True)
    points = models.SmallIntegerField(default=0, validators=[MinValueValidator(-100), MaxValueValidator(100)])
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "leads_engagementweight"  # created by the leads app, which held this model before
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-100, points__lte=100), name="engagement_weight_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.points:+d})"

    def clean(self) -> None:
        if self.kind not in ENGAGEMENT_KINDS:
            raise ValidationError({"kind": [f"Choose one of {', '.join(ENGAGEMENT_KINDS)}."]})


class ScoringRun(models.Model):
    """One set-based rescore of all leads, walked in id-range chunks (`last_id` lets a crashed run resume), or of the
    leads changed since an earlier run (`changes_since`)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SUPERSEDED = "superseded", "Superseded by a rule change"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING, db_index=True)
    reason = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(help_text="Decay is computed as of this moment for the whole run.")
    finished_at = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0, help_text="Leads with an id up to this one are done.")
    max_id = models.BigIntegerField(default=0)
    leads_changed = models.PositiveIntegerField(default=0)
    leads_reached_mql = models.PositiveIntegerField(default=0)
    # See scoring.rescoring: every change stamped before `changes_from` had committed when this run began reading.
    changes_from = models.DateTimeField(null=True, blank=True, help_text="Changes before this moment were seen.")
    changes_since = models.DateTimeField(
        null=True, blank=True, help_text="Empty: every lead. Set: only leads changed since this moment."
    )

    class Meta:
        db_table = "leads_scoringrun"  # created by the leads app, which held this model before
        ordering = ["-started_at", "-id"]
        constraints = [
            # Two workers starting a rescore at once share one run instead of doing the work twice.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="scoring_one_running_run"),
        ]

    def __str__(self) -> str:
        return f"Scoring run {self.pk} ({self.status}, {self.last_id}/{self.max_id})"


class ConversionModelQuerySet(models.QuerySet):
    def active(self) -> ConversionModelQuerySet:
        return self.filter(is_active=True)


class ConversionModel(models.Model):
    """One trained version of the predictive conversion model (`scoring.predictive`): its quality and parameters.

    `parameters` is plain JSON — the feature encoding, scaler, coefficients and intercept a prediction needs —
    never a pickled object: nothing executable is stored in the database. The newest version is the one active.
    Quality (`auc`, `rule_score_auc`, `lift_top_10`, `calibration`) was measured on a time-based holdout: the
    newest closed leads, predicted by a model fitted on the older ones only.
    """

    version = models.PositiveIntegerField(unique=True)
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    training_size = models.PositiveIntegerField(help_text="Closed leads the holdout model was fitted on.")
    holdout_size = models.PositiveIntegerField(help_text="The newest closed leads its quality was measured on.")
    closed_leads = models.PositiveIntegerField(help_text="Closed leads in the training window (all fitted).")
    features = models.JSONField(default=list)
    parameters = models.JSONField(default=dict)
    auc = models.FloatField(null=True, blank=True)
    rule_score_auc = models.FloatField(null=True, blank=True)
    lift_top_10 = models.FloatField(null=True, blank=True)
    calibration = models.JSONField(default=list)
    is_better_than_chance = models.BooleanField(
        default=False, help_text="The holdout AUC is above 0.5 by more than two standard errors."
    )
    is_active = models.BooleanField(default=False)

    objects = ConversionModelQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_conversion_model"
            ),
        ]

    def __str__(self) -> str:
        return f"Conversion model v{self.version}"

    @property
    def quality_verdict(self) -> str:
        """One plain sentence on how much the model can be trusted."""
        if self.auc is None:
            return "Quality could not be measured: the holdout had a single outcome."
        if not self.is_better_than_chance:
            return f"No better than chance (AUC {self.auc:.2f}): its predictions carry no signal yet."
        against = f" vs {self.rule_score_auc:.2f} for the rule score" if self.rule_score_auc is not None else ""
        return f"Better than chance: AUC {self.auc:.2f}{against} on the newest closed leads."
