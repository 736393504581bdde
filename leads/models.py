"""Leads: unqualified prospects, their status history and milestones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower

from core.models import OwnedModel, OwnedQuerySet, VisibleByOwnerQuerySet


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

    class BounceKind(models.TextChoices):
        BOUNCE = "bounce", "Bounced"
        COMPLAINT = "complaint", "Marked as spam"

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

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
    state = models.CharField(max_length=100, blank=True, default="", db_default="", help_text="State or region.")
    postal_code = models.CharField(max_length=20, blank=True, default="", db_default="")
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
    matched_account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.SET_NULL,
        related_name="matched_leads",
        help_text="The customer account whose domain or name this lead matched when it was routed.",
        **_UNINDEXED_OPTIONAL,
    )
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
    # Fit to the ideal customer profile (scoring.grades), written by scoring beside the score; blank until graded.
    # Database defaults too: the import's and the demo's set-based inserts name only the columns they fill.
    grade = models.CharField(max_length=1, choices=Grade.choices, blank=True, default="", db_default="")
    # The qualification checklist (leads.qualification): BANT, then MEDDIC. Explicit columns rather than one JSON
    # value, so that grade rules compile them to SQL (budget), the API filters and imports them like any field,
    # and each has its database type and length; the installation's framework says which of them are asked.
    budget_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    budget_confirmed = models.BooleanField(default=False, db_default=False)
    authority = models.CharField(max_length=255, blank=True, default="", db_default="")
    need = models.CharField(max_length=1000, blank=True, default="", db_default="")
    timeline_date = models.DateField(null=True, blank=True, help_text="Expected purchase date.")
    metrics = models.CharField(max_length=1000, blank=True, default="", db_default="")
    economic_buyer = models.CharField(max_length=255, blank=True, default="", db_default="")
    decision_criteria = models.CharField(max_length=1000, blank=True, default="", db_default="")
    decision_process = models.CharField(max_length=1000, blank=True, default="", db_default="")
    identify_pain = models.CharField(max_length=1000, blank=True, default="", db_default="")
    champion = models.CharField(max_length=255, blank=True, default="", db_default="")
    # The predictive score (scoring.predictive), written set-based by scoring after each training and engagement
    # change: the chance (0-1) that this open lead converts, and its top reasons as
    # [{"feature", "impact", "text"}]. Both null while no model is trained or the lead is closed (nullable, so that
    # set-based inserts that do not name them need no database default).
    conversion_probability = models.FloatField(null=True, blank=True)
    conversion_reasons = models.JSONField(null=True, blank=True)
    # Set by a bounce or complaint received through the inbound email endpoint (nurture.inbound): no more email.
    email_bounced_at = models.DateTimeField(null=True, blank=True)
    email_bounce_kind = models.CharField(
        max_length=20, choices=BounceKind.choices, blank=True, default="", db_default=""
    )
    # The record's id in another system (the Salesforce-compatible API's External_Id__c): upserts match on it.
    external_id = models.CharField(max_length=255, blank=True, default="", db_default="")

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
            # Only the few records an integration keyed carry an external id: the others write no entry.
            models.Index(fields=["external_id"], condition=~Q(external_id=""), name="lead_external_id"),
            models.Index(fields=["owner", "status", "-created_at", "-id"], name="lead_owner_status_created"),
            # A rep's lead list opens on their open leads, newest first: one range of this index for the page
            # (the index above holds each status apart, so "open" would merge four ranges and sort them).
            models.Index(
                fields=["owner", "-created_at", "-id"],
                condition=~Q(status__in=["converted", "unqualified"]),
                name="lead_owner_open_created",
            ),
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
            # The dashboard's cohort queries read only these columns: an index-only range scan on created_at. The
            # grade x score matrix needs grade and score too (a score change already writes a new entry in every
            # index of the row, so carrying them costs only their bytes).
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
                include=["grade", "score"],
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
        """Whether the lead ever reached MQL: the funnel's meaning. `mql_at` stays when the score decays."""
        return self.mql_at is not None

    @property
    def holds_mql(self) -> bool:
        """Whether the lead is marketing-qualified now: its score is at or above `FUNNEL_MQL_THRESHOLD` and, when
        `FUNNEL_MQL_MIN_GRADE` is set, its grade that good or better (A is best).

        The MQL badge shows this; the milestone (`mql_at`, `is_mql`) is history and shows as "MQL since".
        """
        minimum = settings.FUNNEL_MQL_MIN_GRADE
        return self.score >= settings.FUNNEL_MQL_THRESHOLD and (not minimum or "" < self.grade <= minimum)

    @staticmethod
    def rating_for(score: int) -> str:
        if score >= settings.FUNNEL_RATING_HOT:
            return Lead.Rating.HOT
        if score >= settings.FUNNEL_RATING_WARM:
            return Lead.Rating.WARM
        return Lead.Rating.COLD


class LeadStatusChangeQuerySet(VisibleByOwnerQuerySet):
    visibility_field = "lead__owner"

    def work(self) -> LeadStatusChangeQuerySet:
        """The changes a person made to a lead's status: its work (not the status it was created or imported with)."""
        return self.exclude(from_status="").filter(changed_by__isnull=False)


class LeadStatusChange(models.Model):
    """Who moved a lead from which status to which, when: the timeline and time-in-status reports."""

    # Indexed by status_change_lead_time, which leads with the lead.
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="status_changes", db_index=False)
    from_status = models.CharField(max_length=20, choices=Lead.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Lead.Status.choices)
    # No index: no report reads changes by author any more (docs/indexes.md), and every status change would write
    # one; deleting a user (rare: people are deactivated) scans the table once to clear its changes' author.
    changed_by = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
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
            # The activity report's leads worked: the status changes the reps made in the range, from the index alone.
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_status or '∅'} → {self.to_status}"


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
