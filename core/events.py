"""The one way an app tells the apps above it that something happened.

Each app declares the kinds it publishes as `TextChoices` in its own `events.py`; its services call
`publish()` inside the writing transaction; apps above it react in their `subscribers.py`:

    @subscribe(LeadEvent.CREATED, LeadEvent.UPDATED)
    def score_changed_lead(event: Event) -> None:
        score_lead_task.delay(event.record_id)

A subscriber runs after the transaction commits (never for a rolled-back write), or at once when there is no
transaction. `inline=True` runs it inside the publishing transaction instead, for reactions that must commit or
roll back with the write (an audit row); such a subscriber must be quick and must not fail. Subscribers only
enqueue work or write their own app's rows through their own services: the order of subscribers is not part of
the contract. A bulk service publishes one event per batch with `record_ids=[...]`, not one per row.

`subscribers.py` modules are imported once at start-up (`core.apps.CoreConfig.ready`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import models, transaction

logger = logging.getLogger(__name__)


class CoreEvent(models.TextChoices):
    """The kinds the shared kernel publishes."""

    # An API request was refused for the caller's role (403); `by` is the caller, if signed in.
    PERMISSION_DENIED = "core.permission_denied"


@dataclasses.dataclass(frozen=True)
class Event:
    """What happened (`kind`), to which records (ids of one model), by whom (a user id or None), with what data."""

    kind: str
    record_ids: tuple[int, ...]
    by_id: int | None = None
    data: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def record_id(self) -> int:
        """The one record of an event about a single record."""
        return self.record_ids[0]


Subscriber = Callable[[Event], None]
T = TypeVar("T")

# What subscribers read once per change (`one_change`), by key; None outside one.
_change_reads: ContextVar[dict[str, Any] | None] = ContextVar("change_reads", default=None)

_after_commit: dict[str, list[Subscriber]] = defaultdict(list)
_inline: dict[str, list[Subscriber]] = defaultdict(list)


def subscribe(*kinds: str, inline: bool = False) -> Callable[[Subscriber], Subscriber]:
    """Register the decorated function for events of `kinds` (after commit, or `inline` in the transaction)."""
    registry = _inline if inline else _after_commit

    def register(subscriber: Subscriber) -> Subscriber:
        for kind in kinds:
            if subscriber not in registry[str(kind)]:
                registry[str(kind)].append(subscriber)
        return subscriber

    return register


def publish(
    kind: str,
    record: Any = None,
    *,
    record_ids: Iterable[int] | None = None,
    by: Any = None,
    data: Mapping[str, Any] | None = None,
) -> Event:
    """Announce `kind` about `record`, or the records `record_ids`, or (neither) about no record."""
    ids = tuple(record_ids) if record_ids is not None else tuple(() if record is None else (record.pk,))
    event = Event(kind=str(kind), record_ids=ids, by_id=getattr(by, "pk", by), data=dict(data or {}))
    for subscriber in _inline.get(event.kind, ()):
        subscriber(event)
    for subscriber in _after_commit.get(event.kind, ()):
        transaction.on_commit(_deliver(subscriber, event))
    return event


def _deliver(subscriber: Subscriber, event: Event) -> Callable[[], None]:
    # A closure, not functools.partial: Django 5.2's robust on_commit needs a function with a __qualname__.
    def deliver() -> None:
        try:
            subscriber(event)
        except Exception:  # one failing reaction must not stop the others; the sweepers repair what it missed
            logger.exception("subscriber %s failed on %s", subscriber.__qualname__, event.kind)

    deliver.subscriber = subscriber  # lets tests tell which reaction a captured on-commit callback runs
    return deliver


@contextmanager
def one_change() -> Iterator[None]:
    """Publish the events of the block as parts of one change: a subscriber's `read_once` reads only once in it.

    A service that writes several records in one transaction (a conversion: account, contact, opportunity, lead)
    wraps itself in it (also as a decorator) so that an inline subscriber does not re-read, for each event, the
    configuration it already read for the first one (the active webhook endpoints). Nested blocks share the
    outermost one's reads.
    """
    if _change_reads.get() is not None:
        yield
        return
    token = _change_reads.set({})
    try:
        yield
    finally:
        _change_reads.reset(token)


def read_once(key: str, read: Callable[[], T]) -> T:
    """`read()`, or inside `one_change` the value it gave the first time for `key` in that change."""
    reads = _change_reads.get()
    if reads is None:
        return read()
    if key not in reads:
        reads[key] = read()
    return reads[key]


def subscribers_of(kind: str) -> list[Subscriber]:
    """Who reacts to `kind`, inline first: for the app map and for tests."""
    return [*_inline.get(str(kind), ()), *_after_commit.get(str(kind), ())]
