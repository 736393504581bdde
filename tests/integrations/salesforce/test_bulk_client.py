"""simple-salesforce's `sf.bulk2`, unchanged, against the live server (the job runs eagerly when it is closed)."""

from __future__ import annotations

import csv
import io

import pytest
from simple_salesforce.exceptions import SalesforceOperationError, SalesforceResourceNotFound

from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from tests.factories import LeadFactory

# Client polls sleep this long (seconds) instead of the client's default 5.
WAIT = 0.05


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sf(sf_client, rep):
    return sf_client(rep)


def test_bulk2_insert_from_a_csv_file_creates_the_leads_and_reports_every_row(sf, rep, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("FirstName,LastName,Company,Email\nAda,Lovelace,Engines,ada@engines.example\n,,Nameless,\n")

    [outcome] = sf.bulk2.Lead.insert(str(path), wait=WAIT)

    assert outcome["numberRecordsProcessed"] == 2
    assert outcome["numberRecordsFailed"] == 1
    assert outcome["numberRecordsTotal"] == 2
    lead = Lead.objects.get()
    assert (lead.last_name, lead.email, lead.owner_id) == ("Lovelace", "ada@engines.example", rep.pk)
    records = sf.bulk2.Lead.get_all_ingest_records(outcome["job_id"])
    assert [row["sf__Id"] for row in records["successfulRecords"]] == [to_sf_id("Lead", lead.pk)]
    assert records["successfulRecords"][0]["sf__Created"] == "true"
    assert records["failedRecords"][0]["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    assert records["unprocessedRecords"] == []


def test_bulk2_upsert_by_external_id_creates_then_updates(sf, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("External_Id__c,LastName,Company\nERP-1,Lovelace,Engines\nERP-2,Turing,Bletchley\n")
    second = tmp_path / "second.csv"
    second.write_text("External_Id__c,LastName,Company\nERP-1,,Analytical Engines\nERP-3,Hopper,New Co\n")

    sf.bulk2.Lead.upsert(str(first), external_id_field="External_Id__c", wait=WAIT)
    [outcome] = sf.bulk2.Lead.upsert(str(second), external_id_field="External_Id__c", wait=WAIT)

    assert outcome["numberRecordsFailed"] == 0
    assert dict(Lead.objects.values_list("external_id", "company")) == {
        "ERP-1": "Analytical Engines",
        "ERP-2": "Bletchley",
        "ERP-3": "New Co",
    }
    created = sf.bulk2.Lead.get_successful_records(outcome["job_id"])
    assert [row["sf__Created"] for row in csv.DictReader(io.StringIO(created))] == ["false", "true"]


def test_bulk2_query_returns_only_the_callers_leads(sf, rep, other_rep):
    mine = [LeadFactory(owner=rep, last_name=f"Mine {number}") for number in range(3)]
    LeadFactory(owner=other_rep, last_name="Theirs")

    pages = list(sf.bulk2.Lead.query("SELECT Id, LastName FROM Lead ORDER BY LastName", max_records=2, wait=WAIT))

    rows = [row for text in pages for row in csv.DictReader(io.StringIO(text))]
    assert len(pages) == 2
    assert rows == [{"Id": to_sf_id("Lead", lead.pk), "LastName": lead.last_name} for lead in mine]


def test_another_users_client_cannot_see_the_job(sf, sf_client, other_rep):
    [outcome] = sf.bulk2.Lead.insert(records=[{"LastName": "Lovelace"}], wait=WAIT)
    other = sf_client(other_rep)

    with pytest.raises(SalesforceResourceNotFound):
        other.restful(f"jobs/ingest/{outcome['job_id']}")
    with pytest.raises(SalesforceResourceNotFound):
        other.bulk2.Lead.get_successful_records(outcome["job_id"])
    assert sf.restful(f"jobs/ingest/{outcome['job_id']}")["state"] == "JobComplete"


def test_a_job_with_an_unknown_column_raises_the_clients_job_failure_naming_it(sf, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("LastName,Shoe_Size__c\nLovelace,38\n")

    with pytest.raises(SalesforceOperationError, match="Field name not found : Shoe_Size__c"):
        sf.bulk2.Lead.insert(str(path), wait=WAIT)

    assert not Lead.objects.exists()
