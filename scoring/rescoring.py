"""Rescore only what changed. A full rescore (`scoring.services.rescore_leads`: a rule change, the nightly decay)
walks every lead in id-range chunks. A *changes* run rescores only the leads that may score differently than when
the previous run read them:

- leads never scored (`scored_at` empty);
- leads whose row changed (`updated_at`: every service that edits a lead's fields, its status or its owner stamps
  it; scoring itself does not);
- leads that gained engagement (a timeline event or activity of an engagement kind created since; both tables
  index `created_at`).

"Since" is the previous run's `changes_from` watermark: the moment before which every change had committed when
that run began reading. A change is stamped inside its transaction, which may commit only later, so the watermark
is the earliest of the clock and the start of every transaction still open at the run's start (PostgreSQL's
`pg_stat_activity`), less a margin for application servers' clocks (`scoring.services.changes_horizon`). A change
stamped before it therefore committed before that run read anything; one stamped after it is the next run's
candidate.

What a changes run does not see, and a full run brings up to date: rule, weight and threshold changes (they start a
full run themselves), decay of old engagement (the nightly full run), and engagement deleted or moved to another
lead. A changes run scores its leads as of now, like `score_lead`; with the same clock it writes exactly what a full
run would (tests/scoring/test_rescore_changes.py).
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from activities.models import Activity, Event
from core import leases
from core.events import publish
from leads.models import Lead
from scoring import services
from scoring.events import ScoringEvent
from scoring.models import ScoringRun
from scoring.rules import ACTIVITY_ENGAGEMENT_KINDS, EVENT_ENGAGEMENT_KINDS
from scoring.sql import LeadFilter

logger = logging.getLogger(__name__)

# Changed leads scored per statement and transaction on PostgreSQL; SQLite binds each id (IDS_PER_STATEMENT).
CHANGED_PER_STATEMENT = 5_000


def changed_lead_ids(since: datetime) -> list[int]:
    """Ids of the leads that may score differently than at `since`: never scored, edited, or newly engaged."""
    edited = Lead.objects.filter(updated_at__gte=since).order_by().values_list("id", flat=True)
    unscored = Lead.objects.filter(scored_at__isnull=True).order_by().values_list("id", flat=True)
    events = (
        Event.objects.filter(created_at__gte=since, kind__in=EVENT_ENGAGEMENT_KINDS, lead__isnull=False)
        .order_by()
        .values_list("lead_id", flat=True)
    )
    activities = (
        Activity.objects.filter(created_at__gte=since, kind__in=ACTIVITY_ENGAGEMENT_KINDS, lead__isnull=False)
        .order_by()
        .values_list("lead_id", flat=True)
    )
    return sorted(set(edited.union(unscored, events, activities)))


def rescore_changed_leads(*, reason: str = "changed leads") -> ScoringRun | None:
    """Rescore only the leads whose inputs changed since the previous run (a full run when there was none).

    Returns the run, or None when another run is under way (it, or the run after it, covers these changes). The run
    holds the same lease as a full run; if its worker stops, the lease sweeper resumes it as a full run (it covers
    every lead id), which is slower but never misses a change.
    """
    if ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).exists():
        return None
    previous = (
        ScoringRun.objects.filter(status=ScoringRun.Status.DONE, changes_from__isnull=False)
        .order_by("-changes_from")
        .first()
    )
    if previous is None:
        return services.rescore_leads(reason=reason)
    changes_from = services.changes_horizon()
    max_id = Lead.objects.aggregate(top=Max("id"))["top"] or 0
    try:
        with transaction.atomic():
            run = ScoringRun.objects.create(
                started_at=timezone.now(),
                max_id=max_id,
                reason=reason[:100],
                changes_from=changes_from,
                changes_since=previous.changes_from,
            )
    except IntegrityError:  # a full run started a moment ago
        return None
    with leases.holding("rescore", run.pk, task=services.RESCORE_TASK) as held:
        if held is None:
            return run
        return _rescore_changed(run, held)
    return run  # the lease passed to another worker mid-run


def _rescore_changed(run: ScoringRun, held: leases.Held) -> ScoringRun:
    began = time.monotonic()
    ids = changed_lead_ids(run.changes_since)
    scoring = services.load_scoring(now=run.started_at)
    per_statement = CHANGED_PER_STATEMENT if connection.vendor == "postgresql" else services.IDS_PER_STATEMENT
    for start in range(0, len(ids), per_statement):
        with transaction.atomic():
            run = ScoringRun.objects.select_for_update().get(pk=run.pk)
            if run.status != ScoringRun.Status.RUNNING:
                logger.info("scoring run %s was %s; stopping", run.pk, run.status)
                return run
            changed, reached = services._apply_scores(
                scoring, LeadFilter(ids=tuple(ids[start : start + per_statement]))
            )
            run.leads_changed += changed
            run.leads_reached_mql += len(reached)
            run.save(update_fields=["leads_changed", "leads_reached_mql"])
            if reached:
                publish(ScoringEvent.REACHED_MQL, record_ids=reached)
            held.renew()
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run.pk)
        if run.status == ScoringRun.Status.RUNNING:
            run.last_id, run.status, run.finished_at = run.max_id, ScoringRun.Status.DONE, timezone.now()
            run.save(update_fields=["last_id", "status", "finished_at"])
            held.renew()
    logger.info(
        "scoring run %s done: %d of %d changed leads changed score, %.1fs",
        run.pk,
        run.leads_changed,
        len(ids),
        time.monotonic() - began,
    )
    return run
