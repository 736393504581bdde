"""Events become outbox messages in the transaction of the change, only for endpoints that want them."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.services import create_account
from assignment.services import assign_lead
from contacts.services import create_contact
from conversion.services import convert_lead
from imports.services import create_import, run_import
from integrations.webhooks.models import Delivery, Message
from integrations.webhooks.services import create_endpoint, update_endpoint
from leads.models import Lead
from leads.services.capture import change_lead_status, create_lead, update_lead
from opportunities.models import Stage
from opportunities.services import create_opportunity, move_opportunity_stage
from tests.factories import AccountFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db
ALL = [
    "lead.created",
    "lead.updated",
    "lead.status_changed",
    "lead.assigned",
    "lead.converted",
    "account.created",
    "contact.created",
    "opportunity.created",
    "opportunity.stage_changed",
    "opportunity.closed",
    "import.finished",
]


@pytest.fixture
def everything(admin, public_dns):
    endpoint, _ = create_endpoint(by=admin, url="https://hooks.example.com/in", events=ALL)
    return endpoint


def _payloads() -> list[dict]:
    return [json.loads(m.body) for m in Message.objects.order_by("id")]


def test_a_rolled_back_write_leaves_no_message(admin, everything):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        assert Message.objects.count() == 1  # written with the lead, in its transaction
        raise RuntimeError("the request failed after the write")

    assert not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_a_committed_write_has_its_message_and_a_pending_delivery(admin, everything):
    lead = create_lead(by=admin, first_name="Ada", last_name="Lovelace", company="Analytical")

    message = Message.objects.get()
    body = json.loads(message.body)
    assert body["type"] == "lead.created"
    assert body["timestamp"]
    assert body["data"]["object"] == "lead"
    assert body["data"]["record"]["company"] == "Analytical"
    assert body["data"]["by"] == admin.pk
    assert message.record_key == f"lead:{lead.pk}"
    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.status) == (everything, "pending")


def test_nothing_is_written_when_no_active_endpoint_wants_the_event(admin, public_dns):
    endpoint, _ = create_endpoint(by=admin, url="https://hooks.example.com/in", events=["lead.converted"])
    with CaptureQueriesContext(connection) as queries:
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    update_endpoint(endpoint, by=admin, data={"events": ALL, "is_active": False})
    create_lead(by=admin, first_name="Bob", last_name="Off")

    assert not Message.objects.exists()
    # The whole cost for a write nobody subscribed to: one look at the active endpoints.
    assert len([q for q in queries.captured_queries if "webhooks_" in q["sql"]]) == 1


def test_only_subscribed_endpoints_get_deliveries(admin, public_dns):
    leads_only, _ = create_endpoint(by=admin, url="https://a.example.com/", events=["lead.created"])
    both, _ = create_endpoint(by=admin, url="https://b.example.com/", events=["lead.created", "account.created"])

    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    create_account(by=admin, name="Globex")

    assert sorted(Delivery.objects.values_list("endpoint_id", "message__event_type")) == sorted(
        [(leads_only.pk, "lead.created"), (both.pk, "lead.created"), (both.pk, "account.created")]
    )


def test_lead_events_carry_their_changes(admin, everything):
    lead = create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    update_lead(lead, by=admin, data={"title": "CTO"})
    change_lead_status(lead, to="working", by=admin)

    created, updated, status = _payloads()
    assert created["type"] == "lead.created"
    assert updated["type"] == "lead.updated" and updated["data"]["changes"] == {"fields": ["title"]}
    assert updated["data"]["record"]["title"] == "CTO"
    assert status["type"] == "lead.status_changed"
    assert status["data"]["changes"] == {"from": "new", "to": "working"}


def test_an_owner_change_is_a_lead_assigned_event(admin, everything):
    rep = UserFactory(role="rep")
    lead = LeadFactory(owner=None)

    assign_lead(lead, by=admin, owner=rep)
    update_lead(lead, by=admin, data={"owner": admin})

    assigned = [p for p in _payloads() if p["type"] == "lead.assigned"]
    assert [p["data"]["record"]["owner"] for p in assigned] == [rep.pk, admin.pk]


def test_conversion_announces_the_lead_and_the_new_records(admin, everything):
    lead = LeadFactory(owner=admin, company="Initech", status="qualified")

    convert_lead(lead, by=admin)

    types = [p["type"] for p in _payloads()]
    assert {"lead.converted", "account.created", "contact.created", "opportunity.created"} <= set(types)
    converted = next(p for p in _payloads() if p["type"] == "lead.converted")
    assert converted["data"]["record"]["status"] == "converted"
    assert converted["data"]["record"]["converted_account"] is not None


def test_deal_events_carry_stage_ids_and_the_won_flag(admin, everything):
    account = AccountFactory(owner=admin)
    deal = create_opportunity(by=admin, account=account, name="500 seats", amount="1250.50")
    won = Stage.objects.get(is_won=True)

    move_opportunity_stage(deal, stage=won, by=admin)

    by_type = {p["type"]: p for p in _payloads()}
    assert by_type["opportunity.created"]["data"]["record"]["amount"] == "1250.50"
    assert by_type["opportunity.stage_changed"]["data"]["changes"]["to"] == won.pk
    assert by_type["opportunity.closed"]["data"]["changes"] == {"stage": won.pk, "won": True}


def test_contact_created(admin, everything):
    account = AccountFactory(owner=admin)
    create_contact(by=admin, first_name="Grace", last_name="Hopper", account=account)

    [payload] = [p for p in _payloads() if p["type"] == "contact.created"]
    assert payload["data"]["record"]["account"] == account.pk


def test_a_finished_import_is_announced_with_its_counts(admin, everything, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    file = ContentFile(b"First Name,Last Name,Email\nAda,Lovelace,ada@example.test\n", name="leads.csv")
    job = create_import(by=admin, file=file, enqueue=False)

    run_import(job.pk)

    [payload] = [p for p in _payloads() if p["type"] == "import.finished"]
    assert payload["data"]["changes"] == {"status": "done"}
    assert payload["data"]["record"]["created"] == 1
    assert payload["data"]["record"]["status"] == "done"
    assert "file" not in payload["data"]["record"]


def test_a_change_whose_message_cannot_be_written_is_not_kept_either(admin, everything, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("the outbox table is unavailable")

    monkeypatch.setattr(Message.objects, "bulk_create", broken)

    with pytest.raises(DatabaseError):
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")

    assert not Lead.objects.filter(last_name="Lovelace").exists()
