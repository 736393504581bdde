"""The conversion service: matching, mapping, merging, exactly once, all or nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import create_account
from activities.models import Activity, Event
from contacts.models import AccountContactRelation, Contact
from contacts.services import create_contact
from conversion.notifications import notify_conversion
from conversion.services import convert_lead
from core.exceptions import PermissionDenied
from leads.exceptions import LeadAlreadyConverted, LeadNotConvertible
from leads.models import Lead, LeadStatusChange
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage
from tests import factories
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def qualified_lead(owner, **fields):
    """The shared qualified lead, qualified two days ago and without a website (matching goes by email domain)."""
    return factories.qualified_lead(
        owner, **{"website": "", "qualified_at": timezone.now() - timedelta(days=2), **fields}
    )


def account_of(owner, **fields):
    fields.setdefault("name", "Unrelated Holdings")
    return create_account(by=owner, **fields)


def snapshot():
    return {
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "relations": AccountContactRelation.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "roles": OpportunityContactRole.objects.count(),
        "stage_changes": OpportunityStageChange.objects.count(),
        "events": Event.objects.count(),
        "status_changes": LeadStatusChange.objects.count(),
        "leads": list(Lead.objects.order_by("pk").values()),
    }


def test_a_lead_with_no_match_becomes_a_new_account_contact_and_opportunity_with_every_field_mapped(rep):
    lead = qualified_lead(
        rep,
        first_name="Grace",
        last_name="Hopper",
        email="grace@navy.example",
        phone="+1 555 0100",
        company="Navy Systems Inc.",
        title="Rear Admiral",
        website="https://www.navy.example/about",
        industry="Defense",
        employees=1200,
        annual_revenue=Decimal("5000000.00"),
        country="US",
        city="Arlington",
        source=Lead.Source.REFERRAL,
        do_not_contact=True,
    )

    conversion = convert_lead(lead, by=rep)

    account, contact, opportunity = conversion.account, conversion.contact, conversion.opportunity
    assert conversion.account_created and conversion.contact_created
    account.refresh_from_db()
    assert (account.name, account.website, account.domain) == (
        "Navy Systems Inc.",
        "https://www.navy.example/about",
        "navy.example",
    )
    assert (account.industry, account.employees, account.annual_revenue, account.phone) == (
        "Defense",
        1200,
        Decimal("5000000.00"),
        "+1 555 0100",
    )
    assert (account.billing_city, account.billing_country, account.owner) == ("Arlington", "US", rep)
    assert account.normalized_name == "navy systems"
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.email, contact.phone, contact.title) == (
        "Grace",
        "Hopper",
        "grace@navy.example",
        "+1 555 0100",
        "Rear Admiral",
    )
    assert (contact.mailing_city, contact.mailing_country, contact.lead_source, contact.do_not_contact) == (
        "Arlington",
        "US",
        "referral",
        True,
    )
    assert contact.account == account and contact.owner == rep
    assert AccountContactRelation.objects.filter(account=account, contact=contact, is_primary=True).exists()
    opportunity.refresh_from_db()
    assert opportunity.name == "Navy Systems Inc. \u2013 Grace Hopper"
    assert opportunity.account == account and opportunity.owner == rep
    assert opportunity.stage == Stage.objects.open().order_by("order").first()
    assert opportunity.probability == opportunity.stage.probability
    assert opportunity.close_date == timezone.localdate() + timedelta(days=30)
    assert opportunity.amount is None and opportunity.lead_source == "referral"
    assert OpportunityContactRole.objects.filter(opportunity=opportunity, contact=contact, is_primary=True).exists()
    assert OpportunityStageChange.objects.filter(opportunity=opportunity, from_stage=None).count() == 1


def test_the_converted_lead_is_stamped_with_its_three_records_and_its_status_change(rep):
    qualified_at = timezone.now() - timedelta(days=5)
    lead = qualified_lead(rep, qualified_at=qualified_at)

    conversion = convert_lead(lead, by=rep)

    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED and lead.converted_at is not None
    assert lead.qualified_at == qualified_at
    assert lead.converted_account == conversion.account
    assert lead.converted_contact == conversion.contact
    assert lead.converted_opportunity == conversion.opportunity
    change = LeadStatusChange.objects.filter(lead=lead).latest("changed_at")
    assert (change.from_status, change.to_status, change.changed_by) == ("qualified", "converted", rep)


def test_a_lead_that_was_never_qualified_gets_its_sql_milestone_at_conversion(rep):
    lead = qualified_lead(rep, status=Lead.Status.WORKING, qualified_at=None)

    convert_lead(lead, by=rep)

    lead.refresh_from_db()
    assert lead.qualified_at == lead.converted_at


def test_the_conversion_appears_on_the_timelines_of_all_four_records(rep):
    lead = qualified_lead(rep)

    conversion = convert_lead(lead, by=rep)

    for field, record in [
        ("lead", lead),
        ("account", conversion.account),
        ("contact", conversion.contact),
        ("opportunity", conversion.opportunity),
    ]:
        events = Event.objects.filter(**{field: record}, kind="converted")
        assert events.count() == 1, field
        assert "Ada Lovelace" in events.get().summary


def test_the_leads_activities_follow_the_person_to_the_contact_and_account(rep):
    lead = qualified_lead(rep)
    call = ActivityFactory(lead=lead, kind=Activity.Kind.CALL, owner=rep)
    elsewhere = account_of(rep, name="Other Co")
    meeting = ActivityFactory(lead=lead, account=elsewhere, kind=Activity.Kind.MEETING, owner=rep)

    conversion = convert_lead(lead, by=rep)

    call.refresh_from_db()
    meeting.refresh_from_db()
    assert (call.lead, call.contact, call.account) == (lead, conversion.contact, conversion.account)
    assert (meeting.contact, meeting.account) == (conversion.contact, elsewhere)


def test_the_lead_matches_the_single_visible_account_on_its_website_domain_and_fills_only_its_empty_fields(rep):
    account = account_of(rep, name="ACME Corporation", website="acme.example", industry="Retail")
    lead = qualified_lead(
        rep, company="Totally different name", website="https://acme.example", industry="Software", phone="+44 1"
    )

    conversion = convert_lead(lead, by=rep)

    assert conversion.account == account and not conversion.account_created
    account.refresh_from_db()
    assert account.name == "ACME Corporation"
    assert account.industry == "Retail"
    assert account.phone == "+44 1"
    assert Account.objects.count() == 1


def test_the_lead_matches_an_account_by_its_email_domain(rep):
    account = account_of(rep, name="Someone", website="https://www.acme.example")
    lead = qualified_lead(rep, email="ada@ACME.example", company="")

    assert convert_lead(lead, by=rep).account == account


def test_a_free_mail_domain_never_matches_an_account(rep):
    account_of(rep, name="Gmail fans", website="gmail.com")
    lead = qualified_lead(rep, email="ada@gmail.com", company="Analytical Engines")

    conversion = convert_lead(lead, by=rep)

    assert conversion.account_created
    assert conversion.account.name == "Analytical Engines"
    assert conversion.account.domain == ""


@pytest.mark.parametrize(
    ("account_name", "lead_company"),
    [
        ("Acme, Inc.", "ACME LLC"),
        ("Société Générale SA", "societe generale"),
        ("Müller & Söhne GmbH", "Muller and Sohne"),
        ("Initech B.V.", "initech bv"),
        ("Globex Ltd", "Globex"),
    ],
)
def test_the_lead_matches_an_account_by_company_name_ignoring_case_accents_punctuation_and_legal_suffixes(
    rep, account_name, lead_company
):
    account = account_of(rep, name=account_name)
    lead = qualified_lead(rep, email="ada@gmail.com", company=lead_company)

    conversion = convert_lead(lead, by=rep)

    assert conversion.account == account and not conversion.account_created


def test_several_candidate_accounts_give_a_new_account(rep):
    account_of(rep, name="Acme Inc")
    account_of(rep, name="ACME LLC")
    lead = qualified_lead(rep, email="ada@gmail.com", company="Acme")

    conversion = convert_lead(lead, by=rep)

    assert conversion.account_created
    assert Account.objects.count() == 3


def test_one_account_on_the_domain_wins_over_accounts_sharing_the_name(rep):
    by_domain = account_of(rep, name="Acme Europe", website="acme.example")
    account_of(rep, name="Acme")
    lead = qualified_lead(rep, company="Acme")

    assert convert_lead(lead, by=rep).account == by_domain


def test_accounts_the_acting_user_cannot_see_are_never_candidates(rep, other_rep):
    account_of(other_rep, name="Acme", website="acme.example")
    lead = qualified_lead(rep)

    conversion = convert_lead(lead, by=rep)

    assert conversion.account_created
    assert conversion.account.owner == rep


def test_the_matched_accounts_contact_with_the_same_email_is_reused_and_only_its_empty_fields_filled(rep):
    account = account_of(rep, name="Acme")
    contact = create_contact(by=rep, account=account, first_name="Ada", last_name="King", email="ADA@acme.example")
    lead = qualified_lead(rep, last_name="Lovelace", title="Analyst", phone="+44 2")

    conversion = convert_lead(lead, by=rep)

    assert conversion.contact == contact and not conversion.contact_created
    contact.refresh_from_db()
    assert (contact.last_name, contact.title, contact.phone) == ("King", "Analyst", "+44 2")


def test_a_contact_of_another_account_with_the_same_email_is_not_reused(rep):
    account = account_of(rep, name="Acme")
    create_contact(by=rep, account=account_of(rep, name="Elsewhere"), last_name="Lovelace", email="ada@acme.example")

    conversion = convert_lead(qualified_lead(rep), by=rep)

    assert conversion.account == account and conversion.contact_created


def test_a_contact_the_user_cannot_see_is_not_reused(rep, other_rep):
    account = account_of(rep, name="Acme")
    create_contact(by=other_rep, account=account, last_name="Lovelace", email="ada@acme.example")

    conversion = convert_lead(qualified_lead(rep), by=rep)

    assert conversion.contact_created


# Every combination of the account, contact and opportunity options. The lead's company matches account A in
# "match" mode only; contact C at A has the lead's email.
ACCOUNT_MODES = ["match", "no_match", "new", "existing"]
CONTACT_MODES = [None, "new", "existing"]


@pytest.mark.parametrize("create_opportunity", [True, False])
@pytest.mark.parametrize("contact_mode", CONTACT_MODES)
@pytest.mark.parametrize("account_mode", ACCOUNT_MODES)
def test_every_combination_of_options_converts_to_the_expected_records(
    rep, account_mode, contact_mode, create_opportunity
):
    a = account_of(rep, name="Acme" if account_mode == "match" else "Zenith Partners")
    c = create_contact(by=rep, account=a, last_name="Lovelace", email="ada@acme.example")
    lead = qualified_lead(rep)
    account_arg = {"match": None, "no_match": None, "new": "new", "existing": a}[account_mode]
    contact_arg = {None: None, "new": "new", "existing": c}[contact_mode]
    before = snapshot()

    if account_mode == "new" and contact_mode == "existing":
        with pytest.raises(ValidationError) as error:
            convert_lead(lead, by=rep, account=account_arg, contact=contact_arg, create_opportunity=create_opportunity)
        assert "contact" in error.value.message_dict
        assert snapshot() == before
        return

    conversion = convert_lead(
        lead, by=rep, account=account_arg, contact=contact_arg, create_opportunity=create_opportunity
    )

    # An explicit contact brings its account along when no account is given.
    expect_existing_account = account_mode in {"match", "existing"} or contact_mode == "existing"
    assert conversion.account_created is not expect_existing_account
    assert (conversion.account == a) is expect_existing_account
    expect_existing_contact = contact_mode == "existing" or (contact_mode is None and expect_existing_account)
    assert conversion.contact_created is not expect_existing_contact
    assert (conversion.contact == c) is expect_existing_contact
    assert conversion.contact.account == conversion.account
    assert (conversion.opportunity is not None) is create_opportunity
    lead.refresh_from_db()
    assert lead.converted_opportunity == conversion.opportunity
    assert Account.objects.count() == before["accounts"] + (0 if expect_existing_account else 1)
    assert Contact.objects.count() == before["contacts"] + (0 if expect_existing_contact else 1)
    assert Opportunity.objects.count() == before["opportunities"] + (1 if create_opportunity else 0)


def test_opportunity_overrides_set_its_name_amount_close_date_and_stage(rep):
    stage = Stage.objects.get(name="Proposal")

    conversion = convert_lead(
        qualified_lead(rep),
        by=rep,
        opportunity={
            "name": "Acme, 500 seats",
            "amount": Decimal("12500.00"),
            "close_date": date(2031, 1, 31),
            "stage": stage,
        },
    )

    opportunity = conversion.opportunity
    opportunity.refresh_from_db()
    assert (opportunity.name, opportunity.amount, opportunity.close_date) == (
        "Acme, 500 seats",
        Decimal("12500.00"),
        date(2031, 1, 31),
    )
    assert opportunity.stage == stage and opportunity.probability == stage.probability


def test_an_account_the_user_cannot_see_is_refused_naming_the_account(rep, other_rep):
    hidden = account_of(other_rep, name="Hidden")
    lead = qualified_lead(rep)
    before = snapshot()

    with pytest.raises(ValidationError) as error:
        convert_lead(lead, by=rep, account=hidden)

    assert "account" in error.value.message_dict
    assert snapshot() == before


def test_a_converted_lead_cannot_be_converted_again(rep):
    lead = qualified_lead(rep)
    convert_lead(lead, by=rep)
    before = snapshot()

    with pytest.raises(LeadAlreadyConverted):
        convert_lead(lead, by=rep)

    assert snapshot() == before


def test_an_unqualified_lead_is_not_convertible(rep):
    lead = qualified_lead(rep, status=Lead.Status.UNQUALIFIED)

    with pytest.raises(LeadNotConvertible):
        convert_lead(lead, by=rep)

    assert Account.objects.count() == 0


def test_a_failing_last_step_leaves_the_database_exactly_as_before(rep):
    account_of(rep, name="Acme")
    lead = qualified_lead(rep)
    ActivityFactory(lead=lead, owner=rep)
    before = snapshot()
    activities_before = list(Activity.objects.values())

    with pytest.raises(ValidationError) as error:
        convert_lead(lead, by=rep, account="new", opportunity={"amount": Decimal("-1.00")})

    assert "opportunity" in error.value.message_dict
    assert snapshot() == before
    assert list(Activity.objects.values()) == activities_before


def test_a_closed_stage_is_refused_for_the_new_opportunity(rep):
    lead = qualified_lead(rep)

    with pytest.raises(ValidationError) as error:
        convert_lead(lead, by=rep, opportunity={"stage": Stage.objects.get(name="Closed Won")})

    assert error.value.message_dict["opportunity"] == ["stage: Choose an open stage for a new opportunity."]
    assert Account.objects.count() == 0


def test_a_manager_chooses_the_owner_of_the_new_records(manager, rep):
    lead = qualified_lead(None)

    conversion = convert_lead(lead, by=manager, owner=rep)

    assert conversion.account.owner == conversion.contact.owner == conversion.opportunity.owner == rep


def test_a_rep_may_not_choose_another_owner(rep, other_rep):
    with pytest.raises(PermissionDenied):
        convert_lead(qualified_lead(rep), by=rep, owner=other_rep)


def test_the_new_records_belong_to_the_leads_owner_when_a_manager_converts(manager, rep):
    conversion = convert_lead(qualified_lead(rep), by=manager)

    assert conversion.account.owner == rep and conversion.opportunity.owner == rep


def test_the_new_owner_is_emailed_once_after_commit(rep, django_capture_on_commit_callbacks):
    lead = qualified_lead(rep)

    with django_capture_on_commit_callbacks(execute=True):
        conversion = convert_lead(lead, by=rep)
        assert mail.outbox == []

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email]
    assert "Ada Lovelace" in message.subject
    assert f"/opportunities/{conversion.opportunity.pk}/" in message.body
    assert notify_conversion(lead.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_conversion_emails_nobody(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        convert_lead(qualified_lead(rep), by=rep, opportunity={"amount": Decimal("-1")})

    assert mail.outbox == []


def test_one_conversion_costs_at_most_30_queries(rep, django_assert_max_num_queries):
    account = account_of(rep, name="Acme", website="acme.example")
    create_contact(by=rep, account=account, last_name="Lovelace", email="other@acme.example")
    lead = qualified_lead(rep, phone="+1 2")
    ActivityFactory(lead=lead, owner=rep)

    with django_assert_max_num_queries(30):
        convert_lead(lead, by=rep, account="new")
    with django_assert_max_num_queries(30):
        convert_lead(qualified_lead(rep, email="bob@acme.example", last_name="Bob"), by=rep)


def test_the_database_refuses_a_second_lead_on_the_same_opportunity(rep):
    conversion = convert_lead(qualified_lead(rep), by=rep)
    other = qualified_lead(rep, email="x@acme.example")

    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=other.pk).update(
            status=Lead.Status.CONVERTED,
            converted_at=timezone.now(),
            converted_account=conversion.account,
            converted_opportunity=conversion.opportunity,
        )


def test_the_database_refuses_a_converted_lead_without_its_account(rep):
    lead = qualified_lead(rep)

    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.CONVERTED, converted_at=timezone.now())


def test_several_leads_of_one_company_convert_into_the_same_account(rep):
    first = convert_lead(qualified_lead(rep), by=rep)
    second = convert_lead(qualified_lead(rep, first_name="Bob", email="bob@acme.example"), by=rep)

    assert second.account == first.account and not second.account_created
    assert second.contact != first.contact


def test_a_returning_person_converts_into_the_same_contact(rep):
    first = convert_lead(qualified_lead(rep), by=rep)
    second = convert_lead(qualified_lead(rep), by=rep)

    assert (second.account, second.contact) == (first.account, first.contact)
    assert second.opportunity != first.opportunity


# 1 lock the lead; 2 the candidate accounts, locked (new account: INSERT it instead of nothing); 3 the matched
# account's contact with the lead's email (new account: INSERT the account); 4 the active webhook endpoints, read
# once for the whole conversion (core.events.one_change); 5-6 INSERT the contact and its account relation; 7 the
# first open stage; 8-10 INSERT the opportunity, its stage history and its contact role; 11 the conditional
# UPDATE that stamps the lead; 12 INSERT its status change; 13 the worked-leads rollup (both tables in one upsert
# on PostgreSQL, two on SQLite); 14 the active conversion model (predictions, inline); 15 one UPDATE moving the
# lead's activities; 16 INSERT the timeline event; 17-18 SAVEPOINT/RELEASE (the test's transaction around it).
CONVERSION_QUERIES = 18 if connection.vendor == "postgresql" else 19


def test_a_conversion_creating_its_account_costs_a_fixed_number_of_queries(rep, django_assert_max_num_queries):
    lead = qualified_lead(rep, email="grace@navy.example", company="Navy")
    ActivityFactory(lead=lead, owner=rep)

    with django_assert_max_num_queries(CONVERSION_QUERIES):
        conversion = convert_lead(lead, by=rep)

    assert conversion.account_created and conversion.contact_created and conversion.opportunity is not None


def test_a_conversion_into_an_account_matched_by_domain_costs_a_fixed_number_of_queries(
    rep, django_assert_max_num_queries
):
    account = account_of(rep, name="Navy Yard", website="https://navy.example")
    lead = qualified_lead(rep, email="grace@navy.example", company="Navy")
    ActivityFactory(lead=lead, owner=rep)

    with django_assert_max_num_queries(CONVERSION_QUERIES):
        conversion = convert_lead(lead, by=rep)

    assert conversion.account == account and not conversion.account_created
    assert Activity.objects.get(lead=lead).account == account
