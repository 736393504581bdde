"""Territories: leads by country, region, postal-code range and named accounts go to the territory's reps."""

import pytest
from django.core.exceptions import ValidationError

from assignment import services
from assignment.models import AssignmentRule, Territory
from assignment.territories import parse_postal_range, postal_in_range
from leads.models import Lead
from tests.factories import AccountFactory, AssignmentRuleFactory, LeadFactory, UserFactory


@pytest.fixture
def berlin(db):
    AssignmentRule.objects.update(active=False)  # only the rules of each test route
    territory = Territory.objects.create(name="Berlin", countries=["Germany"], postal_ranges=["10000-14999"])
    rep = UserFactory(username="berlin_rep", role="rep")
    territory.reps.add(rep)
    AssignmentRuleFactory(name="Berlin", order=1, target_territory=territory)
    return territory, rep


def owner_of(lead):
    return Lead.objects.get(pk=lead.pk).owner


@pytest.mark.parametrize(
    ("text", "code", "inside"),
    [
        ("10000-14999", "10115", True),
        ("10000-14999", "15001", False),
        ("10000-14999", "9999", False),
        ("SW1-SW9", "sw1a 1aa", True),
        ("SW1-SW9", "SE1 7PB", False),
        ("75001", "75001", True),
        ("100-149", "10115", True),  # a prefix range: the first three digits
    ],
)
def test_postal_ranges(text, code, inside):
    assert postal_in_range(code, parse_postal_range(text)) is inside


@pytest.mark.parametrize("text", ["abc-12", "200-100", "1000-999", "!!"])
def test_malformed_postal_ranges_are_refused(db, text):
    assert parse_postal_range(text) is None
    with pytest.raises(ValidationError):
        Territory(name="x", postal_ranges=[text]).full_clean()


def test_a_lead_in_the_postal_range_goes_to_the_territorys_rep(berlin):
    _territory, rep = berlin
    inside = LeadFactory(country="germany", postal_code="10115")
    outside = LeadFactory(country="Germany", postal_code="80331")
    elsewhere = LeadFactory(country="Austria", postal_code="10115")

    for lead in (inside, outside, elsewhere):
        services.assign_lead(lead)

    assert owner_of(inside) == rep
    assert owner_of(outside) is None and owner_of(elsewhere) is None


def test_the_bulk_path_routes_territories_like_the_single_path(berlin):
    _territory, rep = berlin
    leads = [LeadFactory(country="Germany", postal_code=code) for code in ("10115", "12049", "80331")]

    result = services.assign_leads_bulk(Lead.objects.all())

    assert sorted(result.assigned[rep.pk]) == sorted(lead.pk for lead in leads[:2])
    assert owner_of(leads[2]) is None


def test_regions_narrow_a_country(db):
    AssignmentRule.objects.update(active=False)
    west = Territory.objects.create(name="US West", countries=["United States"], regions=["CA", "OR", "WA"])
    rep = UserFactory(username="west", role="rep")
    west.reps.add(rep)
    AssignmentRuleFactory(target_territory=west)
    ca, ny = LeadFactory(country="United States", state="ca"), LeadFactory(country="United States", state="NY")

    services.assign_lead(ca)
    services.assign_lead(ny)

    assert owner_of(ca) == rep and owner_of(ny) is None


def test_a_named_account_puts_its_matched_leads_in_the_territory(db, default_stages):
    from opportunities.models import Stage
    from tests.factories import OpportunityFactory

    AssignmentRule.objects.update(active=False)
    inactive_owner = UserFactory(username="gone", role="rep", is_active=False)
    customer = AccountFactory(owner=inactive_owner, name="Globex", domain="globex.example")
    OpportunityFactory(owner=inactive_owner, account=customer, stage=Stage.objects.get(is_won=True))
    strategic = Territory.objects.create(name="Strategic accounts")
    strategic.named_accounts.add(customer)
    rep = UserFactory(username="strategic", role="rep")
    strategic.reps.add(rep)
    AssignmentRuleFactory(target_territory=strategic)
    lead = LeadFactory(email="jo@globex.example", company="Globex Inc", country="Peru")

    services.assign_lead(lead)

    lead.refresh_from_db()
    assert lead.owner == rep and lead.matched_account == customer


def test_a_rule_targets_one_of_user_team_or_territory(db):
    territory = Territory.objects.create(name="T")
    rule = AssignmentRule(name="Both", target_user=UserFactory(), target_territory=territory)

    with pytest.raises(ValidationError) as error:
        rule.full_clean()

    assert "target_team" in error.value.message_dict
