"""No input, however malformed, yields a 500: each answers a 4xx that names what is wrong."""

import json

import pytest

from leads.models import Lead
from tests.factories import AccountFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

MB = "x" * 1_000_000


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/leads/", {"last_name": "Doe\x00"}, None),
        ("/api/v1/leads/", {"last_name": MB}, "last_name"),
        ("/api/v1/leads/", {"last_name": "Doe", "description": MB}, "description"),
        ("/api/v1/leads/", {"last_name": ["Doe"]}, "last_name"),
        ("/api/v1/leads/", {"last_name": {"a": 1}}, "last_name"),
        ("/api/v1/leads/", {"last_name": "Doe", "employees": "many"}, "employees"),
        ("/api/v1/leads/", {"last_name": "Doe", "employees": -5}, "employees"),
        ("/api/v1/leads/", {"last_name": "Doe", "employees": 10**20}, "employees"),
        ("/api/v1/leads/", {"last_name": "Doe", "annual_revenue": "-1"}, "annual_revenue"),
        ("/api/v1/leads/", {"last_name": "Doe", "annual_revenue": "NaN"}, "annual_revenue"),
        ("/api/v1/leads/", {"last_name": "Doe", "source": "carrier-pigeon"}, "source"),
        ("/api/v1/leads/", {"last_name": "Doe", "status": "converted"}, "status"),
        ("/api/v1/leads/", {"last_name": "Doe", "email": "nope"}, "email"),
        ("/api/v1/leads/", {"last_name": "Doe", "owner": 10**30}, "owner"),
        ("/api/v1/leads/", {"last_name": "Doe", "owner": "abc"}, "owner"),
        ("/api/v1/leads/", [1, 2], "non_field_errors"),
        ("/api/v1/opportunities/", {"name": "x", "amount": "-10.00", "account": 1}, "amount"),
        ("/api/v1/opportunities/", {"name": "x", "close_date": "2026-02-30", "account": 1}, "close_date"),
        ("/api/v1/opportunities/", {"name": "x", "amount": "1e30", "account": 1}, "amount"),
        ("/api/v1/activities/", {"subject": "x", "due_at": "2026-02-30T10:00:00Z", "lead": 1}, "due_at"),
        ("/api/v1/activities/", {"subject": "x", "due_at": "0001-01-01T00:00:00+14:00", "lead": 1}, "due_at"),
        ("/api/v1/leads/bulk/", {"leads": "everything"}, "leads"),
        ("/api/v1/leads/bulk/", {"leads": [{"last_name": "Doe\x00"}]}, None),
        ("/api/v1/web-to-lead/", {"form_key": "k\x00"}, None),
        ("/api/v1/auth/token/", {"username": "a\x00", "password": "b"}, None),
        ("/api/v1/auth/token/", {"username": ["a"], "password": 1}, "username"),
    ],
)
def test_hostile_bodies_get_a_400_naming_the_field(admin, api, path, body, field):
    response = api(admin).post(path, body, format="json")
    assert response.status_code == 400, response.content[:300]
    if field:
        assert field in response.json()
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"last_name": "Doe",}', b"\xff\xfe", b"null", b'"text"', b"1e999999"],
)
def test_malformed_json_is_a_400(rep, api, raw):
    response = api(rep).generic("POST", "/api/v1/leads/", raw, content_type="application/json")
    assert response.status_code == 400
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "search=%00",
        "status=%00",
        "ordering=%00",
        "cursor=%00",
        "cursor=!!!",
        "cursor=eyJ2IjpbIngiLCJ5Il0sIm8iOiItY3JlYXRlZF9hdCwtaWQifQ",
        "score__gte=99999999999999999999999",
        "owner=99999999999999999999999",
        "created_at__gte=2026-02-30",
        "created_at__lte=0001-01-01T00:00:00%2B14:00",
        "created_at__gte=2026-01-18T20:45:45%2B16:34",
        "page_size=-1",
        "page_size=abc",
        "unassigned=maybe",
    ],
)
def test_hostile_query_strings_never_fail_the_list(rep, api, query):
    LeadFactory(owner=rep)
    response = api(rep).get(f"/api/v1/leads/?{query}")
    assert response.status_code in (200, 400), response.content[:300]


@pytest.mark.parametrize("pk", ["99999999999999999999999", "-1", "abc", "%00"])
def test_hostile_ids_in_the_path_are_404(rep, api, pk):
    assert api(rep).get(f"/api/v1/leads/{pk}/").status_code == 404


def test_ids_of_other_users_records_answer_does_not_exist(rep, other_rep, api):
    foreign = AccountFactory(owner=other_rep)
    response = api(rep).post("/api/v1/contacts/", {"last_name": "Doe", "account": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "does not exist" in json.dumps(response.json())
