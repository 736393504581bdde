"""Tagging leads with a campaign from the lead API and web-to-lead; first and last touch in the lead API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import CampaignMember
from leads.models import Lead, WebForm
from tests.factories import CampaignFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def test_a_lead_created_through_the_api_with_a_campaign_becomes_a_sent_member(api, rep):
    campaign = CampaignFactory()
    response = api(rep).post("/api/v1/leads/", {"last_name": "Doe", "campaign": campaign.pk}, format="json")
    assert response.status_code == 201, response.content
    member = CampaignMember.objects.get()
    assert (member.campaign, member.lead_id, member.status) == (campaign, response.json()["id"], "sent")
    assert response.json()["first_touch_campaign"] == campaign.pk
    assert response.json()["last_touch_campaign"] == campaign.pk


def test_an_unknown_campaign_is_a_400_naming_the_field_and_creates_no_lead(api, rep):
    response = api(rep).post("/api/v1/leads/", {"last_name": "Doe", "campaign": 999999}, format="json")
    assert response.status_code == 400
    assert "campaign" in response.json()
    assert not Lead.objects.exists()


def test_editing_a_lead_with_a_campaign_tags_it_once(api, rep):
    campaign = CampaignFactory()
    lead = LeadFactory(owner=rep)
    client = api(rep)
    for _ in range(2):
        response = client.patch(f"/api/v1/leads/{lead.pk}/", {"campaign": campaign.pk}, format="json")
        assert response.status_code == 200, response.content
    assert CampaignMember.objects.filter(lead=lead, campaign=campaign).count() == 1


def test_the_lead_list_shows_first_and_last_touch_at_a_fixed_query_count(api, rep, django_assert_max_num_queries):
    # given: each lead joined an early campaign, then a later one
    early, late = CampaignFactory(name="Early"), CampaignFactory(name="Late")
    then = timezone.now() - timedelta(days=3)

    def make_leads(n):
        for _ in range(n):
            lead = LeadFactory(owner=rep)
            CampaignMember.objects.create(campaign=late, lead=lead, created_at=then + timedelta(days=1))
            CampaignMember.objects.create(campaign=early, lead=lead, created_at=then)

    make_leads(2)
    client = api(rep)
    with django_assert_max_num_queries(10) as few:
        rows = client.get("/api/v1/leads/").json()["results"]
    make_leads(10)
    # when
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get("/api/v1/leads/").json()["results"]
    # then
    assert len(rows) == 12
    assert {(row["first_touch_campaign"], row["last_touch_campaign"]) for row in rows} == {(early.pk, late.pk)}


@pytest.fixture
def web_form(db):
    return WebForm.objects.create(name="Webinar signup", form_key="webinar-key", default_source="webinar")


@pytest.mark.parametrize("field", ["campaign", "campaign_id"])
def test_web_to_lead_tags_the_lead_as_responded(web_form, client, field):
    campaign = CampaignFactory()
    response = client.post(
        "/api/v1/web-to-lead/", {"form_key": "webinar-key", "last_name": "Doe", "email": "d@x.test", field: campaign.pk}
    )
    assert response.status_code == 201
    member = CampaignMember.objects.get()
    assert (member.lead.email, member.campaign, member.status) == ("d@x.test", campaign, "responded")
    assert member.first_responded_at is not None


@pytest.mark.parametrize("field", ["campaign", "campaign_id"])
def test_web_to_lead_refuses_an_unknown_or_aborted_campaign_naming_the_field(web_form, client, field):
    aborted = CampaignFactory(status="aborted")
    for value in (aborted.pk, 999999, "abc"):
        response = client.post("/api/v1/web-to-lead/", {"form_key": "webinar-key", "last_name": "Doe", field: value})
        assert response.status_code == 400
        assert field in response.json()
    assert not Lead.objects.exists()
