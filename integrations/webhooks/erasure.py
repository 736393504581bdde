"""Erasing a person from the webhook outbox: the messages about their leads and contacts carry their data."""

from __future__ import annotations

from integrations.webhooks.models import Message


def forget_person_messages(*, lead_ids: list[int], contact_ids: list[int]) -> int:
    """Delete the messages (and their deliveries, pending or logged) about these leads and contacts; return how many.

    A pending delivery is not sent: the receiver would only get data the person asked to have erased.
    """
    keys = [f"lead:{pk}" for pk in lead_ids] + [f"contact:{pk}" for pk in contact_ids]
    if not keys:
        return 0
    return Message.objects.filter(record_key__in=keys).delete()[1].get(Message._meta.label, 0)
