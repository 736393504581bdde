"""Leads: unqualified prospects, their status history and milestones."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower

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
                fields=["converted_at", "owner", "source", "id"],
                condition=Q(converted_at__isnull=False),
                name="lead_dashboard_converted",
            ),
            # Unattended open leads: idle since the last activity, or since creation when none was logged.
            models.Index(
                Coalesce("last_activity_at", "created_at"),
                "owner",
                "source",
                "id",
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

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Lead.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Lead.Status.choices)
    changed_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=255, blank=True)

    objects = LeadStatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["lead_id", "changed_at", "id"]
        indexes = [
            models.Index(fields=["lead", "changed_at"], name="status_change_lead_time"),
            # Time in status walks each cohort lead's changes in order without touching the table.
            models.Index(fields=["lead", "changed_at", "id", "to_status"], name="status_change_dashboard"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_status or '∅'} → {self.to_status}"
