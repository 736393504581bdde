"""SDR → AE hand-off: an SDR's conversion gives the deal to an AE and keeps the SDR credited."""

import pytest

from conversion.services import convert_lead
from opportunities.models import Opportunity, Stage
from tests.factories import AccountFactory, OpportunityFactory, UserFactory, qualified_lead
from users.models import User


@pytest.fixture
def sdr(team):
    return UserFactory(username="sdr1", role="rep", function=User.Function.SDR, team=team)


def ae(username, team=None, **fields):
    return UserFactory(username=username, role="rep", function=User.Function.AE, team=team, **fields)


def test_an_sdrs_conversion_hands_the_new_records_to_an_ae_of_the_team_and_credits_the_sdr(sdr, team):
    closer = ae("ae1", team)
    ae("ae_elsewhere")

    result = convert_lead(qualified_lead(sdr), by=sdr)

    assert result.opportunity.owner == closer
    assert result.opportunity.sourced_by == sdr
    assert result.account.owner == closer and result.contact.owner == closer
    result.lead.refresh_from_db()
    assert result.lead.owner == sdr


def test_the_existing_accounts_ae_owner_takes_the_deal(sdr, team, manager):
    ae("ae1", team)
    account_owner = ae("ae2", team)
    OpportunityFactory(owner=account_owner)  # busier than ae1: the account, not the load, decides
    customer = AccountFactory(owner=account_owner, name="Acme", domain="acme.example")

    result = convert_lead(qualified_lead(sdr, company="Acme", email="jo@acme.example"), by=manager)

    assert result.account == customer
    assert result.opportunity.owner == account_owner and result.opportunity.sourced_by == sdr


def test_the_least_loaded_ae_takes_the_deal(sdr, team, default_stages):
    busy, free = ae("ae_busy", team), ae("ae_free", team)
    OpportunityFactory(owner=busy)

    result = convert_lead(qualified_lead(sdr), by=sdr)

    assert result.opportunity.owner == free


def test_inactive_aes_are_skipped_and_without_any_ae_the_sdr_keeps_the_deal(sdr, team):
    ae("ae_gone", team, is_active=False)

    result = convert_lead(qualified_lead(sdr), by=sdr)

    assert result.opportunity.owner == sdr and result.opportunity.sourced_by == sdr


def test_a_manager_choosing_the_owner_overrides_the_hand_off_but_the_sdr_stays_credited(sdr, team, manager):
    ae("ae1", team)
    chosen = UserFactory(username="closer", role="rep", team=team)

    result = convert_lead(qualified_lead(sdr), by=manager, owner=chosen)

    assert result.opportunity.owner == chosen and result.opportunity.sourced_by == sdr


def test_a_reps_conversion_without_functions_is_unchanged(rep):
    result = convert_lead(qualified_lead(rep), by=rep)

    assert result.opportunity.owner == rep and result.opportunity.sourced_by is None
    assert Opportunity.objects.filter(sourced_by__isnull=False).count() == 0


def test_the_territorys_ae_takes_the_deal_before_the_team_ae(sdr, team):
    from assignment.models import Territory

    ae("ae_team", team)
    berlin_ae = ae("ae_berlin")
    berlin = Territory.objects.create(name="Berlin", countries=["Germany"], postal_ranges=["10000-14999"])
    berlin.reps.add(berlin_ae, sdr)

    result = convert_lead(qualified_lead(sdr, country="Germany", postal_code="10117"), by=sdr)

    assert result.opportunity.owner == berlin_ae and result.opportunity.sourced_by == sdr


def test_the_deal_page_and_the_api_show_who_sourced_it(client, api, sdr, team):
    closer = ae("ae1", team)
    deal = convert_lead(qualified_lead(sdr), by=sdr).opportunity
    client.force_login(closer)

    page = client.get(f"/opportunities/{deal.pk}/")

    assert page.status_code == 200 and "data-sourced-by" in page.text and sdr.display_name in page.text
    assert api(closer).get(f"/api/v1/opportunities/{deal.pk}/").json()["sourced_by"] == sdr.pk


def test_the_sdr_lands_on_the_lead_page_after_handing_the_deal_over(client, sdr, team):
    closer = ae("ae1", team)
    lead = qualified_lead(sdr)
    client.force_login(sdr)

    stage = Stage.objects.open().first().pk
    data = {"account": "new", "contact": "new", "create_opportunity": "on", "stage": stage}
    response = client.post(f"/leads/{lead.pk}/convert/", data)

    assert response.status_code == 302, response.content[:500]
    assert response.url == f"/leads/{lead.pk}/"
    follow = client.get(response.url)
    assert closer.display_name in follow.text
