"""Campaigns: marketing efforts (webinars, shows, emails, ads …) with their costs, and the leads and contacts they
touched (members, with a Salesforce-like member status)."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> CampaignQuerySet:
        """Every campaign, for any signed-in active user; nothing for anyone else.

        Campaigns are shared marketing records, not owned pipeline: every rep sees them (to tag the leads they work
        and read the results), while only managers and admins create, edit or delete them (a rep's write is a 403
        `permission_denied`, see `campaigns.services`). What stays private is the people: members are listed only
        for the leads and contacts the user can see (`CampaignMemberQuerySet.visible_to`).
        """
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        return self

    def open(self) -> CampaignQuerySet:
        """Campaigns that may still take members from forms and sequences: not aborted."""
        return self.exclude(status=Campaign.Status.ABORTED)


class Campaign(TimeStampedModel):
    class Type(models.TextChoices):
        WEBINAR = "webinar", "Webinar"
        TRADE_SHOW = "trade_show", "Trade show"
        EMAIL = "email", "Email"
        PAID_SOCIAL = "paid_social", "Paid social"
        CONTENT = "content", "Content"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        ABORTED = "aborted", "Aborted"

    name = models.CharField(max_length=255)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.OTHER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # In the installation's one currency (FUNNEL_CURRENCY), like every amount.
    budgeted_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    actual_cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    owner = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budgeted_cost__isnull=True) | Q(budgeted_cost__gte=0), name="campaign_budget_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0), name="campaign_actual_cost_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_start",
                violation_error_message="The end date must not be before the start date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignMemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> CampaignMemberQuerySet:
        """Members whose lead or contact `user` may see (the leads' and contacts' own `visible_to` rules)."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        # Leads sit above campaigns: reach their rule through the model registry, not an import.
        leads = apps.get_model("leads", "Lead").objects.visible_to(user).values("pk")
        contacts = apps.get_model("contacts", "Contact").objects.visible_to(user).values("pk")
        return self.filter(Q(lead__in=leads) | Q(contact__in=contacts))

    def responded(self) -> CampaignMemberQuerySet:
        return self.filter(status__in=CampaignMember.RESPONDED_STATUSES)


class CampaignMember(models.Model):
    """A lead or a contact (exactly one) touched by a campaign; `created_at` is when it joined (first/last touch)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SENT = "sent", "Sent"
        OPENED = "opened", "Opened"
        CLICKED = "clicked", "Clicked"
        REGISTERED = "registered", "Registered"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No show"
        RESPONDED = "responded", "Responded"

    # The statuses that count as a response (Salesforce's "Responded" flag on member statuses).
    RESPONDED_STATUSES = ("clicked", "registered", "attended", "responded")

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="members")
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True, help_text="When the lead or contact became a member.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignMemberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(lead__isnull=False) & Q(contact__isnull=True))
                | (Q(lead__isnull=True) & Q(contact__isnull=False)),
                name="campaign_member_lead_xor_contact",
                violation_error_message="A member is either a lead or a contact.",
            ),
            models.UniqueConstraint(
                fields=["campaign", "lead"], condition=Q(lead__isnull=False), name="campaign_member_unique_lead"
            ),
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=Q(contact__isnull=False),
                name="campaign_member_unique_contact",
            ),
        ]
        indexes = [
            # First / last touch of a lead: its memberships in time order.
            models.Index(fields=["lead", "created_at", "id"], name="campaign_member_lead_time"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.lead_id or self.contact_id}"

    @property
    def has_responded(self) -> bool:
        return self.status in self.RESPONDED_STATUSES
