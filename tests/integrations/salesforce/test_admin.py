"""Connected apps in the admin: registered through the service, the secret shown once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.salesforce.models import ConnectedApp

pytestmark = pytest.mark.django_db


def test_an_admin_registers_a_connected_app_and_sees_its_secret_once(client, admin, rep):
    client.force_login(admin)

    response = client.post(
        reverse("admin:salesforce_connectedapp_add"),
        {"name": "Data loader", "run_as": rep.pk, "token_scope": "read"},
        follow=True,
    )

    app = ConnectedApp.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    assert (app.name, app.run_as, app.created_by, app.token_scope) == ("Data loader", rep, admin, "read")
    assert any(app.client_id in message and "client secret" in message for message in shown)
    assert len(app.client_secret_digest) == 64


def test_a_rep_cannot_reach_connected_apps(client, rep):
    client.force_login(rep)

    listed = client.get(reverse("admin:salesforce_connectedapp_changelist"))
    added = client.post(reverse("admin:salesforce_connectedapp_add"), {"name": "Sneaky"})

    assert listed.status_code != 200 and added.status_code != 200
    assert not ConnectedApp.objects.exists()
