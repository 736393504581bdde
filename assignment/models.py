"""Assignment rules: which rep gets a new lead."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from leads.models import Lead, LeadSource


class AssignmentRuleQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssignmentRuleQuerySet:
        """Managers and admins configure assignment; reps see no rules."""
        if not user or not user.is_authenticated or not user.is_active or not user.can_manage:
            return self.none()
        return self

    def active(self) -> AssignmentRuleQuerySet:
        return self.filter(active=True)


class AssignmentRule(models.Model):
    """Which rep gets a new lead: ordered rules, the first whose criteria all match wins.

    Empty criteria match anything. The target is one user, one team's reps, or, when neither
    is set, every active rep; among several candidates `method` picks round-robin (the cursor
    `last_assigned_user` lives here and advances under this row's lock) or least-loaded (fewest
    open leads). Reps with `accepts_leads` off, inactive users and reps at `lead_capacity` are skipped.
    """

    class Method(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round-robin"
        LEAST_LOADED = "least_loaded", "Least loaded"

    order = models.PositiveIntegerField(default=100, help_text="Lower runs first; the first matching rule wins.")
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    sources = models.JSONField(default=list, blank=True, help_text="Lead sources; empty matches any.")
    countries = models.JSONField(default=list, blank=True, help_text="Countries (case-insensitive); empty: any.")
    industries = models.JSONField(default=list, blank=True, help_text="Industries (case-insensitive); empty: any.")
    employees_min = models.PositiveIntegerField(null=True, blank=True)
    employees_max = models.PositiveIntegerField(null=True, blank=True)
    score_min = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Matches leads scoring at least this."
    )
    ratings = models.JSONField(default=list, blank=True, help_text="Lead ratings (hot, warm, cold); empty: any.")
    target_user = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="assignment_rules"
    )
    target_team = models.ForeignKey(
        "users.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="assignment_rules"
    )
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.ROUND_ROBIN)
    last_assigned_user = models.ForeignKey(
        "users.User",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The round-robin cursor: the next lead goes to the candidate after this user.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentRuleQuerySet.as_manager()

    class Meta:
        db_table = "leads_assignmentrule"  # created by the leads app, which held this model before
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_user__isnull=True) | Q(target_team__isnull=True),
                name="assignment_rule_one_target",
                violation_error_message="Target a user or a team, not both.",
            ),
            models.CheckConstraint(
                condition=Q(employees_min__isnull=True)
                | Q(employees_max__isnull=True)
                | Q(employees_min__lte=models.F("employees_max")),
                name="assignment_rule_employees_range",
                violation_error_message="The minimum number of employees must not exceed the maximum.",
            ),
            models.CheckConstraint(
                condition=Q(score_min__isnull=True) | Q(score_min__lte=100),
                name="assignment_rule_score_min_0_100",
                violation_error_message="The minimum score is between 0 and 100.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, list[str]] = {}
        for field, allowed in (("sources", LeadSource.values), ("ratings", Lead.Rating.values)):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[field] = ["Give a list of values."]
            elif unknown := sorted(set(value) - set(allowed)):
                errors[field] = [f"Unknown value(s) {', '.join(unknown)}; choose from {', '.join(allowed)}."]
        for field in ("countries", "industries"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[field] = ["Give a list of names."]
            else:
                setattr(self, field, [item.strip() for item in value if item.strip()])
        if self.target_user_id and self.target_team_id:
            errors["target_team"] = ["Target a user or a team, not both."]
        if (
            self.employees_min is not None
            and self.employees_max is not None
            and self.employees_min > self.employees_max
        ):
            errors["employees_max"] = ["The maximum number of employees must not be below the minimum."]
        if self.score_min is not None and self.score_min > 100:
            errors["score_min"] = ["The minimum score is between 0 and 100."]
        if errors:
            raise ValidationError(errors)

    @property
    def target_description(self) -> str:
        if self.target_user_id:
            return str(self.target_user)
        if self.target_team_id:
            return f"team {self.target_team}"
        return "all reps"
