"""sf.query / sf.query_more / sf.query_all of the real simple-salesforce client, unchanged, on the live server."""

from __future__ import annotations

import pytest
from simple_salesforce import SalesforceMalformedRequest

from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.usefixtures("fresh_throttles")
ROWS = 2_100  # more than one batch of 2,000


def test_query_all_returns_every_row_once_over_several_batches(sf_client, rep, other_rep):
    Lead.objects.bulk_create(Lead(owner=rep, last_name=f"Lead {index:05d}") for index in range(ROWS))
    LeadFactory.create_batch(3, owner=other_rep)  # never returned to rep
    sf = sf_client(rep)

    first = sf.query("SELECT Id, LastName FROM Lead ORDER BY LastName")
    every = sf.query_all("SELECT Id, LastName FROM Lead ORDER BY LastName")

    assert first["totalSize"] == ROWS
    assert first["done"] is False
    assert len(first["records"]) == 2_000
    assert first["nextRecordsUrl"].endswith("-2000")
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert rest["done"] is True and len(rest["records"]) == ROWS - 2_000
    expected = [
        to_sf_id("Lead", pk) for pk in Lead.objects.filter(owner=rep).order_by("last_name").values_list("pk", flat=True)
    ]
    assert every["totalSize"] == ROWS and every["done"] is True
    assert [record["Id"] for record in every["records"]] == expected


def test_client_query_filters_and_nests_parents(sf_client, rep):
    LeadFactory(owner=rep, last_name="O'Brien", status="working", company="Acme")
    LeadFactory(owner=rep, last_name="Other", status="new")
    sf = sf_client(rep)

    result = sf.query(
        "SELECT LastName, Owner.Name FROM Lead WHERE LastName = 'o\\'brien' AND Status != 'Open - Not Contacted'"
    )

    assert result["totalSize"] == 1
    assert result["records"][0]["LastName"] == "O'Brien"
    assert result["records"][0]["Owner"]["Name"] == rep.display_name
    assert sf.query("SELECT COUNT() FROM Lead")["totalSize"] == 2


def test_client_sees_malformed_queries_as_its_malformed_request(sf_client, rep):
    sf = sf_client(rep)
    with pytest.raises(SalesforceMalformedRequest) as raised:
        sf.query("SELECT Id FROM Lead WHERE LastName = 'x' OR 1=1; DROP TABLE leads_lead")
    assert raised.value.content[0]["errorCode"] == "MALFORMED_QUERY"
