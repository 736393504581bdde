"""A locked-out sign-in answers 429 with Retry-After: JSON on the API (API.md's error shape), the page in the browser."""

from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD


def _token(client, password):
    return client.post("/api/v1/auth/token/", {"username": "rep1", "password": password}, format="json")


def test_the_token_endpoint_answers_a_locked_out_user_with_json_and_retry_after(rep, settings):
    client = APIClient()
    first = _token(client, "wrong")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _token(client, "wrong")

    locked = _token(client, PASSWORD)

    assert first.status_code == 400
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json()["code"] == "throttled" and "try again" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())


def test_the_sign_in_page_answers_a_locked_out_user_with_the_page_and_retry_after(client, rep, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "rep1", "password": "wrong"})

    locked = client.post(reverse("login"), {"username": "rep1", "password": PASSWORD})

    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    assert locked["Retry-After"]
    other = APIClient(REMOTE_ADDR="10.0.0.9")
    assert _token(other, PASSWORD).status_code == 200  # the lock is per user and address
