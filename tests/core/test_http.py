"""Throttles and the sign-in lockout key on the real client address: a forged X-Forwarded-For changes nothing."""

import pytest

from leads.api.web_to_lead import WebToLeadThrottle
from leads.models import Lead, WebForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(monkeypatch):
    monkeypatch.setattr(WebToLeadThrottle, "THROTTLE_RATES", {"web_to_lead": "2/min"})
    return WebForm.objects.create(name="Pricing", form_key="pricing-key")


def _post(client, n: int, forwarded_for: str):
    return client.post(
        "/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": f"D{n}"}, HTTP_X_FORWARDED_FOR=forwarded_for
    ).status_code


def test_a_forged_forwarded_for_header_does_not_escape_the_web_to_lead_throttle(form, client):
    codes = [_post(client, n, f"203.0.113.{n}") for n in range(4)]
    assert codes == [201, 201, 429, 429]
    assert Lead.objects.count() == 2


def test_behind_one_trusted_proxy_the_throttle_keys_on_the_address_the_proxy_saw(form, client, settings):
    settings.FUNNEL_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    # The client forges the first entry; the proxy appends the address it really saw.
    codes = [_post(client, n, f"10.9.9.{n}, 198.51.100.7") for n in range(3)]
    other_client = _post(client, 9, "198.51.100.8")
    assert codes == [201, 201, 429]
    assert other_client == 201


def test_a_forged_forwarded_for_header_does_not_escape_the_sign_in_lockout(client, rep):
    for n in range(5):
        client.post("/login/", {"username": "rep1", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = client.post(
        "/login/", {"username": "rep1", "password": "correct horse battery"}, HTTP_X_FORWARDED_FOR="203.0.113.99"
    )
    assert response.status_code == 429
