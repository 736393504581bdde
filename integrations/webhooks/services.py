"""Writes on webhook endpoints: register, edit, delete, rotate the secret, replay messages (admins only)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import Conflict, PermissionDenied
from integrations.webhooks.catalog import EVENT_TYPES
from integrations.webhooks.guard import check_url
from integrations.webhooks.models import Delivery, Endpoint, Message
from integrations.webhooks.signing import new_secret

ROTATION_GRACE = timedelta(hours=24)
# Messages one replay may re-queue; a wider range is refused, so one click cannot flood a receiver.
MAX_REPLAY = 10_000


class EndpointInactive(Conflict):
    code = "webhook_endpoint_inactive"
    default_detail = "Turn the endpoint back on before replaying messages to it."


def _check_admin(by) -> None:
    if by is None or not by.is_admin:
        raise PermissionDenied("Only admins manage webhooks.")


def clean_events(events: Any) -> list[str]:
    """The event types as a sorted list without repeats.

    Raises:
        ValidationError: on `events`: not a list of known types, or empty.
    """
    if not isinstance(events, list | tuple) or not all(isinstance(name, str) for name in events):
        raise ValidationError({"events": ['Send a list of event types, e.g. ["lead.created"].']})
    unknown = [name for name in events if name not in EVENT_TYPES]
    if unknown:
        raise ValidationError({"events": [f"Unknown event type {unknown[0]!r}; choose from {', '.join(EVENT_TYPES)}."]})
    if not events:
        raise ValidationError({"events": ["Choose at least one event type."]})
    return sorted(set(events))


def clean_url(url: Any) -> str:
    """The URL, checked by the SSRF guard.

    Raises:
        UnsafeWebhookURL: (400, naming `url`) the URL is not http(s) or reaches an address that is not public.
    """
    url = str(url or "").strip()
    if len(url) > 2000:
        raise ValidationError({"url": ["Use a URL of at most 2,000 characters."]})
    check_url(url)
    return url


@transaction.atomic
def create_endpoint(*, by, url: str, events: list[str], description: str = "") -> tuple[Endpoint, str]:
    """Register an endpoint; return it and its secret (shown to the admin this once)."""
    _check_admin(by)
    endpoint = Endpoint(
        url=clean_url(url), events=clean_events(events), description=description, secret=new_secret(), created_by=by
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint, endpoint.secret


@transaction.atomic
def update_endpoint(endpoint: Endpoint, *, by, data: dict[str, Any]) -> Endpoint:
    """Edit the URL, event types, description or active flag; turning an endpoint on clears why it was off."""
    _check_admin(by)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = []
    if "url" in data and data["url"] != endpoint.url:
        endpoint.url = clean_url(data["url"])
        fields.append("url")
    if "events" in data:
        endpoint.events = clean_events(data["events"])
        fields.append("events")
    if "description" in data:
        endpoint.description = data["description"]
        fields.append("description")
    if "is_active" in data and bool(data["is_active"]) != endpoint.is_active:
        endpoint.is_active = bool(data["is_active"])
        endpoint.disabled_reason = "" if endpoint.is_active else f"Turned off by {by.display_name}."
        endpoint.failing_since = None
        fields += ["is_active", "disabled_reason", "failing_since"]
    if fields:
        endpoint.full_clean()
        endpoint.save(update_fields=[*fields, "updated_at"])
    return endpoint


@transaction.atomic
def delete_endpoint(endpoint: Endpoint, *, by) -> None:
    """Delete an endpoint with its delivery log (messages other endpoints still need stay)."""
    _check_admin(by)
    endpoint.delete()


@transaction.atomic
def rotate_secret(endpoint: Endpoint, *, by, grace: timedelta = ROTATION_GRACE) -> tuple[Endpoint, str]:
    """Give the endpoint a new secret; the old one keeps signing (alongside) for `grace`. Return the new secret."""
    _check_admin(by)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + grace
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint, endpoint.secret


@transaction.atomic
def replay_messages(
    endpoint: Endpoint,
    *,
    by,
    webhook_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Queue one message (`webhook_id`) or those of [`since`, `until`) again for `endpoint`, with their webhook ids.

    Only messages of the types the endpoint subscribes to now. Return how many were queued.

    Raises:
        EndpointInactive: the endpoint is off.
        ValidationError: no such message, or neither a message nor a range, or too many messages.
    """
    _check_admin(by)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.is_active:
        raise EndpointInactive()
    messages = Message.objects.filter(event_type__in=endpoint.events)
    if webhook_id:
        messages = messages.filter(webhook_id=webhook_id)
        if not messages.exists():
            raise ValidationError({"message_id": [f"No message {webhook_id} of a type this endpoint receives."]})
    elif since is not None:
        messages = messages.filter(created_at__gte=since)
        if until is not None:
            if until <= since:
                raise ValidationError({"until": ["Give an `until` after `since`."]})
            messages = messages.filter(created_at__lt=until)
    else:
        raise ValidationError({"non_field_errors": ["Give a `message_id`, or a `since` (and optional `until`)."]})
    ids = list(messages.order_by("id").values_list("id", flat=True)[: MAX_REPLAY + 1])
    if len(ids) > MAX_REPLAY:
        raise ValidationError({"since": [f"More than {MAX_REPLAY:,} messages: replay a shorter range."]})
    now = timezone.now()
    Delivery.objects.filter(endpoint=endpoint, message_id__in=ids).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, error=""
    )
    keys = dict(Message.objects.filter(pk__in=ids).values_list("pk", "record_key"))
    Delivery.objects.bulk_create(
        [Delivery(endpoint=endpoint, message_id=pk, record_key=keys[pk], next_attempt_at=now) for pk in ids],
        ignore_conflicts=True,
    )
    return len(ids)
