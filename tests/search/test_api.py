"""GET /api/v1/search/: the shape integrations rely on, visibility, and 400s that name the parameter."""

from __future__ import annotations

import pytest

from search.selectors import MAX_LIMIT
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

URL = "/api/v1/search/"


def test_results_carry_type_id_title_subtitle_and_url(api, rep):
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines")

    response = api(rep).get(URL, {"q": "lytical"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "type": "lead",
                "id": lead.pk,
                "title": "Ada Lovelace",
                "subtitle": f"Analytical Engines · {lead.email} · New",
                "url": f"/leads/{lead.pk}/",
            }
        ]
    }


def test_every_type_is_searched_and_types_narrow_it(api, rep):
    account = AccountFactory(owner=rep, name="Brontosaurus Ltd")
    ContactFactory(owner=rep, account=account, last_name="Brontosaurus")
    OpportunityFactory(owner=rep, account=account, name="Brontosaurus deal")
    LeadFactory(owner=rep, last_name="Brontosaurus")

    everything = api(rep).get(URL, {"q": "ontosaur"}).json()["results"]
    some = api(rep).get(URL, {"q": "ontosaur", "types": "lead,account"}).json()["results"]

    assert sorted(r["type"] for r in everything) == ["account", "contact", "lead", "opportunity"]
    assert sorted(r["type"] for r in some) == ["account", "lead"]


def test_another_rep_finds_none_of_my_records(api, rep, other_rep):
    account = AccountFactory(owner=rep, name="Brontosaurus Ltd")
    ContactFactory(owner=rep, account=account, last_name="Brontosaurus")
    OpportunityFactory(owner=rep, account=account, name="Brontosaurus deal")
    LeadFactory(owner=rep, last_name="Brontosaurus")

    response = api(other_rep).get(URL, {"q": "brontosaurus"})

    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "required"),
        ({"q": "a"}, "q", "at least 2 characters"),
        ({"q": "   "}, "q", ""),
        ({"q": "ab\x00c"}, "q", "Null characters"),
        ({"q": "x" * 201}, "q", "at most 200"),
        ({"q": "acme", "types": "lead,widget"}, "types", "Unknown type: widget. Allowed: lead, contact, account, opportunity."),
        ({"q": "acme", "limit": "ten"}, "limit", "whole number"),
        ({"q": "acme", "limit": "0"}, "limit", "greater than or equal to 1"),
        ({"q": "acme", "sort": "name"}, "sort", "Unknown query parameter"),
    ],
    ids=["missing q", "short q", "blank q", "nul in q", "long q", "unknown type", "bad limit", "zero limit", "unknown param"],
)  # fmt: skip
def test_bad_parameters_are_a_400_naming_the_parameter(api, rep, params, field, message):
    response = api(rep).get(URL, params)

    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_a_limit_above_the_maximum_is_clamped(api, rep):
    for n in range(MAX_LIMIT + 2):
        LeadFactory(owner=rep, last_name=f"Zzyzx{n}")

    response = api(rep).get(URL, {"q": "zzyzx", "limit": 1000})

    assert response.status_code == 200
    assert len(response.json()["results"]) == MAX_LIMIT


def test_a_limit_narrows_the_results(api, rep):
    for n in range(4):
        LeadFactory(owner=rep, last_name=f"Zzyzx{n}")

    assert len(api(rep).get(URL, {"q": "zzyzx", "limit": 2}).json()["results"]) == 2


def test_no_credentials_is_a_401(api):
    assert api().get(URL, {"q": "acme"}).status_code == 401


def test_the_query_count_is_fixed(api, rep, django_assert_max_num_queries):
    for n in range(10):
        LeadFactory(owner=rep, last_name=f"Quagga{n}")
        AccountFactory(owner=rep, name=f"Quagga {n}")

    with django_assert_max_num_queries(6):  # one per type, the session's user and savepoints aside
        response = api(rep).get(URL, {"q": "quagga", "limit": 50})

    assert len(response.json()["results"]) == 20


def test_the_openapi_schema_describes_the_endpoint(api, rep):
    schema = api(rep).get("/api/v1/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/search/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "types", "limit"}
    assert {"200", "400", "401"} <= set(operation["responses"])
