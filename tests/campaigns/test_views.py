"""Campaign pages: the list, a campaign with its members and report, the forms for managers only, the lead panel."""

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services import tag_lead_with_campaign
from tests.factories import CampaignFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_every_campaign_at_a_fixed_query_count(client, rep, django_assert_max_num_queries):
    CampaignFactory(name="Spring webinar")
    client.force_login(rep)
    with django_assert_max_num_queries(20) as few:
        page = client.get("/campaigns/")
    assert "Spring webinar" in page.content.decode()
    assert reverse("campaigns:create") not in page.content.decode()
    for _ in range(15):
        CampaignFactory(parent=Campaign.objects.first())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/campaigns/").status_code == 200


def test_a_campaign_page_lists_only_members_the_user_can_see(client, rep, other_rep):
    campaign = CampaignFactory(name="Expo")
    mine = LeadFactory(owner=rep, last_name="Mine")
    theirs = LeadFactory(owner=other_rep, last_name="Theirs")
    for lead in (mine, theirs):
        tag_lead_with_campaign(lead.pk, campaign, by=None)
    client.force_login(rep)
    page = client.get(f"/campaigns/{campaign.pk}/?attribution=even_split").content.decode()
    assert "Mine" in page and "Theirs" not in page
    assert "Results" in page and 'value="even_split" selected' in page


def test_an_unknown_campaign_is_a_404(client, rep):
    client.force_login(rep)
    assert client.get("/campaigns/999999/").status_code == 404


def test_a_rep_gets_403_on_the_campaign_forms(client, rep):
    campaign = CampaignFactory()
    client.force_login(rep)
    assert client.get("/campaigns/new/").status_code == 403
    assert client.post(f"/campaigns/{campaign.pk}/edit/", {"name": "x"}).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).name != "x"


def test_a_manager_creates_and_edits_a_campaign_through_the_forms(client, manager):
    client.force_login(manager)
    response = client.post(
        "/campaigns/new/",
        {"name": "Launch", "type": "webinar", "status": "planned", "actual_cost": "1200", "owner": manager.pk},
    )
    campaign = Campaign.objects.get(name="Launch")
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/"
    bad = client.post(
        f"/campaigns/{campaign.pk}/edit/",
        {
            "name": "Launch",
            "type": "webinar",
            "status": "planned",
            "start_date": "2026-05-02",
            "end_date": "2026-05-01",
        },
    )
    assert bad.status_code == 200 and "end date" in bad.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).end_date is None


def test_the_campaign_dashboard_shows_each_campaign(client, manager):
    CampaignFactory(name="Expo")
    client.force_login(manager)
    page = client.get("/dashboard/campaigns/?attribution=last_touch")
    assert page.status_code == 200 and "Expo" in page.content.decode()


def test_the_lead_page_shows_first_and_last_touch(client, rep):
    lead = LeadFactory(owner=rep)
    tag_lead_with_campaign(lead.pk, CampaignFactory(name="Ebook"), by=rep)
    client.force_login(rep)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "First touch" in page and "Ebook" in page
