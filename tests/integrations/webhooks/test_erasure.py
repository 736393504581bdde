"""An erased person's data leaves the webhook outbox with the erasure: nothing about them is sent later."""

from __future__ import annotations

import pytest

from integrations.webhooks.models import Delivery, Message
from integrations.webhooks.services import create_endpoint
from leads.services.capture import create_lead
from privacy.services import erase_person

pytestmark = pytest.mark.django_db


def test_the_messages_about_an_erased_person_go_and_the_others_stay(admin, public_dns):
    create_endpoint(by=admin, url="https://hooks.example.com/in", events=["lead.created", "lead.updated"])
    jane = create_lead(by=admin, first_name="Jane", last_name="Doe", email="jane@erase.example")
    olga = create_lead(by=admin, first_name="Olga", last_name="Keep", email="olga@keep.example")
    assert Message.objects.filter(record_key=f"lead:{jane.pk}").exists()

    erase_person("jane@erase.example", by=admin)

    assert not Message.objects.filter(record_key=f"lead:{jane.pk}").exists()
    assert not any("erase.example" in body for body in Message.objects.values_list("body", flat=True))
    assert Message.objects.filter(record_key=f"lead:{olga.pk}").count() == 1
    assert Delivery.objects.filter(record_key=f"lead:{olga.pk}").count() == 1
