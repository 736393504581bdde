"""nextRecordsUrl: keyset batches that neither skip nor repeat rows, signed locators bound to their user."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leads.models import Lead
from tests.factories import LeadFactory
from tests.integrations.salesforce.conftest import DATA as BASE

pytestmark = pytest.mark.django_db
SMALL_BATCHES = {"HTTP_SFORCE_QUERY_OPTIONS": "batchSize=200"}


def query(client, soql, **headers):
    return client.get(f"{BASE}/query/", {"q": soql}, **headers)


def bulk_leads(owner, count, **fields):
    Lead.objects.bulk_create(
        Lead(owner=owner, last_name=f"Lead {index:05d}", email=f"p{index}@x.example", **fields)
        for index in range(count)
    )


def follow(client, body, **headers):
    """Every record of a query, following nextRecordsUrl; also the batch sizes seen."""
    records, sizes = list(body["records"]), [len(body["records"])]
    while not body["done"]:
        response = client.get(body["nextRecordsUrl"], **headers)
        assert response.status_code == 200, response.json()
        body = response.json()
        records += body["records"]
        sizes.append(len(body["records"]))
    return records, sizes


def test_batches_follow_the_order_with_ties_and_nulls(sf_api, rep):
    # Few distinct sort values (ties) and empty values: the (sort key, id) cursor must still be exact.
    Lead.objects.bulk_create(
        Lead(owner=rep, last_name=f"L{index}", employees=None if index % 7 == 0 else index % 5) for index in range(450)
    )
    client = sf_api(rep)
    soql = "SELECT Id, LastName, NumberOfEmployees FROM Lead ORDER BY NumberOfEmployees DESC NULLS FIRST"
    first = query(client, soql, **SMALL_BATCHES).json()
    assert first["totalSize"] == 450
    assert first["nextRecordsUrl"].startswith(f"{BASE}/query/01g")
    assert first["nextRecordsUrl"].endswith("-200")
    records, sizes = follow(client, first, **SMALL_BATCHES)
    assert sizes == [200, 200, 50]
    leads = Lead.objects.values_list("pk", "last_name", "employees")
    # NULLS FIRST, then the largest first; equal values in id order.
    expected = sorted(leads, key=lambda row: (row[2] is not None, -(row[2] or 0), row[0]))
    assert [r["LastName"] for r in records] == [row[1] for row in expected]


def test_rows_inserted_or_deleted_between_batches_do_not_shift_them(sf_api, rep):
    bulk_leads(rep, 500)
    client = sf_api(rep)
    first = query(client, "SELECT LastName FROM Lead ORDER BY LastName", **SMALL_BATCHES).json()
    seen = [r["LastName"] for r in first["records"]]
    # Meanwhile a row before the cursor is deleted and one is inserted before it.
    Lead.objects.filter(last_name="Lead 00000").delete()
    LeadFactory(owner=rep, last_name="Lead 00000a")
    records, _ = follow(client, first, **SMALL_BATCHES)
    names = seen + [r["LastName"] for r in records[len(first["records"]) :]]
    assert len(names) == len(set(names)) == 500
    assert names == sorted(names)


def test_limit_spans_batches(sf_api, rep):
    bulk_leads(rep, 450)
    client = sf_api(rep)
    first = query(client, "SELECT Id FROM Lead LIMIT 300", **SMALL_BATCHES).json()
    assert first["totalSize"] == 300
    _, sizes = follow(client, first, **SMALL_BATCHES)
    assert sizes == [200, 100]


def test_offset_applies_once(sf_api, rep):
    bulk_leads(rep, 10)
    client = sf_api(rep)
    body = query(client, "SELECT LastName FROM Lead ORDER BY LastName LIMIT 3 OFFSET 4").json()
    assert body["totalSize"] == 3
    assert [r["LastName"] for r in body["records"]] == ["Lead 00004", "Lead 00005", "Lead 00006"]


def test_a_locator_is_bound_to_its_user_and_signed(sf_api, rep, other_rep):
    bulk_leads(rep, 250)
    client = sf_api(rep)
    locator_url = query(client, "SELECT Id FROM Lead", **SMALL_BATCHES).json()["nextRecordsUrl"]
    stranger = sf_api(other_rep)
    response = stranger.get(locator_url)
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    prefix, _, rest = locator_url.rpartition("/")
    tampered = f"{prefix}/{rest[:10]}{'A' if rest[10] != 'A' else 'B'}{rest[11:]}"
    for url in (tampered, f"{prefix}/01gnonsense-2000", f"{prefix}/garbage", locator_url.replace("-200", "-400")):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    # A queryAll locator is not a query locator.
    assert client.get(locator_url.replace("/query/", "/queryAll/")).status_code == 400
    assert client.get(locator_url).status_code == 200


@pytest.mark.parametrize(
    "order_by",
    [
        "CreatedDate DESC",
        "Name",
        "IsConverted DESC, AnnualRevenue ASC NULLS LAST",
        "Owner.Name DESC NULLS FIRST, Company",
    ],
)
def test_batches_equal_one_unpaged_answer_for_any_sort_key(sf_api, rep, manager, order_by):
    moments = [timezone.now() - timedelta(days=days, microseconds=days) for days in (0, 1, 2)]
    Lead.objects.bulk_create(
        Lead(
            owner=(rep, manager, None)[index % 3],
            first_name=("Ann", "Bob", "")[index % 3],
            last_name=f"L{index % 11}",
            company=("Acme", "")[index % 2],
            annual_revenue=None if index % 4 == 0 else Decimal(index % 5) * 1000,
        )
        for index in range(420)
    )
    for index, lead in enumerate(Lead.objects.order_by("pk")):
        Lead.objects.filter(pk=lead.pk).update(created_at=moments[index % 3])
    client = sf_api(manager)  # sees the team's, their own and the unassigned leads
    soql = f"SELECT Id FROM Lead ORDER BY {order_by}"  # noqa: S608 - SOQL for our parser, not SQL
    whole = query(client, soql).json()
    paged, sizes = follow(client, query(client, soql, **SMALL_BATCHES).json(), **SMALL_BATCHES)
    assert whole["done"] is True and whole["totalSize"] == 420
    assert sizes == [200, 200, 20]
    assert [r["Id"] for r in paged] == [r["Id"] for r in whole["records"]]


def test_a_long_query_still_pages_with_a_short_locator(sf_api, rep):
    bulk_leads(rep, 250)
    client = sf_api(rep)
    padding = ", ".join(f"'nobody{index}@nowhere.example'" for index in range(200))
    soql = f"SELECT Id FROM Lead WHERE Email NOT IN ({padding}) ORDER BY LastName"  # noqa: S608 - SOQL, not SQL
    first = query(client, soql, **SMALL_BATCHES).json()
    assert len(first["nextRecordsUrl"]) < 1000
    records, _ = follow(client, first, **SMALL_BATCHES)
    assert len({r["Id"] for r in records}) == 250
