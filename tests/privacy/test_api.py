"""GET /api/v1/privacy/export/ and POST /api/v1/privacy/erase/: admins only, clear 4xx, and the person gone."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.suppression import is_suppressed
from leads.models import Lead
from privacy.models import Erasure
from tests.privacy.conftest import EMAIL
from users.services import create_api_token

pytestmark = pytest.mark.usefixtures("fresh_throttles")

EXPORT = "/api/v1/privacy/export/"
ERASE = "/api/v1/privacy/erase/"


def test_an_admin_exports_the_person_as_json(api, admin, person):
    response = api(admin).get(EXPORT, {"email": "Jane.Doe@erase.example"})

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == EMAIL and len(body["leads"]) == 2 and len(body["contacts"]) == 1


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_reps_and_managers_get_403_and_no_data(api, person, role, request):
    user = request.getfixturevalue(role)

    export = api(user).get(EXPORT, {"email": EMAIL})
    erase = api(user).post(ERASE, {"email": EMAIL}, format="json")

    assert export.status_code == erase.status_code == 403
    assert "Jane" not in export.content.decode()
    assert Lead.objects.filter(pk=person.open_lead.pk).exists() and not is_suppressed(EMAIL)


def test_an_admins_token_below_the_admin_scope_is_refused(admin, person):
    """A write token acts as the admin on records, but privacy requests need the admin scope."""
    _token, raw = create_api_token(user=admin, name="sync", scope="write")
    client = APIClient(HTTP_AUTHORIZATION=f"Token {raw}")

    assert client.get(EXPORT, {"email": EMAIL}).status_code == 403
    assert client.post(ERASE, {"email": EMAIL}, format="json").status_code == 403
    assert not is_suppressed(EMAIL)
    _token, raw = create_api_token(user=admin, name="privacy", scope="admin")
    assert APIClient(HTTP_AUTHORIZATION=f"Token {raw}").get(EXPORT, {"email": EMAIL}).status_code == 200


def test_anonymous_callers_are_refused(api, person):
    assert api().get(EXPORT, {"email": EMAIL}).status_code in (401, 403)
    assert api().post(ERASE, {"email": EMAIL}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("value", [None, "", "not-an-address", "a@", "x" * 300 + "@x.test"])
def test_a_missing_or_invalid_email_is_a_400_naming_it(api, admin, db, value):
    query = {} if value is None else {"email": value}

    export = api(admin).get(EXPORT, query)
    erase = api(admin).post(ERASE, query, format="json")

    assert export.status_code == erase.status_code == 400
    assert "email" in export.json() and "email" in erase.json()
    assert not Erasure.objects.exists()


def test_an_unknown_query_parameter_is_a_400(api, admin, db):
    response = api(admin).get(EXPORT, {"email": EMAIL, "mail": EMAIL})

    assert response.status_code == 400 and "mail" in response.content.decode()


def test_nothing_held_exports_404(api, admin, db):
    response = api(admin).get(EXPORT, {"email": "nobody@nowhere.example"})

    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_erase_answers_the_counts(api, admin, person):
    response = api(admin).post(ERASE, {"email": EMAIL}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["leads_deleted"] == 1 and body["counts"]["contacts_anonymised"] == 1
    assert body["erasure"] == Erasure.objects.get().pk


def test_erasing_nothing_answers_404_and_still_suppresses(api, admin, db):
    response = api(admin).post(ERASE, {"email": "nobody@nowhere.example"}, format="json")

    assert response.status_code == 404 and "suppression" in response.json()["detail"]
    assert is_suppressed("nobody@nowhere.example")


def test_the_erased_person_is_gone_from_lists_search_pages_exports_and_the_api(api, client, admin, rep, person):
    api(admin).post(ERASE, {"email": EMAIL}, format="json")
    reader = api(rep)
    client.force_login(rep)

    assert reader.get("/api/v1/leads/", {"email": EMAIL}).json()["results"] == []
    names = [lead["last_name"] for lead in reader.get("/api/v1/leads/").json()["results"]]
    assert "Doe" not in names
    assert reader.get("/api/v1/contacts/", {"email": EMAIL}).json()["results"] == []
    assert reader.get(f"/api/v1/leads/{person.open_lead.pk}/").status_code == 404
    assert client.get(f"/leads/{person.open_lead.pk}/").status_code == 404
    for query in ["Jane", "jane.doe", "Doe"]:  # the account keeps its company domain: it is not the person
        assert reader.get("/api/v1/search/", {"q": query}).json()["results"] == []
    assert "Jane" not in client.get(f"/contacts/{person.contact.pk}/").content.decode()
    assert api(admin).get(EXPORT, {"email": EMAIL}).status_code == 404
