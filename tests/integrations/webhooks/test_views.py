"""The admins' webhook pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.webhooks import guard
from integrations.webhooks.delivery import dispatch_due_deliveries
from integrations.webhooks.models import Delivery, Endpoint, Message
from integrations.webhooks.services import create_endpoint
from leads.services.capture import create_lead
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint(admin, receiver):
    endpoint, secret = create_endpoint(by=admin, url=receiver.url, events=["lead.created"])
    receiver.secrets.append(secret)
    return endpoint


def test_an_admin_creates_an_endpoint_and_sees_the_secret_once(client, admin, receiver):
    client.force_login(admin)

    response = client.post(
        reverse("webhooks:create"), {"url": receiver.url, "events": ["lead.created", "lead.converted"]}
    )

    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["lead.converted", "lead.created"]
    assert endpoint.secret in response.content.decode()
    detail = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in detail


def test_the_form_names_a_refused_url(client, admin, monkeypatch):
    monkeypatch.delenv(guard.ALLOWED_HOSTS_VARIABLE)
    client.force_login(admin)

    response = client.post(reverse("webhooks:create"), {"url": "http://127.0.0.1/", "events": ["lead.created"]})

    assert response.status_code == 200
    assert "loopback" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_list_shows_each_endpoint_and_its_state(client, admin, endpoint, django_assert_max_num_queries):
    create_endpoint(by=admin, url="http://127.0.0.1:9/two", events=["lead.updated"])
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False, disabled_reason="Disabled automatically")
    client.force_login(admin)

    with django_assert_max_num_queries(8):
        page = client.get(reverse("webhooks:list")).content.decode()

    assert endpoint.url in page and "/two" in page
    assert "Disabled automatically" in page


def test_the_log_shows_deliveries_and_replays_one(client, admin, endpoint, receiver):
    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()
    message = Message.objects.get()
    client.force_login(admin)

    page = client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert message.webhook_id in page
    assert "Delivered" in page

    response = client.post(reverse("webhooks:replay", args=[endpoint.pk]), {"message_id": message.webhook_id})
    assert response.status_code == 302
    assert Delivery.objects.get().status == "pending"


def test_rotating_shows_the_new_secret_once(client, admin, endpoint):
    client.force_login(admin)

    response = client.post(reverse("webhooks:rotate", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert endpoint.secret in response.content.decode()
    assert endpoint.previous_secret


def test_editing_turns_an_endpoint_off(client, admin, endpoint):
    client.force_login(admin)

    response = client.post(
        reverse("webhooks:edit", args=[endpoint.pk]), {"url": endpoint.url, "events": ["lead.created"]}
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.is_active


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_other_roles_get_403_and_no_link(client, endpoint, role):
    user = UserFactory(role=role)
    client.force_login(user)

    for name, args in [("list", []), ("create", []), ("detail", [endpoint.pk]), ("edit", [endpoint.pk])]:
        assert client.get(reverse(f"webhooks:{name}", args=args)).status_code == 403
    assert client.post(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 403
    assert Endpoint.objects.exists()
    assert reverse("webhooks:list") not in client.get(reverse("leads:list")).content.decode()


def test_admins_find_the_page_in_the_navigation(client, admin):
    client.force_login(admin)

    assert reverse("webhooks:list") in client.get(reverse("leads:list")).content.decode()


def test_an_unknown_endpoint_is_404(client, admin):
    client.force_login(admin)

    assert client.get(reverse("webhooks:detail", args=[999])).status_code == 404


def test_delete_needs_a_post_with_csrf(admin, endpoint):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)

    assert browser.post(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 403
    assert Endpoint.objects.exists()
