"""Leads: unqualified prospects, their status history and milestones."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower

from crm.common.models import OwnedModel, OwnedQuerySet, TimeStampedModel, owner_visibility


class LeadSource(models.TextChoices):
    WEB = "web", "Web"
    WEB_FORM = "web_form", "Web form"
    REFERRAL = "referral", "Referral"
    TRADE_SHOW = "trade_show", "Trade show"
    WEBINAR = "webinar", "Webinar"
    EMAIL_CAMPAIGN = "email_campaign", "Email campaign"
    ADVERTISING = "advertising", "Advertising"
    SOCIAL = "social", "Social"
    PARTNER = "partner", "Partner"
    COLD_CALL = "cold_call", "Cold call"
    IMPORT = "import", "Import"
    API = "api", "API"
    OTHER = "other", "Other"


class LeadQuerySet(OwnedQuerySet):
    def open(self) -> LeadQuerySet:
        """Leads still being worked: not converted and not unqualified."""
        return self.exclude(status__in=[Lead.Status.CONVERTED, Lead.Status.UNQUALIFIED])

    def unassigned(self) -> LeadQuerySet:
        return self.filter(owner__isnull=True)


_UNINDEXED_OPTIONAL = {"null": True, "blank": True, "db_index": False}


class Lead(OwnedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        WORKING = "working", "Working"
        NURTURING = "nurturing", "Nurturing"
        QUALIFIED = "qualified", "Qualified"
        UNQUALIFIED = "unqualified", "Unqualified"
        CONVERTED = "converted", "Converted"

    class Rating(models.TextChoices):
        HOT = "hot", "Hot"
        WARM = "warm", "Warm"
        COLD = "cold", "Cold"

    Source = LeadSource

    # Every write to a lead updates each of its indexes, so the lead keeps only indexes a query needs (see Meta):
    # created_at and owner are served by the composite indexes that lead with them, not by indexes of their own.
    created_at = models.DateTimeField(auto_now_add=True)
    owner = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    company = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=128, blank=True)
    website = models.CharField(max_length=255, blank=True)
    industry = models.CharField(max_length=100, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    country = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=20, choices=LeadSource.choices, default=LeadSource.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    unqualified_reason = models.CharField(max_length=255, blank=True)
    score = models.PositiveSmallIntegerField(default=0)
    rating = models.CharField(max_length=10, choices=Rating.choices, default=Rating.COLD)
    scored_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never scored yet.")
    do_not_contact = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    mql_at = models.DateTimeField(null=True, blank=True)
    qualified_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    # Indexed only where set (lead_converted_account / lead_converted_contact): most leads are never converted.
    converted_account = models.ForeignKey(
        "accounts.Account", on_delete=models.PROTECT, related_name="converted_leads", **_UNINDEXED_OPTIONAL
    )
    converted_contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="converted_leads", **_UNINDEXED_OPTIONAL
    )
    converted_opportunity = models.OneToOneField(
        "opportunities.Opportunity", null=True, blank=True, on_delete=models.PROTECT, related_name="converted_lead"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(status="converted") & ~Q(email=""),
                name="lead_one_open_lead_per_email",
                violation_error_message="An open lead with this email already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | (Q(converted_at__isnull=False) & Q(converted_account__isnull=False)),
                name="lead_converted_has_converted_at",
                violation_error_message="A converted lead needs its conversion time and account.",
            ),
            models.CheckConstraint(
                condition=Q(converted_at__isnull=True) | Q(status="converted"),
                name="lead_converted_at_only_when_converted",
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="lead_score_0_100"),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "-created_at", "-id"], name="lead_owner_status_created"),
            models.Index(fields=["-created_at", "-id"], name="lead_created"),
            models.Index(fields=["-score", "-id"], name="lead_score"),
            # No index on status or source alone: both have a handful of values, and the list filters them
            # along an ordering index. Exact email lookups use lead_email_prefix (migration 0009).
            models.Index(
                fields=["converted_account"],
                condition=Q(converted_account__isnull=False),
                name="lead_converted_account",
            ),
            models.Index(
                fields=["converted_contact"],
                condition=Q(converted_contact__isnull=False),
                name="lead_converted_contact",
            ),
            # The scoring sweeper looks for never-scored leads every minute; this keeps that lookup tiny.
            models.Index(fields=["id"], condition=Q(scored_at__isnull=True), name="lead_unscored"),
            # Prefix-search indexes (PostgreSQL only) live in migration 0009_workspace_search_prefix_indexes.
            # The lead list's other sorts, for "my leads" (owner first) and for a manager's wider view.
            models.Index(fields=["owner", "-score", "-id"], name="lead_owner_score"),
            models.Index(
                "owner", F("last_activity_at").desc(nulls_last=True), F("id").desc(), name="lead_owner_activity"
            ),
            models.Index(F("last_activity_at").desc(nulls_last=True), F("id").desc(), name="lead_last_activity"),
            # The dashboard's cohort aggregate reads only these columns: an index-only range scan on created_at.
            models.Index(
                fields=[
                    "created_at",
                    "owner",
                    "source",
                    "mql_at",
                    "qualified_at",
                    "converted_at",
                    "converted_opportunity",
                    "id",
                ],
                name="lead_dashboard_cohort",
            ),
            models.Index(
                fields=["converted_at", "owner", "source", "created_at", "converted_opportunity", "id"],
                condition=Q(converted_at__isnull=False),
                name="lead_dashboard_converted",
            ),
            # Unattended open leads by owner: idle since the last activity, or since creation when none was logged.
            # Owner first, so a manager's count reads only their team's entries; the included columns let
            # PostgreSQL answer from the index alone (it needs the expression's own columns for that).
            models.Index(
                "owner",
                Coalesce("last_activity_at", "created_at"),
                include=["last_activity_at", "created_at", "source", "id"],
                condition=~Q(status__in=["converted", "unqualified"]),
                name="lead_dashboard_idle",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_converted(self) -> bool:
        return self.status == self.Status.CONVERTED

    @property
    def is_mql(self) -> bool:
        return self.mql_at is not None

    @staticmethod
    def rating_for(score: int) -> str:
        if score >= settings.FUNNEL_RATING_HOT:
            return Lead.Rating.HOT
        if score >= settings.FUNNEL_RATING_WARM:
            return Lead.Rating.WARM
        return Lead.Rating.COLD


class LeadStatusChangeQuerySet(models.QuerySet):
    def visible_to(self, user) -> LeadStatusChangeQuerySet:
        condition = owner_visibility(user, field="lead__owner")
        return self if condition is None else self.filter(condition)


class LeadStatusChange(models.Model):
    """Who moved a lead from which status to which, when: the timeline and time-in-status reports."""

    # Indexed by status_change_lead_time, which leads with the lead.
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="status_changes", db_index=False)
    from_status = models.CharField(max_length=20, choices=Lead.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Lead.Status.choices)
    changed_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Never before the lead's created_at (every writer records a change when, or after, the lead is created).
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=255, blank=True)

    objects = LeadStatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["lead_id", "changed_at", "id"]
        indexes = [
            models.Index(fields=["lead", "changed_at"], name="status_change_lead_time"),
            # Time in status reads the changes made since the cohort's first day (a cohort lead changes status only
            # after it was created) without touching the table.
            models.Index(fields=["changed_at", "lead", "id", "to_status"], name="status_change_dashboard"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_status or '∅'} → {self.to_status}"


class ScoringRule(TimeStampedModel):
    """A fit rule: leads whose `field` matches `operator`/`value` earn `points` (negative allowed).

    Which fields and operators a rule may use, and how `value` is read, is defined in `leads.scoring`.
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
        ordering = ["-points", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gte=-100, points__lte=100), name="scoring_rule_points_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"

    def clean(self) -> None:
        from leads.scoring import validate_rule

        validate_rule(self.field, self.operator, self.value)


class EngagementWeight(TimeStampedModel):
    """Points one engagement of `kind` is worth when it just happened; they halve every half-life."""

    kind = models.CharField(max_length=40, unique=True)
    points = models.SmallIntegerField(default=0, validators=[MinValueValidator(-100), MaxValueValidator(100)])
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-100, points__lte=100), name="engagement_weight_points_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.points:+d})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from leads.scoring import ENGAGEMENT_KINDS

        if self.kind not in ENGAGEMENT_KINDS:
            raise ValidationError({"kind": [f"Choose one of {', '.join(ENGAGEMENT_KINDS)}."]})


class ScoringRun(models.Model):
    """One set-based rescore of all leads, walked in id-range chunks; `last_id` lets a crashed run resume."""

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

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # Two workers starting a rescore at once share one run instead of doing the work twice.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="scoring_one_running_run"),
        ]

    def __str__(self) -> str:
        return f"Scoring run {self.pk} ({self.status}, {self.last_id}/{self.max_id})"


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


class WebForm(models.Model):
    """A website form posting to the public web-to-lead endpoint with its `form_key`."""

    name = models.CharField(max_length=100)
    form_key = models.CharField(max_length=64, unique=True, help_text="Put this in the form as `form_key`.")
    allowed_return_urls = models.TextField(
        blank=True, help_text="One URL per line; a posted `return_url` must be one of them to be redirected to."
    )
    default_source = models.CharField(max_length=20, choices=LeadSource.choices, default=LeadSource.WEB_FORM)
    default_owner = models.ForeignKey(
        "users.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: new leads go to the assignment rules.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def return_urls(self) -> list[str]:
        return [line.strip() for line in self.allowed_return_urls.splitlines() if line.strip()]


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """Jobs `user` may see: their own; a manager's team members' too; all for an admin."""
        condition = owner_visibility(user, field="created_by", include_unassigned=False)
        return self if condition is None else self.filter(condition)


class ImportJob(models.Model):
    """One CSV file of leads being imported in chunks; the row counters are its progress."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Awaiting mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=1, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="CSV header → lead field; unmapped headers skip.")
    owner = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Empty: assignment."
    )
    created_by = models.ForeignKey("users.User", on_delete=models.PROTECT, related_name="import_jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0, help_text="Data rows committed; a retried run resumes here.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0, help_text="Rows merged into an earlier row with the same email.")
    failed = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    run_rows_start = models.PositiveIntegerField(default=0, help_text="rows_done when the current run began (rate).")
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Heartbeat: saved after every chunk.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.original_name})"

    @property
    def rate(self) -> float | None:
        """Rows per second of the current run."""
        if not self.started_at:
            return None
        end = self.finished_at or self.updated_at
        seconds = (end - self.started_at).total_seconds()
        done = self.rows_done - self.run_rows_start
        return round(done / seconds, 1) if seconds > 0 and done > 0 else None

    @property
    def eta_seconds(self) -> int | None:
        if self.status != self.Status.RUNNING or not self.rows_total or not self.rate:
            return None
        return max(0, round((self.rows_total - self.rows_done) / self.rate))

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)


class ImportRowError(models.Model):
    """Why one row (spreadsheet numbering: the header is row 1) of an import was not imported."""

    job = models.ForeignKey("leads.ImportJob", on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=255)
    value = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["job", "row", "id"]
        indexes = [models.Index(fields=["job", "row"], name="import_error_job_row")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.column} {self.message}"
