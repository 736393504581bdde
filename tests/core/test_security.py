import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from users.models import ApiToken, SecurityEvent
from users.services import create_api_token, deactivate_user, revoke_api_token

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_success_and_failure_are_audited(client, rep):
    _login(client, "rep1", "wrong")
    _login(client, "rep1", PASSWORD)
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", "username"))
    assert kinds == [("login_failed", "rep1"), ("login_succeeded", "rep1")]
    assert SecurityEvent.objects.filter(ip_address="127.0.0.1").count() == 2


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_one(client, rep):
    for _ in range(5):
        _login(client, "rep1", "wrong")
    response = _login(client, "rep1", PASSWORD)
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_signing_in_rotates_the_session_key(client, rep):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    _login(client, "rep1", PASSWORD)
    assert client.session.session_key != before


def test_a_revoked_token_authenticates_nothing(client, rep, api):
    token, raw = create_api_token(user=rep, name="zapier")
    headers = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    assert client.get("/api/v1/leads/", **headers).status_code == 200
    revoke_api_token(token, by=rep)
    assert client.get("/api/v1/leads/", **headers).status_code == 401
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {"token_created", "token_revoked"} <= kinds


def test_only_the_token_digest_is_stored(rep):
    token, raw = create_api_token(user=rep, name="zapier")
    assert raw not in {token.digest, token.prefix}
    assert ApiToken.objects.filter(digest=ApiToken.digest_of(raw)).exists()


def test_deactivating_a_user_ends_their_sessions_and_tokens(client, rep, admin):
    _login(client, "rep1", PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    _, raw = create_api_token(user=rep, name="sheet")
    deactivate_user(rep, by=admin)
    assert client.get(reverse("home")).status_code == 302
    assert client.get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


def test_pages_carry_a_content_security_policy_and_frame_denial(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
