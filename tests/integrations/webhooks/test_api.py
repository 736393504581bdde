"""/api/v1/webhooks/: admins register endpoints (secret shown once), read the log, rotate, replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.webhooks import guard
from integrations.webhooks.delivery import dispatch_due_deliveries
from integrations.webhooks.models import Delivery, Endpoint, Message
from leads.services.capture import create_lead, update_lead
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]
URL = "/api/v1/webhooks/"


@pytest.fixture
def registered(api, admin, receiver):
    response = api(admin).post(URL, {"url": receiver.url, "events": ["lead.created", "lead.updated"]}, format="json")
    assert response.status_code == 201, response.data
    receiver.secrets.append(response.data["secret"])
    return response.data


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(api, admin, receiver):
    response = api(admin).post(
        URL, {"url": receiver.url, "events": ["lead.created"], "description": "ERP"}, format="json"
    )

    assert response.status_code == 201
    assert response.data["secret"].startswith("whsec_")
    assert response.data["events"] == ["lead.created"]
    assert response.data["is_active"] is True
    detail = api(admin).get(f"{URL}{response.data['id']}/")
    assert detail.status_code == 200
    assert "secret" not in detail.data
    listing = api(admin).get(URL)
    assert [e["id"] for e in listing.data["results"]] == [response.data["id"]]
    assert "secret" not in listing.data["results"][0]


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_reps_and_managers_get_403_everywhere(api, registered, role):
    user = UserFactory(role=role)
    client = api(user)

    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{registered['id']}/").status_code == 403
    assert client.post(URL, {"url": "http://127.0.0.1/x", "events": ["lead.created"]}, format="json").status_code == 403
    assert client.patch(f"{URL}{registered['id']}/", {"is_active": False}, format="json").status_code == 403
    assert client.post(f"{URL}{registered['id']}/rotate-secret/").status_code == 403
    assert client.get(f"{URL}{registered['id']}/deliveries/").status_code == 403
    assert client.delete(f"{URL}{registered['id']}/").status_code == 403
    assert Endpoint.objects.filter(is_active=True).count() == 1


def test_anonymous_callers_get_401(api, registered):
    assert api().get(URL).status_code == 401


def test_a_second_admin_sees_and_manages_the_same_endpoints(api, registered):
    other_admin = UserFactory(role="admin")

    assert api(other_admin).get(f"{URL}{registered['id']}/").status_code == 200
    response = api(other_admin).patch(f"{URL}{registered['id']}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    assert response.data["is_active"] is False


def test_an_unknown_endpoint_is_404(api, admin):
    assert api(admin).get(f"{URL}999/").status_code == 404


def test_an_unknown_event_type_is_a_400_naming_it(api, admin, receiver):
    response = api(admin).post(URL, {"url": receiver.url, "events": ["lead.created", "lead.exploded"]}, format="json")

    assert response.status_code == 400
    assert "lead.exploded" in response.data["events"][0]
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "problem"),
    [("http://10.0.0.1/hook", "private"), ("gopher://example.com/", "http or https"), ("not a url", "http or https")],
)
def test_a_bad_url_is_a_400_naming_the_problem(api, admin, monkeypatch, url, problem):
    monkeypatch.delenv(guard.ALLOWED_HOSTS_VARIABLE)

    response = api(admin).post(URL, {"url": url, "events": ["lead.created"]}, format="json")

    assert response.status_code == 400
    assert response.data["code"] == "webhook_url_refused"
    assert problem in response.data["url"][0]


def test_missing_fields_are_400s(api, admin):
    response = api(admin).post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.data) >= {"url", "events"}
    assert api(admin).post(URL, {"url": "http://127.0.0.1/", "events": []}, format="json").status_code == 400


def test_patch_changes_events_and_checks_the_url(api, admin, registered, monkeypatch):
    response = api(admin).patch(f"{URL}{registered['id']}/", {"events": ["lead.converted"]}, format="json")
    assert response.status_code == 200
    assert response.data["events"] == ["lead.converted"]

    monkeypatch.delenv(guard.ALLOWED_HOSTS_VARIABLE)
    response = api(admin).patch(f"{URL}{registered['id']}/", {"url": "http://169.254.169.254/"}, format="json")
    assert response.status_code == 400
    assert "metadata" in response.data["url"][0]
    assert Endpoint.objects.get().url == registered["url"]


def test_delete_removes_the_endpoint(api, admin, registered):
    assert api(admin).delete(f"{URL}{registered['id']}/").status_code == 204
    assert not Endpoint.objects.exists()


def test_rotate_secret_shows_the_new_secret_once_and_keeps_the_old_one_for_a_day(api, admin, registered):
    response = api(admin).post(f"{URL}{registered['id']}/rotate-secret/", {}, format="json")

    assert response.status_code == 200
    assert response.data["secret"].startswith("whsec_")
    assert response.data["secret"] != registered["secret"]
    endpoint = Endpoint.objects.get()
    assert endpoint.previous_secret == registered["secret"]
    left = endpoint.previous_secret_expires_at - timezone.now()
    assert timedelta(hours=23) < left <= timedelta(hours=24)


def test_the_delivery_log_shows_status_latency_and_the_response(api, admin, registered, receiver):
    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()

    response = api(admin).get(f"{URL}{registered['id']}/deliveries/")

    assert response.status_code == 200
    [row] = response.data["results"]
    assert row["event_type"] == "lead.created"
    assert row["status"] == "succeeded"
    assert row["last_status_code"] == 200
    assert row["latency_ms"] is not None
    assert row["response_excerpt"] == '{"ok": true}'
    assert row["message_id"] == receiver.webhook_ids()[0]
    assert api(admin).get(f"{URL}{registered['id']}/deliveries/?status=bogus").status_code == 400
    assert api(admin).get(f"{URL}{registered['id']}/deliveries/?status=failed").data["results"] == []


def test_replay_of_one_message_sends_it_again_with_the_same_webhook_id(api, admin, registered, receiver):
    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()
    webhook_id = Message.objects.get().webhook_id

    response = api(admin).post(f"{URL}{registered['id']}/replay/", {"message_id": webhook_id}, format="json")
    assert response.status_code == 202
    assert response.data == {"queued": 1}
    dispatch_due_deliveries()

    assert receiver.webhook_ids() == [webhook_id, webhook_id]
    assert all(r.verified for r in receiver.requests)


def test_replay_of_a_time_range_requeues_the_messages_in_it(api, admin, registered, receiver):
    lead = create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    update_lead(lead, by=admin, data={"title": "CTO"})
    dispatch_due_deliveries()
    since = (timezone.now() - timedelta(minutes=1)).isoformat()

    response = api(admin).post(f"{URL}{registered['id']}/replay/", {"since": since}, format="json")
    assert response.data == {"queued": 2}
    dispatch_due_deliveries()

    ids = receiver.webhook_ids()
    assert ids[2:] == ids[:2]  # same ids, same order


def test_replay_refuses_bad_input(api, admin, registered):
    replay = f"{URL}{registered['id']}/replay/"
    client = api(admin)

    response = client.post(replay, {"message_id": "msg_nope"}, format="json")
    assert response.status_code == 400 and "msg_nope" in response.data["message_id"][0]
    assert client.post(replay, {}, format="json").status_code == 400
    assert client.post(replay, {"since": "yesterday"}, format="json").status_code == 400
    now = timezone.now()
    response = client.post(replay, {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()})
    assert response.status_code == 400 and "until" in response.data


def test_replay_to_a_disabled_endpoint_is_a_409(api, admin, registered):
    api(admin).patch(f"{URL}{registered['id']}/", {"is_active": False}, format="json")

    response = api(admin).post(f"{URL}{registered['id']}/replay/", {"since": timezone.now().isoformat()})

    assert response.status_code == 409
    assert response.data["code"] == "webhook_endpoint_inactive"


def test_turning_an_endpoint_back_on_clears_why_it_was_off(api, admin, registered):
    Endpoint.objects.update(is_active=False, disabled_reason="Disabled automatically", failing_since=timezone.now())

    response = api(admin).patch(f"{URL}{registered['id']}/", {"is_active": True}, format="json")

    assert response.data["is_active"] is True
    assert response.data["disabled_reason"] == ""
    assert response.data["failing_since"] is None


def test_the_schema_describes_the_webhook_endpoints(api, admin):
    schema = api(admin).get("/api/v1/schema/?format=json").json()

    for path in ["/api/v1/webhooks/", "/api/v1/webhooks/{id}/rotate-secret/", "/api/v1/webhooks/{id}/replay/"]:
        assert path in schema["paths"]
    assert "403" in schema["paths"]["/api/v1/webhooks/"]["post"]["responses"]
    assert Delivery.objects.count() == 0
