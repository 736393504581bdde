"""A browser session ends after FUNNEL_IDLE_TIMEOUT_MINUTES without a request; each request starts the wait again."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from users.models import SecurityEvent
from users.services import create_api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel("2026-06-01 09:00:00+00:00", tick=False) as traveller:
        yield traveller


def _sign_in(client):
    assert client.post("/login/", {"username": "rep1", "password": PASSWORD}).status_code == 302


def test_a_session_idle_past_the_timeout_is_signed_out_and_told_why(client, rep, clock, settings):
    # given
    _sign_in(client)

    # when
    clock.shift(timedelta(minutes=settings.FUNNEL_IDLE_TIMEOUT_MINUTES, seconds=1))
    response = client.get("/leads/", follow=True)

    # then
    assert response.redirect_chain[0][0].startswith("/login/?next=/leads/")
    assert "signed out after 60 minutes without activity" in response.content.decode()
    assert SecurityEvent.objects.filter(user=rep, kind=SecurityEvent.Kind.LOGGED_OUT).exists()


def test_each_request_starts_the_idle_wait_again(client, rep, clock, settings):
    _sign_in(client)
    for _ in range(3):
        clock.shift(timedelta(minutes=settings.FUNNEL_IDLE_TIMEOUT_MINUTES - 1))
        assert client.get("/leads/").status_code == 200


def test_an_idle_session_gets_401_from_the_api(client, rep, clock, settings):
    _sign_in(client)

    clock.shift(timedelta(minutes=settings.FUNNEL_IDLE_TIMEOUT_MINUTES + 5))

    assert client.get("/api/v1/leads/").status_code == 401


def test_a_timeout_of_zero_keeps_sessions_open(client, rep, clock, settings):
    settings.FUNNEL_IDLE_TIMEOUT_MINUTES = 0
    _sign_in(client)

    clock.shift(timedelta(hours=7))

    assert client.get("/leads/").status_code == 200


def test_an_api_token_call_opens_no_session(rep, clock):
    _token, raw = create_api_token(user=rep, name="Zapier")

    response = APIClient().get("/api/v1/leads/", HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 200
    assert "sessionid" not in response.cookies
