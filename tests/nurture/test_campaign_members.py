"""A sequence that names a campaign makes the leads it sends to members of that campaign."""

import pytest

from campaigns.models import CampaignMember
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import send_due_steps
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_lead_sent_a_step_becomes_a_sent_member_once(rep, sequence):
    # given
    campaign = CampaignFactory(type="email")
    sequence.campaign = campaign
    sequence.save(update_fields=["campaign"])
    lead = LeadFactory(owner=rep, email="ada@engines.example")
    enroll_lead(lead, sequence=sequence, by=rep)
    # when
    assert send_due_steps() == 1
    # then
    member = CampaignMember.objects.get()
    assert (member.campaign, member.lead, member.status) == (campaign, lead, "sent")


def test_a_member_who_responded_stays_responded_when_another_step_is_sent(rep, sequence):
    campaign = CampaignFactory(type="email")
    sequence.campaign = campaign
    sequence.save(update_fields=["campaign"])
    lead = LeadFactory(owner=rep, email="ada@engines.example")
    CampaignMember.objects.create(campaign=campaign, lead=lead, status="responded", created_at=lead.created_at)
    enroll_lead(lead, sequence=sequence, by=rep)
    send_due_steps()
    assert CampaignMember.objects.get().status == "responded"


def test_a_sequence_without_a_campaign_tags_nobody(rep, sequence):
    enroll_lead(LeadFactory(owner=rep, email="ada@engines.example"), sequence=sequence, by=rep)
    send_due_steps()
    assert not CampaignMember.objects.exists()


def test_the_sequence_api_takes_a_campaign(api, manager, sequence):
    campaign = CampaignFactory()
    response = api(manager).patch(f"/api/v1/sequences/{sequence.pk}/", {"campaign": campaign.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["campaign"] == campaign.pk
    bad = api(manager).patch(f"/api/v1/sequences/{sequence.pk}/", {"campaign": 999999}, format="json")
    assert bad.status_code == 400 and "campaign" in bad.json()
