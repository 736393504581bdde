"""GET /services/data/vXX.X/query/ and /queryAll/: records, parents, COUNT(), errors, visibility, locators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory
from tests.integrations.salesforce.conftest import DATA as BASE

pytestmark = pytest.mark.django_db


def query(client, soql, *, resource="query", **headers):
    return client.get(f"{BASE}/{resource}/", {"q": soql}, **headers)


@pytest.fixture
def sf(sf_api, rep):
    return sf_api(rep)


def test_selects_fields_with_attributes_and_salesforce_values(sf, rep):
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Engines", status="working")
    response = query(sf, "SELECT Id, Name, Company, Status, IsConverted, OwnerId FROM Lead")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["totalSize"] == 1
    assert body["done"] is True
    assert "nextRecordsUrl" not in body
    assert body["records"] == [
        {
            "attributes": {"type": "Lead", "url": f"{BASE}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}"},
            "Id": to_sf_id("Lead", lead.pk),
            "Name": "Ada Lovelace",
            "Company": "Engines",
            "Status": "Working - Contacted",
            "IsConverted": False,
            "OwnerId": to_sf_id("User", rep.pk),
        }
    ]


def test_field_names_and_keywords_are_case_insensitive(sf, rep):
    LeadFactory(owner=rep, last_name="Hopper")
    body = query(sf, "select lastname from LEAD where LASTNAME = 'hopper'").json()
    assert body["records"][0]["LastName"] == "Hopper"


def test_parent_fields_are_nested_and_null_without_a_parent(sf, rep):
    account = AccountFactory(owner=rep, name="Globex")
    with_account = ContactFactory(owner=rep, account=account, last_name="Simpson")
    without = ContactFactory(owner=rep, account=None, last_name="Flanders")
    body = query(sf, "SELECT LastName, Account.Name, Owner.Name FROM Contact ORDER BY LastName DESC").json()
    records = body["records"]
    assert records[0]["LastName"] == "Simpson"
    assert records[0]["Account"] == {
        "attributes": {"type": "Account", "url": f"{BASE}/sobjects/Account/{to_sf_id('Account', account.pk)}"},
        "Name": "Globex",
    }
    assert records[0]["Owner"]["Name"] == rep.display_name
    assert records[1]["LastName"] == "Flanders"
    assert records[1]["Account"] is None
    assert with_account.pk != without.pk


def test_where_on_a_parent_field(sf, rep):
    acme = AccountFactory(owner=rep, name="Acme")
    OpportunityFactory(owner=rep, account=acme, name="Big deal")
    OpportunityFactory(owner=rep, account=AccountFactory(owner=rep, name="Other"), name="Small deal")
    body = query(sf, "SELECT Name, StageName FROM Opportunity WHERE Account.Name = 'acme'").json()
    assert [record["Name"] for record in body["records"]] == ["Big deal"]
    assert body["records"][0]["StageName"] == "Prospecting"


def test_count(sf, rep, other_rep):
    LeadFactory.create_batch(3, owner=rep, status="new")
    LeadFactory(owner=rep, status="working")
    LeadFactory.create_batch(2, owner=other_rep, status="new")
    body = query(sf, "SELECT COUNT() FROM Lead WHERE Status = 'Open - Not Contacted'").json()
    assert body == {"totalSize": 3, "done": True, "records": []}
    body = query(sf, "SELECT COUNT(Id) FROM Lead").json()
    assert body["records"][0]["expr0"] == 4


def test_date_literals(sf, rep):
    old = LeadFactory(owner=rep, last_name="Old")
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    LeadFactory(owner=rep, last_name="New")
    names = lambda soql: [r["LastName"] for r in query(sf, soql).json()["records"]]  # noqa: E731
    assert names("SELECT LastName FROM Lead WHERE CreatedDate = TODAY") == ["New"]
    assert names("SELECT LastName FROM Lead WHERE CreatedDate = LAST_N_DAYS:30") == ["New"]
    assert names("SELECT LastName FROM Lead WHERE CreatedDate < LAST_N_DAYS:30") == ["Old"]
    day = (timezone.now() - timedelta(days=40)).strftime("%Y-%m-%dT00:00:00Z")
    assert names(f"SELECT LastName FROM Lead WHERE CreatedDate >= {day} ORDER BY CreatedDate") == ["Old", "New"]  # noqa: S608 - SOQL for our parser, not SQL


def test_second_user_never_sees_records_nor_parents(sf_api, rep, other_rep):
    theirs = AccountFactory(owner=other_rep, name="Secret Corp")
    mine = ContactFactory(owner=rep, account=theirs, last_name="Mine")
    LeadFactory(owner=other_rep, last_name="Hidden")
    sf = sf_api(rep)
    assert query(sf, "SELECT Id FROM Lead").json()["totalSize"] == 0
    assert query(sf, "SELECT COUNT() FROM Account").json()["totalSize"] == 0
    records = query(sf, "SELECT LastName, Account.Name FROM Contact").json()["records"]
    assert records == [
        {
            "attributes": {"type": "Contact", "url": f"{BASE}/sobjects/Contact/{to_sf_id('Contact', mine.pk)}"},
            "LastName": "Mine",
            "Account": None,
        }
    ]
    assert query(sf, "SELECT COUNT() FROM Contact WHERE Account.Name = 'Secret Corp'").json()["totalSize"] == 0


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead; DELETE FROM leads_lead", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE LastName = 'x' OR '1'='1'", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE LastName = 'x' -- comment", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead /* comment */", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead UNION SELECT Id FROM Account", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE LastName = 'x'' OR 1=1", "MALFORMED_QUERY"),
        ('SELECT Id FROM Lead WHERE LastName = "x"', "MALFORMED_QUERY"),
        ("SELECT Password FROM Lead", "INVALID_FIELD"),
        ("SELECT Id FROM Lead WHERE Bogus = 1", "INVALID_FIELD"),
        ("SELECT Foo.Name FROM Lead", "INVALID_FIELD"),
        ("SELECT Id FROM Widget", "INVALID_TYPE"),
        ("SELECT Id FROM Lead WHERE Id = '00Qnotanid'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Lead WHERE NumberOfEmployees = 'ten'", "INVALID_FIELD"),
        ("SELECT Id FROM Lead WHERE CreatedDate = 2026-01-01", "INVALID_FIELD"),
        ("SELECT Id FROM Lead WHERE NumberOfEmployees LIKE '1%'", "INVALID_QUERY_FILTER_OPERATOR"),
        ("SELECT Id FROM Lead OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE"),
        ("SELECT Id FROM Lead WHERE CreatedDate > LAST_N_DAYS:999999999", "MALFORMED_QUERY"),
        ("", "MALFORMED_QUERY"),
    ],
)
def test_bad_queries_are_400_in_salesforce_shape(sf, rep, soql, code):
    LeadFactory(owner=rep)
    response = query(sf, soql)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["errorCode"] == code
    assert error["message"]


def test_malformed_query_message_names_the_position_and_token(sf):
    (error,) = query(sf, "SELECT Id, FROM Lead WHERE").json()
    assert "ERROR at Row:1:Column:" in error["message"]
    assert "unexpected" in error["message"]


def test_unknown_field_message(sf):
    (error,) = query(sf, "SELECT Nope FROM Lead").json()
    assert error["message"].startswith("No such column 'Nope' on entity 'Lead'.")


def test_missing_q_and_unauthenticated(sf):
    assert sf.get(f"{BASE}/query/").json()[0]["errorCode"] == "MALFORMED_QUERY"
    response = APIClient().get(f"{BASE}/query/", {"q": "SELECT Id FROM Lead"})
    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_ids_accepted_as_15_or_18_characters(sf, rep):
    lead = LeadFactory(owner=rep, last_name="Target")
    LeadFactory(owner=rep, last_name="Other")
    sf_id = to_sf_id("Lead", lead.pk)
    for value in (sf_id, sf_id[:15]):
        body = query(sf, f"SELECT LastName FROM Lead WHERE Id = '{value}'").json()  # noqa: S608 - SOQL for our parser, not SQL
        assert [r["LastName"] for r in body["records"]] == ["Target"]
    body = query(sf, f"SELECT LastName FROM Lead WHERE Id IN ('{sf_id}', '{to_sf_id('Account', 1)}')").json()  # noqa: S608 - SOQL for our parser, not SQL
    assert [r["LastName"] for r in body["records"]] == ["Target"]


def test_query_all_answers_like_query(sf, rep):
    LeadFactory(owner=rep)
    body = query(sf, "SELECT Id FROM Lead", resource="queryAll").json()
    assert body["totalSize"] == 1


def test_text_rules_empty_is_null_like_wildcards_and_picklist_like(sf, rep):
    LeadFactory(owner=rep, last_name="A_1", email="", company="Acme", status="working")
    LeadFactory(owner=rep, last_name="AB1", email="b@x.test", company="acme labs", status="new")
    names = lambda soql: sorted(r["LastName"] for r in query(sf, soql).json()["records"])  # noqa: E731
    assert names("SELECT LastName FROM Lead WHERE Email = null") == ["A_1"]
    assert names("SELECT LastName FROM Lead WHERE Email != null") == ["AB1"]
    assert names("SELECT LastName FROM Lead WHERE LastName LIKE 'a_1'") == ["AB1", "A_1"]
    assert names("SELECT LastName FROM Lead WHERE LastName LIKE 'a\\_1'") == ["A_1"]
    assert names("SELECT LastName FROM Lead WHERE Company LIKE 'ACME%'") == ["AB1", "A_1"]
    assert names("SELECT LastName FROM Lead WHERE Status LIKE 'Working%'") == ["A_1"]
    assert names("SELECT LastName FROM Lead WHERE Status IN ('Open - Not Contacted', 'Nonsense')") == ["AB1"]


def test_order_by_a_parent_field_and_count_with_limit(sf, rep):
    for name in ("Zeta", "Alpha", "Mid"):
        ContactFactory(owner=rep, account=AccountFactory(owner=rep, name=name), last_name=f"of {name}")
    ContactFactory(owner=rep, account=None, last_name="orphan")
    body = query(sf, "SELECT LastName FROM Contact ORDER BY Account.Name DESC NULLS LAST").json()
    assert [r["LastName"] for r in body["records"]] == ["of Zeta", "of Mid", "of Alpha", "orphan"]
    assert query(sf, "SELECT COUNT() FROM Contact LIMIT 2").json()["totalSize"] == 2
    assert query(sf, "SELECT COUNT() FROM Contact LIMIT 10 OFFSET 3").json()["totalSize"] == 1


def test_a_manager_queries_the_team_and_the_rep_only_their_own(sf_api, rep, manager, other_rep):
    LeadFactory(owner=rep, last_name="Team lead")
    LeadFactory(owner=other_rep, last_name="Outside")
    names = lambda client: sorted(r["LastName"] for r in query(client, "SELECT LastName FROM Lead").json()["records"])  # noqa: E731
    assert names(sf_api(manager)) == ["Team lead"]
    assert names(sf_api(rep)) == ["Team lead"]
    assert names(sf_api(other_rep)) == ["Outside"]


TOKENS = [
    "Id", "Name", "Account.Name", "Owner.Name", "Status", "CreatedDate", "NumberOfEmployees", "Email", "IsConverted",
    "FROM", "Lead", "Contact", "WHERE", "=", "!=", "<", ">=", "'x'", "'%a_'", "''", "1", "-1.5", "NULL", "TRUE",
    "TODAY", "LAST_N_DAYS:2", "2026-01-01", "2026-01-01T00:00:00Z", "'Working - Contacted'", "'00Q000000000001IAA'",
    "AND", "OR", "NOT", "(", ")", ",", "IN", "NOT IN", "LIKE", "ORDER BY", "DESC", "NULLS LAST", "LIMIT", "OFFSET",
    "5", "COUNT()", ";", "--", "'", "\\",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.lists(st.sampled_from(TOKENS), max_size=14).map(lambda tokens: "SELECT " + " ".join(tokens)),
        st.text(max_size=60),
    )
)
def test_any_text_is_answered_200_or_400_never_500(sf, rep, text):
    response = query(sf, text)
    assert response.status_code in (200, 400), (text, response.content[:300])
    if response.status_code == 400:
        assert response.json()[0]["errorCode"]


def test_two_level_parent_path(sf, rep):
    account = AccountFactory(owner=rep, name="Globex")
    ContactFactory(owner=rep, account=account, last_name="Simpson")
    (record,) = query(sf, "SELECT Account.Owner.Email FROM Contact WHERE Account.Owner.Email != null").json()["records"]
    assert record["Account"]["Owner"]["Email"] == rep.email
    assert record["Account"]["Owner"]["attributes"]["type"] == "User"
