"""Assignment rules: which rep gets a new lead."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import models
from django.db.models import Q

from assignment.business_hours import BusinessCalendar, calendar_of
from assignment.territories import parse_postal_range
from core.models import VisibleByOwnerQuerySet
from leads.models import Lead, LeadSource
from users.models import User

GRADES = ["A", "B", "C", "D"]


def default_working_days() -> list[int]:
    return [0, 1, 2, 3, 4]


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
    grades = models.JSONField(default=list, blank=True, help_text="Lead grades (A, B, C, D); empty: any.")
    target_user = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="assignment_rules"
    )
    target_team = models.ForeignKey(
        "users.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="assignment_rules"
    )
    target_territory = models.ForeignKey(
        "assignment.Territory",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignment_rules",
        help_text="Matches only leads in the territory, and hands them to its reps.",
    )
    rep_levels = models.JSONField(
        default=list, blank=True, help_text="Only reps of these levels (junior, mid, senior); empty: any."
    )
    rep_skills = models.JSONField(
        default=list, blank=True, help_text="Only reps with at least one of these skills; empty: any."
    )
    rep_functions = models.JSONField(
        default=list, blank=True, help_text="Only reps of these functions (sdr, ae); empty: any."
    )
    fall_through = models.BooleanField(
        default=False, help_text="When nobody here can take the lead, try the next matching rule instead of waiting."
    )
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.ROUND_ROBIN)
    sla_policy = models.ForeignKey(
        "assignment.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rules",
        help_text="The first-touch target of the leads this rule assigns (else their team's policy).",
    )
    reassign_on_breach = models.BooleanField(
        default=False, help_text="When the first-touch target is missed, hand the lead to another rep of this rule."
    )
    last_assigned_user = models.ForeignKey(
        "users.User",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The round-robin cursor: the next lead goes to the candidate after this user.",
    )
    cursor_turns = models.PositiveSmallIntegerField(
        default=1,
        editable=False,
        help_text="Leads the cursor's user took in a row: weighted round-robin gives a rep `routing_shares` turns.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentRuleQuerySet.as_manager()

    class Meta:
        db_table = "leads_assignmentrule"  # created by the leads app, which held this model before
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_user__isnull=True) & Q(target_team__isnull=True))
                | (Q(target_user__isnull=True) & Q(target_territory__isnull=True))
                | (Q(target_team__isnull=True) & Q(target_territory__isnull=True)),
                name="assignment_rule_one_target",
                violation_error_message="Target a user, a team or a territory: one of them.",
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
        for field, allowed in (
            ("sources", LeadSource.values),
            ("ratings", Lead.Rating.values),
            ("grades", GRADES),
            ("rep_levels", User.Level.values),
            ("rep_functions", [User.Function.SDR, User.Function.AE]),
        ):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[field] = ["Give a list of values."]
            elif unknown := sorted(set(value) - set(allowed)):
                errors[field] = [f"Unknown value(s) {', '.join(unknown)}; choose from {', '.join(allowed)}."]
        for field in ("countries", "industries", "rep_skills"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[field] = ["Give a list of names."]
            else:
                setattr(self, field, [item.strip() for item in value if item.strip()])
        if sum(bool(t) for t in (self.target_user_id, self.target_team_id, self.target_territory_id)) > 1:
            errors["target_team"] = ["Target a user, a team or a territory: one of them."]
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
        if self.target_territory_id:
            return f"territory {self.target_territory}"
        return "all reps"


class TerritoryQuerySet(models.QuerySet):
    def visible_to(self, user) -> TerritoryQuerySet:
        """Managers and admins configure territories; reps see none."""
        if not user or not user.is_authenticated or not user.is_active or not user.can_manage:
            return self.none()
        return self


class Territory(models.Model):
    """A sales territory: the leads of some countries, regions and postal-code ranges, or of named accounts.

    A lead falls in the territory when it matches one of the territory's named accounts (`Lead.matched_account`),
    or when its country is listed and, if regions or postal ranges are given, its state/region is listed and its
    postal code lies in one of the ranges. Countries and regions compare case-insensitively. A postal range is
    "from-to" (or one code): codes compare on their first characters as long as the bounds, numerically when both
    are digits — "10000-14999" holds 10115, "SW1-SW9" holds "SW1A 1AA". An assignment rule targeting the territory
    matches its leads and hands them to its reps.
    """

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    countries = models.JSONField(default=list, blank=True, help_text="Country names, case-insensitive.")
    regions = models.JSONField(default=list, blank=True, help_text="States or regions; empty: the whole country.")
    postal_ranges = models.JSONField(
        default=list, blank=True, help_text='Postal-code ranges such as "10000-14999" or single codes; empty: any.'
    )
    named_accounts = models.ManyToManyField("accounts.Account", blank=True, related_name="territories")
    reps = models.ManyToManyField("users.User", blank=True, related_name="territories")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, list[str]] = {}
        for field in ("countries", "regions", "postal_ranges"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[field] = ["Give a list of text values."]
            else:
                setattr(self, field, [item.strip() for item in value if item.strip()])
        if "postal_ranges" not in errors:
            for text in self.postal_ranges:
                if parse_postal_range(text) is None:
                    errors.setdefault("postal_ranges", []).append(f'"{text}" is not a code or a "from-to" range.')
        if errors:
            raise ValidationError(errors)


def _valid_zone(name: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not an IANA time zone such as Europe/Berlin.") from None


class SlaPolicy(models.Model):
    """A speed-to-lead target: the first touch within `target_minutes` of business time in a team's working hours.

    It applies to the leads an assignment rule hands out (the rule's `sla_policy`) or, for a rule without one and
    for leads assigned by hand, to the leads of the owner's team (`team`).
    """

    name = models.CharField(max_length=100)
    target_minutes = models.PositiveIntegerField(default=120, help_text="Business minutes to the first touch.")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[_valid_zone])
    working_days = models.JSONField(default=default_working_days, help_text="Weekday numbers, 0 = Monday.")
    day_start = models.TimeField(default=time(9, 0))
    day_end = models.TimeField(default=time(17, 0))
    holidays = models.JSONField(default=list, blank=True, help_text="Dates (YYYY-MM-DD) without working hours.")
    team = models.ForeignKey("users.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policies")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(condition=Q(target_minutes__gt=0), name="sla_policy_target_positive"),
            models.CheckConstraint(condition=Q(day_start__lt=models.F("day_end")), name="sla_policy_day_order"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, list[str]] = {}
        days = self.working_days
        if not isinstance(days, list) or not days or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            errors["working_days"] = ["Give weekday numbers from 0 (Monday) to 6 (Sunday)."]
        try:
            if not isinstance(self.holidays, list):
                raise ValueError
            self.holidays = sorted({date.fromisoformat(str(day)).isoformat() for day in self.holidays})
        except ValueError:
            errors["holidays"] = ["Give a list of dates as YYYY-MM-DD."]
        if self.day_start and self.day_end and self.day_start >= self.day_end:
            errors["day_end"] = ["The working day must end after it starts."]
        if errors:
            raise ValidationError(errors)

    @property
    def calendar(self) -> BusinessCalendar:
        return calendar_of(self.time_zone, self.working_days, self.day_start, self.day_end, self.holidays)


class LeadSlaQuerySet(VisibleByOwnerQuerySet):
    """A clock is seen by who sees its rep's leads (the rep whose first touch it times)."""

    include_unassigned = False

    def breached(self, now) -> LeadSlaQuerySet:
        """Still untouched past the target."""
        return self.filter(first_touch_at__isnull=True, due_at__lte=now)

    def at_risk(self, now) -> LeadSlaQuerySet:
        """Untouched with less than a quarter of the target's business time left."""
        return self.filter(first_touch_at__isnull=True, at_risk_at__lte=now, due_at__gt=now)

    def overdue(self, now) -> LeadSlaQuerySet:
        """Untouched past the target and not yet handled by the breach job."""
        return self.filter(first_touch_at__isnull=True, due_at__lte=now, breached_at__isnull=True)


class LeadSla(models.Model):
    """The first-touch clock of one lead: started (or restarted) when it is assigned, stopped by the first touch.

    `breached_at` is the breach job's claim: it is written, with the notices and any reassignment, in one
    transaction, so a breach is handled exactly once. `owner` is the rep the clock timed; a reassignment on breach
    keeps the clock (and its breach) on that rep.
    """

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="clocks")
    rule = models.ForeignKey(AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey("users.User", null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=20, blank=True)
    assigned_at = models.DateTimeField()
    due_at = models.DateTimeField()
    at_risk_at = models.DateTimeField(help_text="When three quarters of the target's business time have passed.")
    first_touch_at = models.DateTimeField(null=True, blank=True)
    touch_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Business minutes from assignment to the first touch."
    )
    breached_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    reassigned_at = models.DateTimeField(null=True, blank=True)

    objects = LeadSlaQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(first_touch_at__isnull=True, breached_at__isnull=True),
                name="leadsla_open_due",
            ),
            # The speed-to-lead report reads the clocks assigned in its weeks from this index alone.
            models.Index(
                fields=["assigned_at"],
                include=["owner", "source", "due_at", "first_touch_at", "touch_minutes"],
                name="leadsla_assigned_report",
            ),
        ]

    def __str__(self) -> str:
        return f"SLA of lead {self.lead_id}"
