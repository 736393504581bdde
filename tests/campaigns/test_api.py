"""The campaign API: everyone reads campaigns, managers and admins write them, members never leak hidden leads."""

import pytest

from campaigns.models import Campaign, CampaignMember
from campaigns.services import tag_lead_with_campaign
from tests.factories import CampaignFactory, ContactFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def test_a_rep_lists_and_reads_campaigns_but_may_not_create_one(api, rep):
    # given
    campaign = CampaignFactory(name="Spring webinar")
    client = api(rep)
    # when
    listed = client.get("/api/v1/campaigns/")
    read = client.get(f"/api/v1/campaigns/{campaign.pk}/")
    created = client.post("/api/v1/campaigns/", {"name": "Mine", "type": "email"}, format="json")
    # then
    assert [row["id"] for row in listed.json()["results"]] == [campaign.pk]
    assert read.json()["name"] == "Spring webinar"
    assert created.status_code == 403
    assert created.json()["code"] == "campaign_managers_only"
    assert not Campaign.objects.filter(name="Mine").exists()


def test_a_manager_creates_edits_and_deletes_a_campaign(api, manager):
    client = api(manager)
    parent = CampaignFactory(name="Launch")
    created = client.post(
        "/api/v1/campaigns/",
        {"name": "Launch webinar", "type": "webinar", "actual_cost": "2500.00", "parent": parent.pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["actual_cost"] == "2500.00"
    assert body["owner"] == manager.pk
    assert body["parent"] == parent.pk
    edited = client.patch(f"/api/v1/campaigns/{body['id']}/", {"status": "completed"}, format="json")
    assert edited.status_code == 200
    assert Campaign.objects.get(pk=body["id"]).status == "completed"
    refused = client.delete(f"/api/v1/campaigns/{parent.pk}/")
    assert refused.status_code == 409
    assert client.delete(f"/api/v1/campaigns/{body['id']}/").status_code == 204


def test_a_rep_may_not_edit_or_delete_a_campaign(api, rep):
    campaign = CampaignFactory()
    client = api(rep)
    assert client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/campaigns/{campaign.pk}/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).name != "x"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A", "type": "billboard"}, "type"),
        ({"name": "A", "actual_cost": "-1"}, "actual_cost"),
        ({"name": "A", "parent": 999999}, "parent"),
        ({"name": "A", "start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date"),
        ({"type": "email"}, "name"),
    ],
)
def test_bad_campaign_input_is_a_400_naming_the_field(api, admin, payload, field):
    response = api(admin).post("/api/v1/campaigns/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Campaign.objects.exists()


def test_no_credentials_is_a_401(api):
    assert api().get("/api/v1/campaigns/").status_code == 401


def test_members_list_only_the_leads_and_contacts_the_caller_can_see(api, rep, other_rep):
    # given
    campaign = CampaignFactory()
    mine, theirs = LeadFactory(owner=rep), LeadFactory(owner=other_rep)
    their_contact = ContactFactory(owner=other_rep)
    for lead in (mine, theirs):
        tag_lead_with_campaign(lead.pk, campaign, by=None)
    CampaignMember.objects.create(campaign=campaign, contact=their_contact, created_at=mine.created_at)
    # when
    rows = api(rep).get(f"/api/v1/campaigns/{campaign.pk}/members/").json()["results"]
    # then
    assert [row["lead"] for row in rows] == [mine.pk]
    hidden = CampaignMember.objects.get(lead=theirs)
    assert (
        api(rep)
        .patch(f"/api/v1/campaigns/{campaign.pk}/members/{hidden.pk}/", {"status": "attended"}, format="json")
        .status_code
        == 404
    )
    assert api(rep).delete(f"/api/v1/campaigns/{campaign.pk}/members/{hidden.pk}/").status_code == 404
    assert CampaignMember.objects.filter(pk=hidden.pk).exists()


def test_a_rep_adds_their_lead_as_a_member_and_sets_its_status(api, rep):
    campaign = CampaignFactory()
    lead = LeadFactory(owner=rep)
    client = api(rep)
    added = client.post(f"/api/v1/campaigns/{campaign.pk}/members/", {"lead": lead.pk}, format="json")
    assert added.status_code == 201, added.content
    assert added.json()["status"] == "sent"
    again = client.post(f"/api/v1/campaigns/{campaign.pk}/members/", {"lead": lead.pk}, format="json")
    assert again.status_code == 200
    member_id = added.json()["id"]
    changed = client.patch(
        f"/api/v1/campaigns/{campaign.pk}/members/{member_id}/", {"status": "attended"}, format="json"
    )
    assert changed.json()["has_responded"] is True
    assert changed.json()["first_responded_at"] is not None
    assert CampaignMember.objects.filter(campaign=campaign).count() == 1
    assert client.delete(f"/api/v1/campaigns/{campaign.pk}/members/{member_id}/").status_code == 204
    assert not CampaignMember.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"lead": 999999}, "lead"),
        ({"contact": 999999}, "contact"),
        ({}, "lead"),
        ({"lead": 1, "status": "x"}, "status"),
    ],
)
def test_bad_member_input_is_a_400_naming_the_field(api, rep, payload, field):
    campaign = CampaignFactory()
    response = api(rep).post(f"/api/v1/campaigns/{campaign.pk}/members/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_rep_may_not_add_someone_elses_lead(api, rep, other_rep):
    campaign = CampaignFactory()
    theirs = LeadFactory(owner=other_rep)
    response = api(rep).post(f"/api/v1/campaigns/{campaign.pk}/members/", {"lead": theirs.pk}, format="json")
    assert response.status_code == 400
    assert "lead" in response.json()
    assert not CampaignMember.objects.exists()


def test_the_members_list_costs_the_same_queries_however_long(api, admin, django_assert_max_num_queries):
    campaign = CampaignFactory()
    for _ in range(3):
        tag_lead_with_campaign(LeadFactory().pk, campaign, by=None)
    client = api(admin)
    with django_assert_max_num_queries(6) as small:
        client.get(f"/api/v1/campaigns/{campaign.pk}/members/")
    for _ in range(20):
        tag_lead_with_campaign(LeadFactory().pk, campaign, by=None)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(f"/api/v1/campaigns/{campaign.pk}/members/").json()["results"]) == 23


def test_the_campaigns_are_in_the_openapi_schema(api, admin):
    schema = api(admin).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/campaigns/" in schema["paths"]
    assert "/api/v1/campaigns/{id}/members/" in schema["paths"]
    assert "/api/v1/campaigns/{id}/report/" in schema["paths"]
    assert "/api/v1/reports/campaigns/" in schema["paths"]
