"""Writes on campaigns and their members.

Who may write: managers and admins create, change and delete campaigns (`CampaignManagersOnly`, 403, for anyone
else); any signed-in user adds, re-statuses and removes members for the leads and contacts they can see (callers
scope the lead or contact to `visible_to(by)`), so reps can tag the leads they work.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.exceptions import CampaignHasChildren, CampaignManagersOnly
from campaigns.models import Campaign, CampaignMember
from core.services import apply_changes, save_validated

EDITABLE_FIELDS = [
    "name",
    "type",
    "status",
    "start_date",
    "end_date",
    "budgeted_cost",
    "actual_cost",
    "parent",
    "owner",
    "description",
]

# How far along a member is: tagging again never moves a member back (a nurture email sent to someone who
# already attended leaves them "attended"); `set_member_status` sets any status by hand.
STATUS_RANK = {
    CampaignMember.Status.PLANNED: 0,
    CampaignMember.Status.SENT: 1,
    CampaignMember.Status.NO_SHOW: 2,
    CampaignMember.Status.OPENED: 2,
    CampaignMember.Status.CLICKED: 3,
    CampaignMember.Status.REGISTERED: 4,
    CampaignMember.Status.RESPONDED: 5,
    CampaignMember.Status.ATTENDED: 6,
}

# Deeper campaign trees than this are refused rather than walked.
MAX_PARENT_DEPTH = 20


def _check_can_manage(by) -> None:
    if by is not None and not by.can_manage:
        raise CampaignManagersOnly()


def _check_parent(campaign: Campaign) -> None:
    """Refuse a parent that is the campaign itself or one of its own children, at any depth."""
    parent_id, depth = campaign.parent_id, 0
    while parent_id is not None and campaign.pk is not None:
        depth += 1
        if parent_id == campaign.pk or depth > MAX_PARENT_DEPTH:
            raise ValidationError({"parent": ["A campaign cannot sit under itself or one of its own children."]})
        parent_id = Campaign.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()


@transaction.atomic
def create_campaign(*, by, **fields: Any) -> Campaign:
    """Create a campaign, owned by `by` unless an owner is given.

    Raises:
        CampaignManagersOnly: `by` is not a manager or an admin.
    """
    _check_can_manage(by)
    campaign = Campaign(**{name: value for name, value in fields.items() if name in EDITABLE_FIELDS})
    if campaign.owner_id is None:
        campaign.owner = by
    save_validated(campaign)
    return campaign


@transaction.atomic
def update_campaign(campaign: Campaign, *, by, data: dict[str, Any]) -> Campaign:
    """Edit a campaign's details and costs.

    Raises:
        CampaignManagersOnly: `by` is not a manager or an admin.
    """
    _check_can_manage(by)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changes = apply_changes(campaign, data, fields=EDITABLE_FIELDS)
    if "parent" in changes:
        _check_parent(campaign)
    if changes:
        save_validated(campaign, update_fields=list(changes))
    return campaign


@transaction.atomic
def delete_campaign(campaign: Campaign, *, by) -> None:
    """Delete a campaign and its memberships (the leads and contacts stay).

    Raises:
        CampaignManagersOnly: `by` is not a manager or an admin.
        CampaignHasChildren: other campaigns sit under it.
    """
    _check_can_manage(by)
    if campaign.children.exists():
        raise CampaignHasChildren()
    campaign.delete()


def _stamp_response(member: CampaignMember, at: datetime) -> list[str]:
    if member.has_responded and member.first_responded_at is None:
        member.first_responded_at = at
        return ["first_responded_at"]
    return []


@transaction.atomic
def add_campaign_member(
    campaign: Campaign,
    *,
    by,
    lead=None,
    contact=None,
    status: str = CampaignMember.Status.SENT,
    at: datetime | None = None,
) -> tuple[CampaignMember, bool]:
    """Make a lead or a contact (exactly one) a member; return (member, created). An existing member only moves
    forward in status (`STATUS_RANK`), so adding twice changes nothing the second time."""
    if (lead is None) == (contact is None):
        raise ValidationError({"lead": ["Name either a lead or a contact."]})
    if status not in CampaignMember.Status.values:
        raise ValidationError({"status": [f"Unknown member status {status!r}."]})
    at = at or timezone.now()
    target = {"lead": lead} if lead is not None else {"contact": contact}
    member = CampaignMember.objects.select_for_update().filter(campaign=campaign, **target).first()
    if member is None:
        member = CampaignMember(campaign=campaign, status=status, created_at=at, **target)
        _stamp_response(member, at)
        save_validated(member)
        return member, True
    if STATUS_RANK[status] > STATUS_RANK[member.status]:
        member.status = status
        save_validated(member, update_fields=["status", *_stamp_response(member, at)])
    return member, False


def tag_lead_with_campaign(
    lead_id: int, campaign: Campaign, *, status: str = CampaignMember.Status.SENT, by, at: datetime | None = None
) -> CampaignMember:
    """Make lead `lead_id` a member of `campaign` (idempotent: a second call changes nothing)."""
    lead = CampaignMember._meta.get_field("lead").related_model(pk=lead_id)
    member, _ = add_campaign_member(campaign, by=by, lead=lead, status=status, at=at)
    return member


@transaction.atomic
def tag_leads_with_campaign(
    lead_ids: Iterable[int], campaign: Campaign, *, status: str = CampaignMember.Status.SENT, by
) -> int:
    """Make the leads `lead_ids` members of `campaign` in one insert (an import's chunk); return how many joined.

    Leads already members keep their membership as it is (and their first touch).
    """
    # Locked, so the campaign can't be deleted under the insert; gone already → nothing to tag.
    if not Campaign.objects.select_for_update().filter(pk=campaign.pk).exists():
        return 0
    lead_ids = set(lead_ids)
    existing = set(
        CampaignMember.objects.filter(campaign=campaign, lead_id__in=lead_ids).values_list("lead_id", flat=True)
    )
    now = timezone.now()
    rows = [
        CampaignMember(campaign=campaign, lead_id=lead_id, status=status, created_at=now)
        for lead_id in sorted(lead_ids - existing)
    ]
    # A concurrent tag of the same lead wins the unique constraint; ours is then a no-op.
    CampaignMember.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


@transaction.atomic
def set_member_status(member: CampaignMember, *, status: str, by) -> CampaignMember:
    """Set a member's status by hand (any status; the first response is stamped once)."""
    member = CampaignMember.objects.select_for_update().get(pk=member.pk)
    if status not in CampaignMember.Status.values:
        raise ValidationError({"status": [f"Unknown member status {status!r}."]})
    if member.status != status:
        member.status = status
        save_validated(member, update_fields=["status", *_stamp_response(member, timezone.now())])
    return member


@transaction.atomic
def remove_campaign_member(member: CampaignMember, *, by) -> None:
    """Remove a lead or contact from a campaign (its first and last touch move to its other campaigns)."""
    CampaignMember.objects.filter(pk=member.pk).delete()
