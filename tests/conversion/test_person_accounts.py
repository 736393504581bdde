"""B2C: a lead without a company converts into a person account, never an account named "None" or ""."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Account
from contacts.models import Contact
from contacts.services import create_contact, update_contact
from conversion.services import convert_lead
from tests.factories import AccountFactory, qualified_lead


@pytest.mark.parametrize("company", ["", "   ", "None", "n/a", "[not provided]", "Individual"])
def test_a_lead_without_a_company_becomes_a_person_account_named_after_the_person(rep, company):
    lead = qualified_lead(rep, company=company, first_name="Ada", last_name="Byron", email="ada@gmail.com")

    result = convert_lead(lead, by=rep)

    account = result.account
    assert account.is_person_account
    assert account.name == "Ada Byron"
    assert account.domain == ""
    assert list(account.contacts.all()) == [result.contact]
    assert result.opportunity.name == "Ada Byron"
    assert not Account.objects.filter(name__in=["", "None", "n/a"]).exists()


def test_a_returning_person_converts_into_their_existing_person_account(rep):
    first = convert_lead(qualified_lead(rep, company="", email="ada@gmail.com"), by=rep)

    again = convert_lead(qualified_lead(rep, company="", email="ADA@gmail.com", last_name="Byron"), by=rep)

    assert again.account == first.account and not again.account_created
    assert again.contact == first.contact and not again.contact_created
    assert Account.objects.filter(is_person_account=True).count() == 1


def test_a_company_less_lead_with_a_work_address_at_a_known_account_joins_it(rep):
    company = AccountFactory(owner=rep, name="Example Corp", domain="example.org")

    result = convert_lead(qualified_lead(rep, company="", email="ada@example.org"), by=rep)

    assert result.account == company and not result.account.is_person_account


def test_another_reps_person_account_is_not_reused(rep, other_rep):
    convert_lead(qualified_lead(other_rep, company="", email="ada@gmail.com"), by=other_rep)

    result = convert_lead(qualified_lead(rep, company="", email="ada@gmail.com"), by=rep)

    assert result.account_created and result.account.owner == rep


def test_merging_a_person_into_a_chosen_company_account_keeps_it_a_company(rep):
    company = AccountFactory(owner=rep, name="Example Corp")

    result = convert_lead(qualified_lead(rep, company=""), by=rep, account=company)

    company.refresh_from_db()
    assert result.account == company and not company.is_person_account


def test_a_person_account_has_exactly_one_contact(rep):
    person = convert_lead(qualified_lead(rep, company=""), by=rep).account
    other = create_contact(by=rep, first_name="Bea", last_name="Lee")

    with pytest.raises(ValidationError) as error:
        create_contact(by=rep, first_name="Cy", last_name="Young", account=person)
    assert "account" in error.value.message_dict
    with pytest.raises(ValidationError):
        update_contact(other, by=rep, data={"account": person})

    assert Contact.objects.filter(account=person).count() == 1


def test_the_account_page_marks_a_person_account_and_the_api_says_so(client, api, rep):
    account = convert_lead(qualified_lead(rep, company=""), by=rep).account
    client.force_login(rep)

    page = client.get(f"/accounts/{account.pk}/")

    assert page.status_code == 200 and "data-person-account" in page.text
    assert api(rep).get(f"/api/v1/accounts/{account.pk}/").json()["is_person_account"] is True


def test_the_account_list_marks_person_accounts_only(client, rep):
    person = convert_lead(qualified_lead(rep, company=""), by=rep).account
    company = convert_lead(qualified_lead(rep, company="Initech"), by=rep).account
    client.force_login(rep)

    page = client.get("/accounts/").text

    [marked_row] = [row for row in page.split("<tr") if "data-person-account" in row]
    assert person.name in marked_row
    assert company.name in page and company.name not in marked_row
