import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from rest_framework.test import APIClient

from leads.models import Lead
from tests.factories import LeadFactory
from tests.users.conftest import app_code
from users.models import ApiToken, SecurityEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def _token(username, password="correct horse battery", **extra):  # noqa: S107
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra})


def test_a_token_from_the_login_endpoint_authenticates_api_calls(rep):
    response = _token("rep1")
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/leads/").status_code == 200
    assert ApiToken.objects.get().digest != response.json()["token"]


def test_wrong_password_and_unknown_user_get_the_same_400(rep):
    wrong, unknown = _token("rep1", "nope"), _token("nobody")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()


def test_the_login_endpoint_is_throttled_per_ip(rep, monkeypatch):
    from users.api.views import AuthThrottle

    monkeypatch.setattr(AuthThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    codes = [_token("rep1", "nope").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]
    other_ip = APIClient(REMOTE_ADDR="10.0.0.9").post("/api/v1/auth/token/", {"username": "rep1", "password": "x"})
    assert other_ip.status_code == 400


def test_a_revoked_token_no_longer_authenticates_and_others_keep_working(rep, api):
    zapier = _token("rep1", name="zapier").json()["token"]
    loader = _token("rep1", name="loader").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {loader}")
    tokens = client.get("/api/v1/api-tokens/").json()["results"]
    assert {t["name"] for t in tokens} == {"zapier", "loader"}
    zapier_id = next(t["id"] for t in tokens if t["name"] == "zapier")
    assert client.delete(f"/api/v1/api-tokens/{zapier_id}/").status_code == 204
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Token {zapier}")
    assert revoked.get("/api/v1/leads/").status_code == 401
    assert client.get("/api/v1/leads/").status_code == 200


def test_a_rep_cannot_see_or_revoke_another_users_token(rep, other_rep, api):
    _token("rep2")
    theirs = ApiToken.objects.get(user=other_rep)
    assert api(rep).delete(f"/api/v1/api-tokens/{theirs.pk}/").status_code == 404
    assert api(rep).get("/api/v1/api-tokens/").json()["results"] == []


def test_creating_a_token_for_an_integration_shows_it_once(rep, api):
    response = api(rep).post("/api/v1/api-tokens/", {"name": "bi"})
    assert response.status_code == 201
    raw = response.json()["token"]
    listed = api(rep).get("/api/v1/api-tokens/").json()["results"][0]
    assert "token" not in listed
    assert raw.startswith(listed["prefix"])


def test_session_writes_need_the_csrf_token(rep):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    assert client.get("/api/v1/leads/").status_code == 200
    refused = client.post("/api/v1/leads/", {"last_name": "Doe"}, content_type="application/json")
    assert refused.status_code == 403
    assert not Lead.objects.exists()
    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf
    accepted = client.post(
        "/api/v1/leads/", {"last_name": "Doe"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert accepted.status_code == 201


def test_token_calls_need_no_csrf_token(rep):
    raw = _token("rep1").json()["token"]
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/leads/", {"last_name": "Doe"}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {raw}"
    )
    assert response.status_code == 201


def test_health_answers_without_authentication(db):
    body = APIClient().get("/api/v1/health/").json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_schema_and_docs_are_served_by_the_app(db):
    client = Client()
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/leads/bulk/" in schema["paths"]
    assert "409" in schema["paths"]["/api/v1/leads/{id}/"]["patch"]["responses"]
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    LeadFactory  # noqa: B018


def test_an_admin_sets_a_reps_routing_profile_and_bad_skills_are_a_400(api, admin, rep, other_rep):
    response = api(admin).patch(
        f"/api/v1/users/{rep.pk}/",
        {"function": "sdr", "level": "senior", "skills": [" de ", "fintech"], "routing_shares": 2},
        format="json",
    )
    assert response.status_code == 200, response.content
    rep.refresh_from_db()
    assert (rep.function, rep.level, rep.skills, rep.routing_shares) == ("sdr", "senior", ["de", "fintech"], 2)

    bad = api(admin).patch(f"/api/v1/users/{rep.pk}/", {"skills": "de"}, format="json")
    assert bad.status_code == 400 and "skills" in bad.json()
    assert api(admin).patch(f"/api/v1/users/{rep.pk}/", {"level": "guru"}, format="json").status_code == 400
    # only admins write users: a rep may change neither their own routing profile nor anyone else's
    assert api(rep).patch(f"/api/v1/users/{rep.pk}/", {"level": "junior"}, format="json").status_code == 403
    assert api(rep).patch(f"/api/v1/users/{other_rep.pk}/", {"level": "junior"}, format="json").status_code == 403
    rep.refresh_from_db()
    assert rep.level == "senior"


def test_a_password_alone_gets_no_token_for_a_user_with_two_factor(rep, enrol):
    device, codes = enrol(rep)

    without_code = _token("rep1")
    wrong_code = _token("rep1", two_factor_code="123456")
    with_code = _token("rep1", two_factor_code=app_code(device))
    with_recovery_code = _token("rep1", name="backup-script", two_factor_code=codes[0])

    assert without_code.status_code == 400 and "two_factor_code" in without_code.json()
    assert wrong_code.status_code == 400 and "That code is not right" in wrong_code.json()["two_factor_code"][0]
    assert with_code.status_code == 200 and with_recovery_code.status_code == 200
    assert SecurityEvent.objects.filter(user=rep, kind="login_failed", detail="wrong two-factor code").count() == 1


def test_wrong_two_factor_codes_at_the_token_endpoint_lock_it_with_retry_after(rep, enrol, settings):
    enrol(rep)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token("rep1", two_factor_code="123456")

    locked = _token("rep1", two_factor_code="123456")

    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert locked.json()["code"] == "throttled"
