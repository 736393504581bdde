"""A receiver that is down for ten minutes of events gets every one of them afterwards: signed, in order, once."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from integrations.webhooks.delivery import dispatch_due_deliveries
from integrations.webhooks.models import Delivery, Message
from leads.services.capture import change_lead_status, create_lead, update_lead

pytestmark = pytest.mark.django_db


def test_a_receiver_down_for_ten_minutes_receives_every_event_afterwards(admin, receiver, endpoint_for):
    endpoint_for(receiver, ["lead.created", "lead.updated", "lead.status_changed"])
    receiver.down()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    leads = []
    with time_machine.travel(start, tick=False) as clock:
        # Ten minutes of events while the receiver is down; the dispatcher runs every 20 seconds as beat would.
        for second in range(0, 600, 20):
            if second % 60 == 0:
                leads.append(create_lead(by=admin, first_name=f"Lead{second}", last_name="Outage"))
            for n, lead in enumerate(leads[-3:]):
                update_lead(lead, by=admin, data={"title": f"Title {second}-{n}"})
            if second % 120 == 40:
                change_lead_status(leads[0], to="working" if leads[0].status == "new" else "nurturing", by=admin)
            dispatch_due_deliveries()
            clock.shift(timedelta(seconds=20))
        assert receiver.requests == []
        assert Delivery.objects.filter(status="failed").exists()

        receiver.up()
        for _ in range(200):  # back up: the dispatcher keeps running until everything is through
            dispatch_due_deliveries()
            if not Delivery.objects.filter(status__in=Delivery.OPEN).exists():
                break
            clock.shift(timedelta(minutes=1))

    messages = list(Message.objects.order_by("id"))
    assert len(messages) > 80  # ten leads, their edits and status changes
    # Every message arrived exactly once (no connection was cut mid-way), each with a valid signature.
    assert sorted(receiver.webhook_ids()) == sorted(m.webhook_id for m in messages)
    assert all(r.verified for r in receiver.requests)
    # In order per record: each lead's messages arrived in the order they were written.
    written, received = defaultdict(list), defaultdict(list)
    for message in messages:
        written[message.record_key].append(message.webhook_id)
    for request in receiver.requests:
        body = json.loads(request.body)
        received[f"lead:{body['data']['id']}"].append(request.headers["webhook-id"])
    assert received == written
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
