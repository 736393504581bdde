"""The outbox: a core event becomes messages and pending deliveries, in the transaction of the change.

Runs on every write of the kinds in `catalog.SOURCES`, so it stays cheap: one query for the active endpoints (once
per change for a service that writes several records, `core.events.one_change`), and when none wants the event
nothing else happens. Otherwise one query reads the records (a snapshot as they are in this transaction), and two
bulk inserts write one message per record and type and one delivery per message and subscribed endpoint.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from core.events import Event, read_once
from integrations.webhooks.catalog import EVENT_TYPES, FIELDS, MODELS, webhook_types_of
from integrations.webhooks.models import Delivery, Endpoint, Message

logger = logging.getLogger(__name__)


def new_webhook_id() -> str:
    """A message's `webhook-id`, the receiver's key for de-duplicating retries."""
    return f"msg_{uuid.uuid4().hex}"


def encode(value: Any) -> str:
    """The JSON text of a message body (compact; dates ISO 8601; money as decimal strings)."""
    return json.dumps(value, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def snapshot(kind: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The records `ids` of `kind` as payload dicts, named like /api/v1/ (foreign keys as ids)."""
    model = MODELS[kind]
    columns = {}
    for name in FIELDS[kind]:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a field this installation's model does not have
            continue
        if isinstance(field, models.Field) and field.concrete:
            columns[name] = field.attname
    rows = model.objects.filter(pk__in=ids).values(*columns.values())
    return {row["id"]: {name: row[attname] for name, attname in columns.items()} for row in rows}


def subscribed_endpoints(type_names: list[str]) -> dict[str, list[int]]:
    """For each type, the active endpoints that want it (one query, once per `core.events.one_change`)."""
    wanted: dict[str, list[int]] = {}
    endpoints = read_once(
        "webhooks.active_endpoints", lambda: list(Endpoint.objects.active().values_list("pk", "events"))
    )
    for pk, events in endpoints:
        for name in type_names:
            if name in (events or ()):
                wanted.setdefault(name, []).append(pk)
    return wanted


def record_webhook_event(event: Event) -> int:
    """Write the messages and deliveries `event` calls for; return how many messages (0: nobody subscribed).

    The messages commit or roll back with the change that published: should writing them fail, the change fails
    too (an integration never misses a change that committed).
    """
    names = webhook_types_of(event.kind, dict(event.data))
    if not names or not event.record_ids:
        return 0
    wanted = subscribed_endpoints(names)
    if not wanted:
        return 0
    return _write_messages(event, wanted)


def _write_messages(event: Event, wanted: dict[str, list[int]]) -> int:
    now = timezone.now()
    messages: list[Message] = []
    endpoints_of: list[list[int]] = []
    records_by_kind: dict[str, dict[int, dict[str, Any]]] = {}
    for name, endpoint_ids in wanted.items():
        kind = EVENT_TYPES[name].object
        if kind not in records_by_kind:
            records_by_kind[kind] = snapshot(kind, list(event.record_ids))
        for record_id in event.record_ids:
            record = records_by_kind[kind].get(record_id)
            if record is None:
                continue
            body = {
                "type": name,
                "timestamp": now.isoformat(),
                "data": {
                    "object": kind,
                    "id": record_id,
                    "record": record,
                    "changes": dict(event.data),
                    "by": event.by_id,
                },
            }
            messages.append(
                Message(
                    webhook_id=new_webhook_id(),
                    event_type=name,
                    record_key=f"{kind}:{record_id}",
                    body=encode(body),
                    created_at=now,
                )
            )
            endpoints_of.append(endpoint_ids)
    Message.objects.bulk_create(messages)
    if messages and messages[0].pk is None:  # a backend that cannot return ids from a bulk insert
        ids = dict(
            Message.objects.filter(webhook_id__in=[m.webhook_id for m in messages]).values_list("webhook_id", "pk")
        )
        for message in messages:
            message.pk = ids[message.webhook_id]
    Delivery.objects.bulk_create(
        [
            Delivery(endpoint_id=endpoint_id, message=message, record_key=message.record_key, next_attempt_at=now)
            for message, endpoint_ids in zip(messages, endpoints_of, strict=True)
            for endpoint_id in endpoint_ids
        ]
    )
    return len(messages)
