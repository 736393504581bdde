"""The real simple-salesforce client, unchanged, against the live server (see conftest.py for the transport)."""

from __future__ import annotations

import pytest
from simple_salesforce import (
    Salesforce,
    SalesforceMalformedRequest,
    SalesforceMoreThanOneRecord,
    SalesforceResourceNotFound,
)

from integrations.salesforce.ids import to_sf_id
from integrations.salesforce.objects import API_VERSION
from integrations.salesforce.services import register_connected_app
from leads.models import Lead
from tests.factories import PASSWORD, LeadFactory, qualified_lead

pytestmark = pytest.mark.usefixtures("fresh_throttles")


def test_the_client_creates_reads_updates_and_deletes_a_lead(sf_client, rep):
    sf = sf_client(rep)

    created = sf.Lead.create({"FirstName": "Ada", "LastName": "Lovelace", "Company": "Engines", "Email": "ADA@x.test"})
    record = sf.Lead.get(created["id"])
    sf.Lead.update(created["id"], {"Status": "Working - Contacted", "Title": "CTO"})
    updated = sf.Lead.get(created["id"])
    sf.Lead.delete(created["id"])

    assert created["success"] is True and len(created["id"]) == 18
    assert (record["Name"], record["Email"], record["Status"]) == ("Ada Lovelace", "ada@x.test", "Open - Not Contacted")
    assert updated["Status"] == "Working - Contacted" and updated["Title"] == "CTO"
    assert not Lead.objects.filter(last_name="Lovelace").exists()


def test_the_client_upserts_by_external_id_and_by_email(sf_client, rep):
    sf = sf_client(rep)

    created = sf.Lead.upsert("External_Id__c/ERP-1", {"LastName": "Hopper", "Email": "grace@x.test"})
    updated = sf.Lead.upsert("External_Id__c/ERP-1", {"Title": "Admiral"})
    by_email = sf.Lead.upsert("Email/GRACE@x.test", {"Company": "Navy"})
    read = sf.Lead.get_by_custom_id("External_Id__c", "ERP-1")

    assert (created, updated, by_email) == (201, 200, 200)
    assert (read["Title"], read["Company"], read["LastName"]) == ("Admiral", "Navy", "Hopper")
    assert Lead.objects.count() == 1


def test_the_client_describes_leads(sf_client, rep):
    describe = sf_client(rep).Lead.describe()

    fields = {item["name"]: item for item in describe["fields"]}
    assert describe["name"] == "Lead"
    assert {"Id", "FirstName", "LastName", "Status", "IsConverted", "ConvertedAccountId"} <= set(fields)
    assert fields["Status"]["type"] == "picklist" and fields["IsConverted"]["updateable"] is False


def test_the_client_converts_a_lead_with_the_standard_action(sf_client, rep):
    lead = qualified_lead(rep)

    result = sf_client(rep).restful(
        "actions/standard/convertLead",
        method="POST",
        json={"inputs": [{"leadId": to_sf_id("Lead", lead.pk), "convertedStatus": "Closed - Converted"}]},
    )

    lead.refresh_from_db()
    assert result[0]["isSuccess"] is True
    assert result[0]["outputValues"]["accountId"] == to_sf_id("Account", lead.converted_account_id)


def test_the_client_gets_its_usual_exceptions(sf_client, rep, other_rep):
    sf = sf_client(rep)
    theirs = LeadFactory(owner=other_rep)

    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get(to_sf_id("Lead", theirs.pk))
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.update(to_sf_id("Lead", theirs.pk), {"Title": "Changed"})
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Lead.create({"FirstName": "No last name"})
    assert refused.value.content[0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    LeadFactory(owner=rep, external_id="TWIN")
    LeadFactory(owner=rep, external_id="TWIN")
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Lead.upsert("External_Id__c/TWIN", {"Title": "Which one?"})


def test_the_client_signs_in_with_a_connected_app_and_a_password(live_server, sf_session, admin, rep):
    app, secret = register_connected_app(by=admin, name="Data loader")

    # The client sends its OAuth login to https://<domain>.salesforce.com; the test transport routes it here.
    sf = Salesforce(
        username="rep1",
        password=PASSWORD,
        consumer_key=app.client_id,
        consumer_secret=secret,
        domain="login",
        version=API_VERSION,
        session=sf_session,
    )
    created = sf.Lead.create({"LastName": "Signed in"})

    assert created["success"] is True and Lead.objects.get().owner == rep


def test_the_client_signs_in_with_client_credentials(live_server, sf_session, admin, rep):
    app, secret = register_connected_app(by=admin, name="Nightly sync", run_as=rep)

    sf = Salesforce(
        consumer_key=app.client_id, consumer_secret=secret, domain="funnel", version=API_VERSION, session=sf_session
    )

    assert sf.User.get(to_sf_id("User", rep.pk))["Username"] == "rep1"
