"""API token scopes, expiry and rate limits on the Salesforce-compatible API, in Salesforce's error shape."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from integrations.salesforce.bulk.models import BulkJob
from integrations.salesforce.ids import to_sf_id
from integrations.salesforce.services import register_connected_app, update_connected_app
from leads.models import Lead
from tests.factories import PASSWORD, LeadFactory, qualified_lead
from tests.integrations.salesforce.conftest import DATA
from users.models import ApiToken
from users.services import create_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]
READ_ONLY = [{"message": "This token can only read.", "errorCode": "INSUFFICIENT_ACCESS_OR_READONLY", "fields": []}]


def bearer_client(user, **options) -> APIClient:
    """A client sending a fresh token of `user` as Salesforce clients do (`Authorization: Bearer …`)."""
    _, raw = create_api_token(user=user, name=f"sf {uuid.uuid4().hex[:8]}", **options)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def lead(rep):
    return LeadFactory(owner=rep, last_name="Lovelace", company="Engines")


def test_a_read_token_cannot_create_update_or_delete_a_record(rep, lead):
    client = bearer_client(rep, scope="read")
    url = f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}"

    created = client.post(f"{DATA}/sobjects/Lead/", {"LastName": "Babbage", "Company": "Engines"}, format="json")
    updated = client.patch(url, {"LastName": "Changed"}, format="json")
    deleted = client.delete(url)
    upserted = client.patch(f"{DATA}/sobjects/Lead/External_Id__c/ERP-1", {"LastName": "Upsert"}, format="json")

    for response in (created, updated, deleted, upserted):
        assert response.status_code == 403
        assert response.json() == READ_ONLY
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["Lovelace"]


def test_a_read_token_cannot_convert_a_lead(rep):
    lead = qualified_lead(rep)

    response = bearer_client(rep, scope="read").post(
        f"{DATA}/actions/standard/convertLead",
        {"inputs": [{"leadId": to_sf_id("Lead", lead.pk), "convertedStatus": "Closed - Converted"}]},
        format="json",
    )

    assert response.status_code == 403 and response.json() == READ_ONLY
    lead.refresh_from_db()
    assert lead.converted_at is None


@pytest.mark.parametrize("kind", ["ingest", "query"])
def test_a_read_token_cannot_create_a_bulk_job(rep, kind):
    body = (
        {"object": "Lead", "operation": "insert", "contentType": "CSV", "lineEnding": "LF"}
        if kind == "ingest"
        else {"operation": "query", "query": "SELECT Id FROM Lead"}
    )

    response = bearer_client(rep, scope="read").post(f"{DATA}/jobs/{kind}", body, format="json")

    assert response.status_code == 403 and response.json() == READ_ONLY
    assert not BulkJob.objects.exists()


def test_a_read_token_reads_records_queries_and_describes(rep, lead):
    client = bearer_client(rep, scope="read")

    record = client.get(f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}")
    query = client.get(f"{DATA}/query/", {"q": "SELECT Id, LastName FROM Lead"})
    describe = client.get(f"{DATA}/sobjects/Lead/describe/")

    assert record.status_code == query.status_code == describe.status_code == 200
    assert record.json()["LastName"] == "Lovelace"
    assert [row["LastName"] for row in query.json()["records"]] == ["Lovelace"]


def test_a_write_token_creates_records_as_its_user(rep):
    response = bearer_client(rep, scope="write").post(
        f"{DATA}/sobjects/Lead/", {"LastName": "Babbage", "Company": "Engines"}, format="json"
    )

    assert response.status_code == 201
    assert Lead.objects.get(last_name="Babbage").owner == rep


def test_another_users_record_stays_not_found_whatever_the_scope(rep, other_rep, lead):
    response = bearer_client(other_rep, scope="write").get(f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}")

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_an_expired_token_is_an_invalid_session(rep):
    client = bearer_client(rep, expires_at=timezone.now() + timedelta(hours=1))
    ApiToken.objects.filter(user=rep).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(f"{DATA}/sobjects/")

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_a_token_over_its_rate_limit_gets_429_request_limit_exceeded_with_retry_after(rep):
    client = bearer_client(rep, rate_limit=1)

    first = client.get(f"{DATA}/sobjects/")
    refused = client.get(f"{DATA}/sobjects/")

    assert first.status_code == 200
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    body = refused.json()
    assert body[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED" and "Retry in" in body[0]["message"]


@pytest.fixture
def connected_app(admin, rep):
    return register_connected_app(by=admin, name="Loader", run_as=rep)


def _password_grant(app, secret, username: str):
    return APIClient().post(
        "/services/oauth2/token",
        {
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": secret,
            "username": username,
            "password": PASSWORD,
        },
    )


def test_the_oauth_grants_issue_write_tokens_by_default(connected_app, rep):
    app, secret = connected_app

    response = _password_grant(app, secret, "rep1")

    assert response.status_code == 200
    assert ApiToken.objects.get(user=rep).scope == "write"


def test_a_read_scope_app_signs_in_with_a_post_and_gets_a_read_token(connected_app, admin, rep):
    app, secret = connected_app
    update_connected_app(app, by=admin, data={"token_scope": "read"})

    response = _password_grant(app, secret, "rep1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")

    assert response.status_code == 200
    assert client.get(f"{DATA}/sobjects/").status_code == 200
    assert client.post(f"{DATA}/sobjects/Lead/", {"LastName": "X"}, format="json").json() == READ_ONLY


def test_an_admin_scope_app_gives_admins_admin_tokens_and_others_write(connected_app, admin, rep):
    app, secret = connected_app
    update_connected_app(app, by=admin, data={"token_scope": "admin"})

    assert _password_grant(app, secret, "rep1").status_code == 200
    assert _password_grant(app, secret, "admin1").status_code == 200

    assert ApiToken.objects.get(user=rep).scope == "write"
    assert ApiToken.objects.get(user=admin).scope == "admin"
