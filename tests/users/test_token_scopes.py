"""API token scopes, expiry, last use and per-token rate limits on /api/v1/."""

from __future__ import annotations

import importlib
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Account
from contacts.models import Contact
from imports.models import ImportJob
from leads.models import Lead
from opportunities.models import Opportunity
from tests.factories import PASSWORD, AccountFactory, ContactFactory, LeadFactory, OpportunityFactory, UserFactory
from users.models import ApiToken, SecurityEvent, Team
from users.services import create_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]
READ_ONLY = {"detail": "This token can only read.", "code": "read_only_token"}


def token_client(user, **options) -> APIClient:
    """An API client sending a fresh token of `user` created with `options` (scope, expires_at, rate_limit)."""
    _, raw = create_api_token(user=user, name=f"test {uuid.uuid4().hex[:8]}", **options)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def records(rep):
    """One lead, account, contact and opportunity of `rep`, by API resource name."""
    account = AccountFactory(owner=rep, name="Globex")
    return {
        "leads": LeadFactory(owner=rep, last_name="Lovelace"),
        "accounts": account,
        "contacts": ContactFactory(owner=rep, account=account, last_name="Hopper"),
        "opportunities": OpportunityFactory(owner=rep, account=account, name="Globex deal"),
    }


MODELS = {"leads": Lead, "accounts": Account, "contacts": Contact, "opportunities": Opportunity}
NEW = {
    "leads": {"last_name": "Babbage"},
    "accounts": {"name": "Initech"},
    "contacts": {"last_name": "Turing"},
    "opportunities": {"name": "New deal", "close_date": "2027-01-31"},
}
CHANGE = {"leads": "last_name", "accounts": "name", "contacts": "last_name", "opportunities": "name"}


@pytest.mark.parametrize("resource", MODELS)
def test_a_read_token_gets_403_on_every_write_and_nothing_changes(rep, records, resource):
    client = token_client(rep, scope="read")
    record = records[resource]
    before = MODELS[resource].objects.count()
    payload = dict(NEW[resource])
    if resource in ("contacts", "opportunities"):
        payload["account"] = records["accounts"].pk

    created = client.post(f"/api/v1/{resource}/", payload)
    patched = client.patch(f"/api/v1/{resource}/{record.pk}/", {CHANGE[resource]: "Changed"})
    deleted = client.delete(f"/api/v1/{resource}/{record.pk}/")

    for response in (created, patched, deleted):
        assert response.status_code == 403
        assert response.json() == READ_ONLY
    assert MODELS[resource].objects.count() == before
    record.refresh_from_db()
    assert getattr(record, CHANGE[resource]) != "Changed"


@pytest.mark.parametrize("resource", MODELS)
def test_a_read_token_reads_lists_and_records(rep, records, resource):
    client = token_client(rep, scope="read")

    listed = client.get(f"/api/v1/{resource}/")
    detail = client.get(f"/api/v1/{resource}/{records[resource].pk}/")

    assert listed.status_code == detail.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [records[resource].pk]


def test_a_read_token_cannot_bulk_upsert_leads(rep):
    response = token_client(rep, scope="read").post(
        "/api/v1/leads/bulk/", {"leads": [{"last_name": "Doe", "email": "doe@example.test"}]}
    )

    assert response.status_code == 403 and response.json() == READ_ONLY
    assert not Lead.objects.exists()


def test_a_read_token_cannot_upload_an_import(rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    csv = SimpleUploadedFile("leads.csv", b"Last Name,Email\r\nDoe,doe@example.test\r\n", "text/csv")

    response = token_client(rep, scope="read").post("/api/v1/imports/", {"file": csv}, format="multipart")

    assert response.status_code == 403 and response.json() == READ_ONLY
    assert not ImportJob.objects.exists()


def test_a_read_token_cannot_convert_a_lead(rep, records):
    lead = records["leads"]

    response = token_client(rep, scope="read").post(f"/api/v1/leads/{lead.pk}/convert/", {})

    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.converted_at is None


def test_a_refused_write_is_in_the_security_log_under_the_tokens_user(rep):
    token_client(rep, scope="read").post("/api/v1/leads/", {"last_name": "Doe"})

    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PERMISSION_DENIED)
    assert (event.user, event.path, event.detail) == (rep, "/api/v1/leads/", "This token can only read.")


def test_a_write_token_creates_changes_and_deletes_as_its_user(rep, records):
    client = token_client(rep, scope="write")

    created = client.post("/api/v1/leads/", {"last_name": "Babbage"})
    patched = client.patch(f"/api/v1/accounts/{records['accounts'].pk}/", {"name": "Globex Corp"})
    deleted = client.delete(f"/api/v1/leads/{records['leads'].pk}/")

    assert (created.status_code, patched.status_code, deleted.status_code) == (201, 200, 204)
    assert Lead.objects.get(last_name="Babbage").owner == rep
    assert Account.objects.get(pk=records["accounts"].pk).name == "Globex Corp"


def test_a_token_is_write_unless_asked_otherwise(rep):
    response = token_client(rep).post("/api/v1/api-tokens/", {"name": "zapier"})

    assert response.status_code == 201
    assert response.json()["scope"] == "write"


def test_the_token_list_shows_scope_expiry_rate_and_last_use(rep):
    expires = timezone.now() + timedelta(days=30)
    client = token_client(rep, scope="read", expires_at=expires, rate_limit=120)

    rows = client.get("/api/v1/api-tokens/").json()["results"]

    assert len(rows) == 1
    row = rows[0]
    assert (row["scope"], row["rate_limit"]) == ("read", 120)
    assert row["expires_at"] is not None and row["last_used_at"] is not None


def test_a_token_is_created_with_scope_expiry_and_rate_limit(rep, api):
    expires = (timezone.now() + timedelta(days=7)).isoformat()

    response = api(rep).post(
        "/api/v1/api-tokens/", {"name": "bi", "scope": "read", "expires_at": expires, "rate_limit": 60}
    )

    assert response.status_code == 201
    token = ApiToken.objects.get(name="bi")
    assert (token.scope, token.rate_limit) == ("read", 60)
    assert token.expires_at is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"scope": "admin"}, "scope"),
        ({"scope": "superuser"}, "scope"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "soon"}, "expires_at"),
        ({"rate_limit": 0}, "rate_limit"),
        ({"rate_limit": -5}, "rate_limit"),
        ({"rate_limit": "many"}, "rate_limit"),
    ],
)
def test_bad_token_options_are_a_400_naming_the_field_and_create_nothing(rep, api, payload, field):
    response = api(rep).post("/api/v1/api-tokens/", {"name": "bi", **payload})

    assert response.status_code == 400
    assert field in response.json()
    assert not ApiToken.objects.exists()


def test_a_non_admin_cannot_hold_an_admin_token_whichever_way_it_is_created(rep):
    with pytest.raises(ValidationError) as refused:
        create_api_token(user=rep, name="ops", scope="admin")

    login = APIClient().post("/api/v1/auth/token/", {"username": "rep1", "password": PASSWORD, "scope": "admin"})

    assert "scope" in refused.value.message_dict
    assert login.status_code == 400 and "scope" in login.json()
    assert not ApiToken.objects.exists()


def test_the_login_endpoint_issues_a_read_token_when_asked(rep):
    raw = APIClient().post("/api/v1/auth/token/", {"username": "rep1", "password": PASSWORD, "scope": "read"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw.json()['token']}")

    assert client.get("/api/v1/leads/").status_code == 200
    assert client.post("/api/v1/leads/", {"last_name": "Doe"}).status_code == 403


def test_a_token_cannot_create_a_token_wider_than_itself(admin):
    response = token_client(admin, scope="write").post("/api/v1/api-tokens/", {"name": "ops", "scope": "admin"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and "scope" in response.json()
    assert ApiToken.objects.filter(scope="admin").count() == 0


def test_admin_only_endpoints_need_an_admin_scope_token(admin):
    write = token_client(admin, scope="write").post("/api/v1/teams/", {"name": "West"})
    webhooks = token_client(admin, scope="write").get("/api/v1/webhooks/")
    admin_scope = token_client(admin, scope="admin").post("/api/v1/teams/", {"name": "North"})

    assert write.status_code == webhooks.status_code == 403
    assert admin_scope.status_code == 201
    assert list(Team.objects.values_list("name", flat=True)) == ["North"]


def test_an_admins_write_token_still_sees_every_record(admin, rep, records):
    rows = token_client(admin, scope="write").get("/api/v1/leads/").json()["results"]

    assert [row["id"] for row in rows] == [records["leads"].pk]


def test_an_admins_write_token_lists_and_revokes_only_its_users_tokens(admin, rep):
    create_api_token(user=rep, name="theirs")
    theirs = ApiToken.objects.get(user=rep)
    client = token_client(admin, scope="write")

    listed = client.get("/api/v1/api-tokens/").json()["results"]
    revoke = client.delete(f"/api/v1/api-tokens/{theirs.pk}/")
    admin_scope = token_client(admin, scope="admin").get(f"/api/v1/api-tokens/{theirs.pk}/")

    assert {row["user"] for row in listed} == {admin.pk}
    assert revoke.status_code == 404
    assert admin_scope.status_code == 200


def test_a_second_user_cannot_see_or_revoke_another_users_token(rep, other_rep):
    create_api_token(user=rep, name="mine")
    mine = ApiToken.objects.get(user=rep)
    client = token_client(other_rep, scope="write")

    assert client.get(f"/api/v1/api-tokens/{mine.pk}/").status_code == 404
    assert client.delete(f"/api/v1/api-tokens/{mine.pk}/").status_code == 404
    assert [row["user"] for row in client.get("/api/v1/api-tokens/").json()["results"]] == [other_rep.pk]
    mine.refresh_from_db()
    assert mine.revoked_at is None


def test_an_expired_token_is_refused_like_a_revoked_one(rep):
    client = token_client(rep, expires_at=timezone.now() + timedelta(hours=1))
    assert client.get("/api/v1/leads/").status_code == 200

    ApiToken.objects.filter(user=rep).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/leads/")

    assert response.status_code == 401
    assert response.json() == {"detail": "This token has expired.", "code": "authentication_failed"}


def test_last_use_is_stamped_at_most_once_a_minute(rep):
    client = token_client(rep)
    client.get("/api/v1/leads/")
    token = ApiToken.objects.get(user=rep)
    first = token.last_used_at

    client.get("/api/v1/leads/")
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/leads/")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_a_token_over_its_rate_limit_gets_429_with_retry_after_and_others_do_not(rep):
    limited = token_client(rep, rate_limit=2)
    other = token_client(rep)

    codes = [limited.get("/api/v1/leads/").status_code for _ in range(3)]
    refused = limited.get("/api/v1/leads/")

    assert codes == [200, 200, 429]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"
    assert other.get("/api/v1/leads/").status_code == 200


def test_a_token_without_its_own_limit_follows_the_installation_rate(rep, settings):
    settings.FUNNEL_TOKEN_RATE = "1/min"
    client = token_client(rep)

    assert [client.get("/api/v1/leads/").status_code for _ in range(2)] == [200, 429]


def test_sessions_are_not_throttled_per_token(rep, settings):
    settings.FUNNEL_TOKEN_RATE = "1/min"
    client = APIClient()
    client.force_login(rep)

    assert [client.get("/api/v1/leads/").status_code for _ in range(3)] == [200, 200, 200]


def test_the_migration_makes_admins_tokens_admin_and_everyone_elses_write(rep, admin):
    superuser = UserFactory(username="root", role="rep", is_superuser=True)
    for user in (rep, admin, superuser):
        create_api_token(user=user, name="old")
    ApiToken.objects.update(scope="read")  # the column's value before the migration set it
    migration = importlib.import_module("users.migrations.0005_token_scope_expiry_rate")

    migration.scope_existing_tokens(apps, None)

    scopes = dict(ApiToken.objects.values_list("user__username", "scope"))
    assert scopes == {"rep1": "write", "admin1": "admin", "root": "admin"}
