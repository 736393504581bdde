"""What a signed-in session that still owes its second factor may reach: the code page, signing out, and nothing
else; API tokens are their own factor."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.users.conftest import app_code
from users.services import create_api_token

pytestmark = pytest.mark.django_db


def _sign_in(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD})


def test_an_api_token_works_for_a_user_with_two_factor(rep, enrol):
    enrol(rep)
    _token, raw = create_api_token(user=rep, name="Zapier")

    response = APIClient().get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 200


def test_a_token_call_from_a_browser_still_owing_its_code_is_judged_by_the_token(client, rep, enrol):
    enrol(rep)
    _token, raw = create_api_token(user=rep, name="Script")
    _sign_in(client, "rep1")

    with_token = client.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {raw}")
    with_a_bad_token = client.get("/api/v1/leads/", HTTP_AUTHORIZATION="Token not-a-token")
    with_another_scheme = client.get("/api/v1/leads/", HTTP_AUTHORIZATION="Basic cmVwMTp4")

    assert with_token.status_code == 200
    assert with_a_bad_token.status_code == 401
    assert with_another_scheme.status_code == 401 and with_another_scheme.json()["code"] == "two_factor_required"


def test_the_django_admin_needs_the_code_of_an_admin_with_two_factor(client, admin, enrol):
    device, _codes = enrol(admin)
    _sign_in(client, "admin1")

    held = client.get("/admin/users/user/")
    client.post("/login/code/", {"code": app_code(device)})

    assert held.status_code == 302 and held["Location"].startswith("/login/code/?next=/admin/users/user/")
    assert client.get("/admin/users/user/").status_code == 200


def test_signing_out_works_while_the_code_is_owed(client, rep, enrol):
    enrol(rep)
    _sign_in(client, "rep1")

    response = client.post("/logout/")

    assert response.status_code == 302
    assert client.get("/leads/")["Location"].startswith("/login/")


def test_admins_are_sent_to_set_up_two_factor_when_it_is_required(client, admin, rep, settings, clock):
    # given
    settings.FUNNEL_REQUIRE_2FA_FOR_ADMINS = True
    _sign_in(client, "admin1")

    # when
    held = client.get("/leads/")
    held_admin = client.get("/admin/")
    client.post("/settings/two-factor/setup/")
    page = client.get("/settings/two-factor/")
    client.post("/settings/two-factor/confirm/", {"code": app_code(TOTPDevice.objects.get(user=admin))})

    # then
    assert held.status_code == 302 and held["Location"].startswith("/settings/two-factor/?next=/leads/")
    assert held_admin.status_code == 302 and held_admin["Location"].startswith("/settings/two-factor/")
    assert "Admins here must use two-factor sign-in" in page.content.decode()
    assert client.get("/leads/").status_code == 200


def test_the_requirement_for_admins_leaves_reps_alone(client, rep, settings):
    settings.FUNNEL_REQUIRE_2FA_FOR_ADMINS = True
    _sign_in(client, "rep1")

    assert client.get("/leads/").status_code == 200


def test_without_the_requirement_an_admin_signs_in_with_the_password_alone(client, admin):
    _sign_in(client, "admin1")

    assert client.get("/admin/").status_code == 200
