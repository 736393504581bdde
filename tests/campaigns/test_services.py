"""Campaign services: who may write, members that only move forward, idempotent tagging, first and last touch."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.exceptions import CampaignManagersOnly
from campaigns.models import Campaign, CampaignMember
from campaigns.selectors import annotate_campaign_touches, get_campaign_touches
from campaigns.services import (
    add_campaign_member,
    create_campaign,
    remove_campaign_member,
    set_member_status,
    tag_lead_with_campaign,
    tag_leads_with_campaign,
    update_campaign,
)
from leads.models import Lead
from tests.factories import CampaignFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_manager_creates_a_campaign_they_own(manager):
    campaign = create_campaign(by=manager, name="Expo", type="trade_show", actual_cost="3000.00")
    assert (campaign.owner, campaign.status, str(campaign.actual_cost)) == (manager, "planned", "3000.00")


def test_a_rep_may_not_create_or_edit_a_campaign(rep):
    with pytest.raises(CampaignManagersOnly):
        create_campaign(by=rep, name="Mine")
    campaign = CampaignFactory()
    with pytest.raises(CampaignManagersOnly):
        update_campaign(campaign, by=rep, data={"name": "Renamed"})
    assert not Campaign.objects.filter(name__in=["Mine", "Renamed"]).exists()


def test_a_campaign_cannot_sit_under_its_own_child(admin):
    parent = CampaignFactory()
    child = CampaignFactory(parent=parent)
    with pytest.raises(ValidationError) as error:
        update_campaign(parent, by=admin, data={"parent": child})
    assert "parent" in error.value.message_dict
    assert Campaign.objects.get(pk=parent.pk).parent is None


def test_tagging_a_lead_twice_changes_nothing_the_second_time(rep):
    campaign, lead = CampaignFactory(), LeadFactory(owner=rep)
    first = tag_lead_with_campaign(lead.pk, campaign, by=rep)
    again = tag_lead_with_campaign(lead.pk, campaign, by=rep)
    assert first.pk == again.pk
    assert (again.status, again.created_at) == ("sent", first.created_at)
    assert CampaignMember.objects.count() == 1


def test_tagging_moves_a_member_forward_but_never_back(rep):
    campaign, lead = CampaignFactory(), LeadFactory(owner=rep)
    tag_lead_with_campaign(lead.pk, campaign, status="attended", by=rep)
    member = tag_lead_with_campaign(lead.pk, campaign, status="sent", by=rep)
    assert member.status == "attended" and member.has_responded and member.first_responded_at is not None


def test_tagging_an_unknown_lead_is_a_validation_error_on_lead():
    with pytest.raises(ValidationError) as error:
        tag_lead_with_campaign(999999, CampaignFactory(), by=None)
    assert "lead" in error.value.message_dict


def test_a_member_is_a_lead_or_a_contact_never_both(rep):
    campaign, lead, contact = CampaignFactory(), LeadFactory(owner=rep), ContactFactory(owner=rep)
    with pytest.raises(ValidationError):
        add_campaign_member(campaign, by=rep, lead=lead, contact=contact)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignMember.objects.create(campaign=campaign, lead=lead, contact=contact, created_at=timezone.now())
    member, created = add_campaign_member(campaign, by=rep, contact=contact)
    assert created and member.contact == contact


def test_the_first_response_is_stamped_once(rep):
    member = tag_lead_with_campaign(LeadFactory(owner=rep).pk, CampaignFactory(), by=rep)
    member = set_member_status(member, status="responded", by=rep)
    stamped = member.first_responded_at
    member = set_member_status(member, status="sent", by=rep)
    member = set_member_status(member, status="attended", by=rep)
    assert member.first_responded_at == stamped


def test_bulk_tagging_skips_leads_already_members(rep):
    campaign = CampaignFactory()
    leads = [LeadFactory(owner=rep) for _ in range(3)]
    tag_lead_with_campaign(leads[0].pk, campaign, status="attended", by=rep)
    assert tag_leads_with_campaign([lead.pk for lead in leads], campaign, by=rep) == 2
    assert tag_leads_with_campaign([lead.pk for lead in leads], campaign, by=rep) == 0
    assert CampaignMember.objects.get(lead=leads[0]).status == "attended"


def test_first_and_last_touch_follow_membership_times_and_removal(rep):
    lead = LeadFactory(owner=rep)
    a, b, c = CampaignFactory(), CampaignFactory(), CampaignFactory()
    now = timezone.now()
    tag_lead_with_campaign(lead.pk, b, by=rep, at=now - timedelta(days=1))
    tag_lead_with_campaign(lead.pk, a, by=rep, at=now - timedelta(days=5))
    last = tag_lead_with_campaign(lead.pk, c, by=rep, at=now)
    assert get_campaign_touches(lead.pk) == (a.pk, c.pk)
    annotated = annotate_campaign_touches(Lead.objects.filter(pk=lead.pk)).get()
    assert (annotated.first_touch_campaign_id, annotated.last_touch_campaign_id) == (a.pk, c.pk)
    remove_campaign_member(last, by=rep)
    assert get_campaign_touches(lead.pk) == (a.pk, b.pk)
    assert get_campaign_touches(LeadFactory().pk) == (None, None)
