"""POST /services/oauth2/token for registered connected apps."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from core.exceptions import PermissionDenied
from integrations.salesforce.ids import to_sf_id
from integrations.salesforce.objects import API_VERSION
from integrations.salesforce.services import register_connected_app
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("fresh_throttles")
URL = "/services/oauth2/token"


@pytest.fixture
def connected_app(admin, rep):
    return register_connected_app(by=admin, name="Loader", run_as=rep)


def test_the_password_grant_issues_a_token_that_works_on_the_api(sf_api, connected_app, rep):
    app, secret = connected_app

    response = sf_api().post(
        URL,
        {
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": secret,
            "username": "rep1",
            "password": PASSWORD,
        },
    )

    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "Bearer" and body["instance_url"] == "http://testserver"
    expected = base64.b64encode(
        hmac.new(secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256).digest()
    ).decode()
    assert body["signature"] == expected and body["issued_at"].isdigit()
    client = sf_api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert client.get(f"/services/data/v{API_VERSION}/sobjects/").status_code == 200


def test_the_client_credentials_grant_signs_in_the_apps_user(sf_api, connected_app, rep):
    app, secret = connected_app

    form = sf_api().post(URL, {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": secret})
    basic = sf_api()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{app.client_id}:{secret}".encode()).decode())
    header = basic.post(URL, {"grant_type": "client_credentials"})

    assert form.status_code == header.status_code == 200
    assert form.json()["id"].endswith("/" + to_sf_id("User", rep.pk))
    assert rep.api_tokens.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"password": "wrong"}, "invalid_grant"),
        ({"username": "nobody"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"client_id": "unknown"}, "invalid_client_id"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
    ],
)
def test_bad_credentials_are_refused_as_salesforce_does(sf_api, connected_app, rep, change, error):
    app, secret = connected_app
    data = {"grant_type": "password", "client_id": app.client_id, "client_secret": secret, "username": "rep1"}
    data["password"] = PASSWORD

    response = sf_api().post(URL, {**data, **change})

    assert response.status_code == 400 and response.json()["error"] == error
    assert not rep.api_tokens.exists()


def test_the_wrong_password_answers_authentication_failure(sf_api, connected_app):
    app, secret = connected_app

    response = sf_api().post(
        URL,
        {
            "grant_type": "password",
            "client_id": app.client_id,
            "client_secret": secret,
            "username": "rep1",
            "password": "x",
        },
    )

    assert response.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_an_inactive_app_issues_nothing(sf_api, connected_app, admin):
    from integrations.salesforce.services import update_connected_app

    app, secret = connected_app
    update_connected_app(app, by=admin, data={"is_active": False})

    response = sf_api().post(
        URL, {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": secret}
    )

    assert response.status_code == 400


def test_an_app_without_a_run_as_user_has_no_client_credentials(sf_api, admin):
    app, secret = register_connected_app(by=admin, name="Password only")

    response = sf_api().post(
        URL, {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": secret}
    )

    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_only_admins_register_connected_apps(rep):
    with pytest.raises(PermissionDenied):
        register_connected_app(by=rep, name="Mine")
