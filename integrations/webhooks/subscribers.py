"""How webhooks react to the events of the apps below: messages into the outbox, in the writing transaction."""

from __future__ import annotations

from core.events import Event, subscribe
from integrations.webhooks.catalog import SOURCES
from integrations.webhooks.erasure import forget_person_messages
from integrations.webhooks.outbox import record_webhook_event
from integrations.webhooks.tasks import deliver_webhooks_task
from privacy.events import PrivacyEvent


@subscribe(*SOURCES, inline=True)
def write_webhook_messages(event: Event) -> None:
    """Write the messages for subscribed endpoints with the change; kick the dispatcher once it commits."""
    if record_webhook_event(event):
        deliver_webhooks_task.delay_on_commit()


@subscribe(PrivacyEvent.PERSON_ERASED, inline=True)
def forget_erased_person(event: Event) -> None:
    """Drop the outbox messages about an erased person's leads and contacts, with the erasure's transaction."""
    forget_person_messages(lead_ids=event.data["lead_ids"], contact_ids=event.data["contact_ids"])
