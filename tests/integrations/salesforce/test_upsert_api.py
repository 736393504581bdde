"""Upsert and read by an external id: External_Id__c on every record type, Email on leads."""

from __future__ import annotations

import pytest

from accounts.models import Account
from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from tests.factories import AccountFactory, LeadFactory
from tests.integrations.salesforce.conftest import DATA

pytestmark = pytest.mark.usefixtures("fresh_throttles")


def test_upsert_creates_when_nothing_matches_and_answers_201_created(sf_api, rep):
    response = sf_api(rep).patch(
        f"{DATA}/sobjects/Account/External_Id__c/ERP-7", {"Name": "Acme", "Industry": "Retail"}, format="json"
    )

    account = Account.objects.get(external_id="ERP-7")
    assert response.status_code == 201
    assert response.json() == {"id": to_sf_id("Account", account.pk), "success": True, "errors": [], "created": True}
    assert (account.name, account.owner) == ("Acme", rep)


def test_upsert_updates_the_one_match_and_answers_200_not_created(sf_api, rep):
    account = AccountFactory(owner=rep, external_id="ERP-7", industry="Retail")

    response = sf_api(rep).patch(f"{DATA}/sobjects/Account/External_Id__c/ERP-7", {"Industry": "Energy"}, format="json")

    account.refresh_from_db()
    assert response.status_code == 200 and response.json()["created"] is False
    assert response.json()["id"] == to_sf_id("Account", account.pk) and account.industry == "Energy"
    assert Account.objects.count() == 1


def test_upsert_with_several_matches_answers_300_with_their_urls(sf_api, rep):
    first, second = AccountFactory(owner=rep, external_id="DUP"), AccountFactory(owner=rep, external_id="DUP")

    response = sf_api(rep).patch(f"{DATA}/sobjects/Account/External_Id__c/DUP", {"Industry": "Energy"}, format="json")

    assert response.status_code == 300
    assert sorted(response.json()) == sorted(
        f"{DATA}/sobjects/Account/{to_sf_id('Account', item.pk)}" for item in (first, second)
    )
    assert not Account.objects.filter(industry="Energy").exists()


def test_leads_upsert_by_email_case_insensitively(sf_api, rep):
    lead = LeadFactory(owner=rep, email="ada@x.test", title="")

    response = sf_api(rep).patch(f"{DATA}/sobjects/Lead/Email/ADA@x.test", {"Title": "CTO"}, format="json")

    lead.refresh_from_db()
    assert response.status_code == 200 and lead.title == "CTO"


def test_a_lead_upserted_by_email_is_created_with_that_email(sf_api, rep):
    response = sf_api(rep).patch(f"{DATA}/sobjects/Lead/Email/new@x.test", {"LastName": "New"}, format="json")

    assert response.status_code == 201 and Lead.objects.get(last_name="New").email == "new@x.test"


def test_another_reps_record_is_never_the_upsert_target(sf_api, rep, other_rep):
    theirs = AccountFactory(owner=other_rep, external_id="ERP-9", name="Theirs")

    response = sf_api(rep).patch(f"{DATA}/sobjects/Account/External_Id__c/ERP-9", {"Name": "Mine"}, format="json")

    theirs.refresh_from_db()
    assert response.status_code == 201 and theirs.name == "Theirs"
    assert Account.objects.get(name="Mine").owner == rep


def test_a_field_that_is_not_an_external_id_is_not_found(sf_api, rep):
    response = sf_api(rep).patch(f"{DATA}/sobjects/Account/Industry/Retail", {"Name": "X"}, format="json")

    assert response.status_code == 404 and response.json()[0]["errorCode"] == "NOT_FOUND"


def test_a_record_reads_by_its_external_id_and_another_reps_is_not_found(sf_api, rep, other_rep):
    mine = AccountFactory(owner=rep, external_id="A-1")
    AccountFactory(owner=other_rep, external_id="B-1")

    found = sf_api(rep).get(f"{DATA}/sobjects/Account/External_Id__c/A-1")
    hidden = sf_api(rep).get(f"{DATA}/sobjects/Account/External_Id__c/B-1")

    assert found.status_code == 200 and found.json()["Id"] == to_sf_id("Account", mine.pk)
    assert hidden.status_code == 404


def test_a_record_is_deleted_by_its_external_id(sf_api, rep):
    AccountFactory(owner=rep, external_id="A-1")

    response = sf_api(rep).delete(f"{DATA}/sobjects/Account/External_Id__c/A-1")

    assert response.status_code == 204 and not Account.objects.exists()


def test_an_upsert_with_bad_input_writes_nothing(sf_api, rep):
    response = sf_api(rep).patch(
        f"{DATA}/sobjects/Lead/External_Id__c/L-1", {"LastName": "X", "Status": "Maybe"}, format="json"
    )

    assert response.status_code == 400 and not Lead.objects.exists()
