"""Leases on long jobs: one shape for every kind (import, Salesforce bulk job, rescore, …).

A worker runs a job only while it holds the job's lease (`core.models.Lease`): a holder id and an expiry. It renews
the lease every FUNNEL_LEASE_HEARTBEAT_SECONDS — at the end of each chunk's transaction, so a chunk commits only if
its worker still holds the lease, and from a small background thread (PostgreSQL) so a long chunk does not let it
lapse. A worker that stops (SIGKILL, lost host, hard redeploy) stops renewing: after FUNNEL_LEASE_SECONDS the lease
has lapsed, the sweeper (`sweep`, on beat every FUNNEL_LEASE_SWEEP_SECONDS) re-queues the job's task, and the next
worker takes the lease over with one conditional UPDATE (exactly one claimer wins) and resumes after the last
committed chunk. A worker whose renewal fails has lost the lease: it raises `LeaseLost` and writes nothing more.

On SQLite (the embedded default, one writer at a time) there is no background thread: the lease is renewed between
chunks only, which the chunk sizes keep well inside the lease.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.models import Lease

logger = logging.getLogger(__name__)

RECOVERING = "recovering after a worker stopped"
DATABASE_ERRORS = (OperationalError, InterfaceError)


class LeaseLost(Exception):
    """Another worker took the job over: this one must stop without writing further."""


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.FUNNEL_LEASE_SECONDS)


def _holder_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Held:
    """A lease this worker holds; `renew` raises LeaseLost once another worker has taken it."""

    kind: str
    job_id: int
    holder: str
    lost: bool = field(default=False)

    def _extend(self) -> bool:
        return bool(
            Lease.objects.filter(kind=self.kind, job_id=self.job_id, holder=self.holder).update(
                expires_at=timezone.now() + lease_duration()
            )
        )

    def renew(self) -> None:
        """Push the expiry forward; call it last in each chunk's transaction so a lost lease rolls the chunk back."""
        if self.lost or not self._extend():
            self.lost = True
            raise LeaseLost(f"{self.kind} {self.job_id}: the lease passed to another worker")


def claim(kind: str, job_id: int, *, task: str, queue: str = "imports") -> Held | None:
    """Take the job's lease if nobody holds it or its holder's lapsed; None when another worker holds it."""
    holder = _holder_id()
    now = timezone.now()
    expires = now + lease_duration()
    taken = Lease.objects.filter(kind=kind, job_id=job_id, expires_at__lt=now).update(
        holder=holder, expires_at=expires, task=task, queue=queue, requeued_at=None, takeovers=F("takeovers") + 1
    )
    if taken:
        logger.info("took over the lease on %s %s after its worker stopped", kind, job_id)
        return Held(kind, job_id, holder)
    try:
        with transaction.atomic():
            Lease.objects.create(kind=kind, job_id=job_id, task=task, queue=queue, holder=holder, expires_at=expires)
    except IntegrityError:
        return None  # held by a live worker
    return Held(kind, job_id, holder)


def lapse(held: Held) -> None:
    """Let the lease lapse now, so the next sweep re-queues the job."""
    Lease.objects.filter(kind=held.kind, job_id=held.job_id, holder=held.holder).update(expires_at=timezone.now())


def release(held: Held) -> None:
    Lease.objects.filter(kind=held.kind, job_id=held.job_id, holder=held.holder).delete()


class _Heartbeat(threading.Thread):
    """Renew the lease every heartbeat from a thread of its own (and its own database connection)."""

    def __init__(self, held: Held) -> None:
        super().__init__(name=f"lease-{held.kind}-{held.job_id}", daemon=True)
        self.held = held
        self.stopped = threading.Event()

    def _taken(self) -> bool:
        held = self.held
        return Lease.objects.filter(kind=held.kind, job_id=held.job_id).exclude(holder=held.holder).exists()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.FUNNEL_LEASE_HEARTBEAT_SECONDS):
                try:
                    if not self.held._extend() and self._taken():
                        self.held.lost = True
                        return
                except Exception:  # a dropped connection: try again at the next beat
                    logger.warning("could not renew the lease on %s %s", self.held.kind, self.held.job_id)
                    connection.close()
        finally:
            connection.close()


@contextlib.contextmanager
def holding(kind: str, job_id: int, *, task: str, queue: str = "imports") -> Iterator[Held | None]:
    """Hold the job's lease for the block (None when another worker holds it), with a heartbeat.

    The lease is released when the block ends, unless it was lost: then LeaseLost is logged, not raised further.
    """
    held = claim(kind, job_id, task=task, queue=queue)
    if held is None:
        yield None
        return
    beat = _Heartbeat(held) if connection.vendor == "postgresql" else None
    if beat is not None:
        beat.start()

    def stop_beat() -> None:  # before the lease is released or lapsed, so no late renewal undoes it
        if beat is not None:
            beat.stopped.set()
            beat.join(timeout=5)

    try:
        yield held
    except LeaseLost:
        stop_beat()
        logger.warning("stopped %s %s: another worker took it over", kind, job_id)
    except Exception as exc:
        stop_beat()
        with contextlib.suppress(Exception):
            if not isinstance(exc, DATABASE_ERRORS):
                release(held)  # a failed job is ended by its caller; nothing to take over
            else:
                # The database went away mid-job: the job is taken over at the next sweep, on a new connection.
                if not connection.in_atomic_block:
                    connection.close()
                lapse(held)
        raise
    except BaseException:
        stop_beat()
        with contextlib.suppress(Exception):  # the worker is going down mid-job: the next sweep hands the job on
            lapse(held)
        raise
    else:
        stop_beat()
        release(held)
    finally:
        stop_beat()


def lapsed(now: datetime | None = None) -> Q:
    return Q(expires_at__lt=now or timezone.now())


def is_recovering(kind: str, job_id: int) -> bool:
    """True while the job's worker stopped and no other worker has taken it over yet."""
    return Lease.objects.filter(lapsed(), kind=kind, job_id=job_id).exists()


def recovering_ids(kind: str, job_ids: Iterable[int]) -> set[int]:
    return set(Lease.objects.filter(lapsed(), kind=kind, job_id__in=list(job_ids)).values_list("job_id", flat=True))


def sweep() -> int:
    """Re-queue every job whose lease lapsed (once per lease period each); returns how many were re-queued."""
    from celery import current_app

    now = timezone.now()
    due = Lease.objects.filter(lapsed(now)).filter(
        Q(requeued_at__isnull=True) | Q(requeued_at__lt=now - lease_duration())
    )
    count = 0
    for lease in due:
        task = current_app.tasks.get(lease.task)
        try:  # to the queue CELERY_TASK_ROUTES names today, not the one stored (a lease from before a re-route)
            if task is not None:
                task.apply_async(kwargs={"job_id": lease.job_id})
            else:
                current_app.send_task(lease.task, kwargs={"job_id": lease.job_id})
        except Exception:
            logger.exception("could not re-queue %s %s; the next sweep tries again", lease.kind, lease.job_id)
            continue
        Lease.objects.filter(pk=lease.pk, holder=lease.holder).update(requeued_at=now)
        logger.info(
            "re-queued %s %s: its worker stopped (lease lapsed at %s)", lease.kind, lease.job_id, lease.expires_at
        )
        count += 1
    return count
