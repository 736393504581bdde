"""Two-factor sign-in: setting it up, the code step of signing in, recovery codes, turning it off."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.users.conftest import app_code
from users.models import SecurityEvent

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/settings/two-factor/"
VERIFY_URL = "/login/code/"


def _sign_in(client, username="rep1", password=PASSWORD, next_url=""):
    data = {"username": username, "password": password}
    return client.post(f"/login/?next={next_url}" if next_url else "/login/", data)


def _verify(client, code, next_url=""):
    return client.post(VERIFY_URL, {"code": code, "next": next_url})


def test_setting_up_shows_a_key_and_qr_code_and_a_code_from_the_app_turns_it_on_with_ten_recovery_codes(
    client, rep, clock
):
    # given
    client.force_login(rep)

    # when
    assert client.post("/settings/two-factor/setup/").status_code == 302
    page = client.get(SETTINGS_URL)
    device = TOTPDevice.objects.get(user=rep)
    confirmed = client.post("/settings/two-factor/confirm/", {"code": app_code(device)})

    # then
    setup = page.content.decode()
    assert page.status_code == 200 and "<svg" in setup and "otpauth://totp/" in setup
    assert page.context["secret"].replace(" ", "") in device.config_url
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>(\w+)</code></li>", confirmed.content.decode())
    assert len(codes) == 10 and "not shown again" in confirmed.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert SecurityEvent.objects.filter(user=rep, kind=SecurityEvent.Kind.TWO_FACTOR_ENABLED).exists()
    assert "10 of 10 recovery codes left" in client.get(SETTINGS_URL).content.decode()


def test_a_wrong_code_at_setup_leaves_two_factor_off(client, rep, clock):
    client.force_login(rep)
    client.post("/settings/two-factor/setup/")

    response = client.post("/settings/two-factor/confirm/", {"code": "000000"})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=rep, confirmed=True).exists()


def test_signing_in_asks_for_the_code_before_any_page(client, rep, enrol):
    # given
    device, _codes = enrol(rep)

    # when
    signed_in = _sign_in(client, next_url="/leads/")
    held = client.get("/leads/")
    held_api = client.get("/api/v1/leads/")
    verified = _verify(client, app_code(device), next_url="/leads/")

    # then
    assert signed_in.status_code == 302 and signed_in["Location"] == "/leads/"
    assert held.status_code == 302 and held["Location"].startswith(f"{VERIFY_URL}?next=/leads/")
    assert held_api.status_code == 401 and held_api.json()["code"] == "two_factor_required"
    assert verified.status_code == 302 and verified["Location"] == "/leads/"
    assert client.get("/leads/").status_code == 200
    assert client.get("/api/v1/leads/").status_code == 200
    details = list(SecurityEvent.objects.filter(user=rep, kind="login_succeeded").values_list("detail", flat=True))
    assert details == ["second factor: authenticator app", "password accepted; waiting for the second factor"]


def test_signing_in_without_two_factor_asks_for_the_password_only(client, rep):
    assert _sign_in(client).status_code == 302
    assert client.get("/leads/").status_code == 200


def test_a_wrong_code_is_refused_and_logged(client, rep, enrol):
    enrol(rep)
    _sign_in(client)

    response = _verify(client, "123456")

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert client.get("/leads/").status_code == 302
    failure = SecurityEvent.objects.get(user=rep, kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert failure.detail == "wrong two-factor code" and failure.path == VERIFY_URL


def test_five_wrong_codes_lock_the_code_step_for_fifteen_minutes(client, rep, enrol, clock, settings):
    # given
    device, _codes = enrol(rep)
    _sign_in(client)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _verify(client, "123456").status_code == 400

    # when
    locked = _verify(client, app_code(device))
    clock.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 1)
    later = _verify(client, app_code(device))

    # then
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "Too many wrong codes" in locked.content.decode()
    assert later.status_code == 302
    assert client.get("/leads/").status_code == 200


def test_a_recovery_code_signs_in_once(client, rep, enrol):
    # given
    _device, codes = enrol(rep)

    # when
    _sign_in(client)
    first = _verify(client, codes[0].upper())
    client.post("/logout/")
    _sign_in(client)
    again = _verify(client, codes[0])

    # then
    assert first.status_code == 302
    assert again.status_code == 400
    assert StaticToken.objects.filter(device__user=rep).count() == 9
    assert SecurityEvent.objects.filter(user=rep, detail="second factor: recovery code, 9 left").exists()


def test_turning_it_off_needs_a_current_code_or_the_password(client, rep, enrol):
    # given
    enrol(rep)
    client.force_login(rep)
    _verify(client, app_code(TOTPDevice.objects.get(user=rep)))

    # when
    refused = client.post("/settings/two-factor/disable/", {"code": "123456", "password": "not it"})
    turned_off = client.post("/settings/two-factor/disable/", {"password": PASSWORD})

    # then
    assert refused.status_code == 400 and "or your password" in refused.content.decode()
    assert turned_off.status_code == 302
    assert not TOTPDevice.objects.filter(user=rep).exists() and not StaticToken.objects.filter(device__user=rep)
    assert SecurityEvent.objects.filter(user=rep, kind=SecurityEvent.Kind.TWO_FACTOR_DISABLED).exists()
    client.post("/logout/")
    _sign_in(client)
    assert client.get("/leads/").status_code == 200


def test_turning_it_off_with_nothing_typed_names_what_is_needed(client, rep, enrol):
    device, _codes = enrol(rep)
    client.force_login(rep)
    _verify(client, app_code(device))

    response = client.post("/settings/two-factor/disable/", {})

    assert response.status_code == 400 and "or your password" in response.content.decode()
    assert TOTPDevice.objects.filter(user=rep, confirmed=True).exists()


def test_replacing_the_recovery_codes_voids_the_old_ones(client, rep, enrol):
    device, old_codes = enrol(rep)
    client.force_login(rep)
    _verify(client, app_code(device))

    response = client.post("/settings/two-factor/recovery-codes/")

    new_codes = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    client.post("/logout/")
    _sign_in(client)
    assert _verify(client, old_codes[1]).status_code == 400
    assert _verify(client, new_codes[1]).status_code == 302


def test_the_code_step_does_not_send_anyone_to_another_site(client, rep, enrol):
    device, _codes = enrol(rep)
    _sign_in(client)

    response = _verify(client, app_code(device), next_url="https://evil.example/")

    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_each_user_sees_only_their_own_two_factor_settings(client, rep, other_rep, enrol):
    # given
    enrol(rep)
    secret = TOTPDevice.objects.get(user=rep).key

    # when
    client.force_login(other_rep)
    page = client.get(SETTINGS_URL)
    client.post("/settings/two-factor/disable/", {"password": PASSWORD})

    # then
    assert page.status_code == 200 and "<strong>Off.</strong>" in page.content.decode()
    assert secret not in page.content.decode()
    assert TOTPDevice.objects.filter(user=rep, confirmed=True).exists()


def test_the_settings_pages_need_a_signed_in_user(client):
    assert client.get(SETTINGS_URL)["Location"].startswith("/login/")
    assert client.post("/settings/two-factor/setup/")["Location"].startswith("/login/")
    assert client.get(VERIFY_URL)["Location"].startswith("/login/")
