"""Leads: unqualified prospects, their status history and milestones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from crm.common.models import OwnedModel, OwnedQuerySet, owner_visibility


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
    converted_account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="converted_leads"
    )
    converted_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="converted_leads"
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
            models.Index(fields=["status"], name="lead_status"),
            models.Index(fields=["source"], name="lead_source"),
            models.Index(fields=["email"], name="lead_email"),
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

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Lead.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Lead.Status.choices)
    changed_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=255, blank=True)

    objects = LeadStatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["lead_id", "changed_at", "id"]
        indexes = [models.Index(fields=["lead", "changed_at"], name="status_change_lead_time")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_status or '∅'} → {self.to_status}"


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
