"""Reads on campaigns: a lead's first and last touch, members with their people."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from campaigns.models import Campaign, CampaignMember


def first_touch_subquery(lead_ref: str = "pk") -> Subquery:
    """The campaign id of the lead's earliest membership (ties: the first added)."""
    members = CampaignMember.objects.filter(lead=OuterRef(lead_ref)).order_by("created_at", "id")
    return Subquery(members.values("campaign_id")[:1])


def last_touch_subquery(lead_ref: str = "pk") -> Subquery:
    """The campaign id of the lead's latest membership (ties: the last added)."""
    members = CampaignMember.objects.filter(lead=OuterRef(lead_ref)).order_by("-created_at", "-id")
    return Subquery(members.values("campaign_id")[:1])


def annotate_campaign_touches(leads: QuerySet) -> QuerySet:
    """Add `first_touch_campaign_id` and `last_touch_campaign_id` to each lead: two subqueries, no extra query."""
    return leads.annotate(first_touch_campaign_id=first_touch_subquery(), last_touch_campaign_id=last_touch_subquery())


def get_campaign_touches(lead_id: int) -> tuple[int | None, int | None]:
    """Return (first-touch campaign id, last-touch campaign id) of one lead."""
    members = CampaignMember.objects.filter(lead_id=lead_id)
    first = members.order_by("created_at", "id").values_list("campaign_id", flat=True).first()
    last = members.order_by("-created_at", "-id").values_list("campaign_id", flat=True).first()
    return first, last


def list_lead_campaigns(lead_id: int) -> list[CampaignMember]:
    """A lead's memberships, oldest first, with their campaigns (the lead page's panel)."""
    return list(CampaignMember.objects.filter(lead_id=lead_id).select_related("campaign").order_by("created_at", "id"))


def list_campaign_members(campaign: Campaign, user, *, limit: int | None = None) -> list[CampaignMember]:
    """The members of `campaign` whose lead or contact `user` can see, newest first."""
    members = CampaignMember.objects.visible_to(user).filter(campaign=campaign).select_related("lead", "contact")
    return list(members[:limit] if limit else members)
