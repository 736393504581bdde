"""Account-based routing: a lead from an existing customer's company goes to the account's owner."""

import pytest

from activities.models import Event
from assignment import services
from assignment.matching import match_customer_accounts
from leads.models import Lead
from opportunities.models import Stage
from tests.factories import AccountFactory, AssignmentRuleFactory, LeadFactory, OpportunityFactory, UserFactory


@pytest.fixture
def customer(db, default_stages):
    owner = UserFactory(username="acct_owner", role="rep", function="ae")
    account = AccountFactory(owner=owner, name="Initech", domain="initech.example", normalized_name="initech")
    OpportunityFactory(owner=owner, account=account, stage=Stage.objects.get(is_won=True))
    return account


def test_a_lead_from_a_customers_domain_goes_to_the_account_owner(customer):
    lead = LeadFactory(email="bob@initech.example", company="Bob's side project")

    services.assign_lead(lead)

    lead.refresh_from_db()
    assert lead.owner == customer.owner
    assert lead.matched_account == customer
    event = Event.objects.get(lead=lead, kind="assigned")
    assert "Initech" in event.summary and event.data["method"] == "account"


def test_a_lead_naming_the_customer_company_matches_it_in_bulk(customer):
    by_name = LeadFactory(email="", company="INITECH, Inc.")
    stranger = LeadFactory(email="x@elsewhere.example", company="Elsewhere")

    services.assign_leads_bulk([by_name.pk, stranger.pk])

    assert Lead.objects.get(pk=by_name.pk).owner == customer.owner
    assert Lead.objects.get(pk=by_name.pk).matched_account == customer
    assert Lead.objects.get(pk=stranger.pk).matched_account is None


def test_an_account_without_a_won_deal_is_not_a_customer(db, default_stages):
    owner = UserFactory(username="prospect_owner", role="rep")
    prospect = AccountFactory(owner=owner, name="Prospect", domain="prospect.example")
    OpportunityFactory(owner=owner, account=prospect)  # open, not won
    lead = LeadFactory(email="a@prospect.example")

    assert match_customer_accounts([lead]) == {}


def test_free_mail_addresses_never_match(customer):
    customer.domain = "gmail.com"
    customer.save(update_fields=["domain"])

    assert match_customer_accounts([LeadFactory(email="someone@gmail.com", company="")]) == {}


def test_an_owner_who_does_not_take_leads_lets_the_rules_decide_but_the_match_is_kept(customer):
    customer.owner.accepts_leads = False
    customer.owner.save(update_fields=["accepts_leads"])
    other = UserFactory(username="other", role="rep")
    AssignmentRuleFactory(name="Everyone")
    lead = LeadFactory(email="bob@initech.example")

    services.assign_lead(lead)

    lead.refresh_from_db()
    assert lead.owner == other and lead.matched_account == customer


@pytest.mark.parametrize("postal", ["10115", "80331"])
def test_an_import_routes_a_customers_lead_to_the_account_owner_and_territories_by_postal_code(customer, admin, postal):
    """Both import paths (set-based on PostgreSQL, row by row on SQLite) see the email and the postal code."""
    import csv
    import io

    from django.core.files.base import ContentFile

    from assignment.models import Territory
    from imports.services import create_import, run_import
    from tests.factories import AssignmentRuleFactory

    berlin_rep = UserFactory(username="berlin", role="rep")
    berlin = Territory.objects.create(name="Berlin", countries=["Germany"], postal_ranges=["10000-14999"])
    berlin.reps.add(berlin_rep)
    AssignmentRuleFactory(name="Berlin", order=1, target_territory=berlin)
    text = io.StringIO()
    csv.writer(text).writerows(
        [
            ["Last Name", "Email", "Country", "PostalCode"],
            ["Customer", "eve@initech.example", "Germany", postal],
            ["Local", "max@berlin-gmbh.example", "Germany", postal],
        ]
    )
    job = create_import(by=admin, file=ContentFile(text.getvalue().encode(), name="l.csv"), enqueue=False)

    run_import(job.pk)

    customer_lead = Lead.objects.get(email="eve@initech.example")
    assert customer_lead.owner == customer.owner and customer_lead.matched_account == customer
    local = Lead.objects.get(email="max@berlin-gmbh.example")
    assert (local.owner == berlin_rep) is (postal == "10115")
    assert local.postal_code == postal
