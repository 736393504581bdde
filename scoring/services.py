"""Writes of lead scoring: score one lead, rescore all leads set-based, stamp the MQL milestone, edit the rules.

How a score is made, and which engagement kinds count, is described in `scoring.rules` and `scoring.sql`.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from activities.models import Event
from activities.services import record_events
from core import leases
from core.events import publish
from core.exceptions import PermissionDenied
from core.services import apply_changes, save_validated
from leads.models import Lead
from scoring.events import ScoringEvent
from scoring.grades import grade_for, grade_thresholds, grades_at_or_above, mql_min_grade, profile_points
from scoring.models import EngagementWeight, GradeRule, ScoringRule, ScoringRun
from scoring.rules import CLAMP_LINE, ENGAGEMENT_LINE, MQL_EVENT_KIND, rule_points
from scoring.sql import (
    LeadFilter,
    Scoring,
    engagement_sql,
    mql_summary,
    score_and_stamp_sql,
    stamp_mql_sql,
    update_scores_sql,
)
from users.models import User

logger = logging.getLogger(__name__)

# Leads per chunk of a bulk rescore. Measured with bench/scoring.py (PostgreSQL 15, 100,000 leads, 2 busy shared
# cores): 10,000 per chunk took 2.06x the single hand-written UPDATE, 50,000 took 1.67x — per-chunk overhead
# (the chunk-bound lookup, the MQL stamp, the run row) dominates small chunks. 50,000 rows stay locked for about
# a second per chunk, and a crash loses at most one chunk of work.
CHUNK_SIZE = 50_000
# Ids per statement when scoring a list of leads (the sweeper): far below SQLite's bound-parameter limit.
IDS_PER_STATEMENT = 1_000
RULE_FIELDS = ["name", "field", "operator", "value", "points", "active"]


def load_scoring(now: datetime | None = None) -> Scoring:
    """Read what scores depend on: active rules, engagement weights, thresholds, and the moment decay counts to."""
    return Scoring(
        rules=tuple(ScoringRule.objects.filter(active=True).order_by("id")),
        weights=tuple(
            EngagementWeight.objects.filter(active=True).order_by("kind").values_list("kind", "points")  # type: ignore[arg-type]
        ),
        now=now or timezone.now(),
        half_life_seconds=settings.FUNNEL_ENGAGEMENT_HALF_LIFE.total_seconds(),
        hot=settings.FUNNEL_RATING_HOT,
        warm=settings.FUNNEL_RATING_WARM,
        mql_threshold=settings.FUNNEL_MQL_THRESHOLD,
        grade_rules=tuple(GradeRule.objects.filter(active=True).order_by("id")),
        grade_thresholds=grade_thresholds(),
        mql_grades=tuple(grades_at_or_above(mql_min_grade())) if mql_min_grade() else (),
    )


def _apply_scores(scoring: Scoring, leads: LeadFilter) -> tuple[int, list[int]]:
    """Write new scores and ratings, stamp MQL once, record MQL events; return (leads changed, ids that became MQL).

    Caller is inside a transaction. PostgreSQL does it in one statement (`score_and_stamp_sql`); the embedded
    SQLite default in two, then writes the events from Python.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(*score_and_stamp_sql(scoring, leads))
            changed, reached_ids = cursor.fetchone()
            return changed, list(reached_ids or [])
        cursor.execute(*update_scores_sql(scoring, leads))
        changed = max(cursor.rowcount, 0)
        cursor.execute(*stamp_mql_sql(scoring, leads))
        reached = sorted((row[0], row[1]) for row in cursor.fetchall())
    threshold = scoring.mql_threshold
    record_events(
        [
            Event(
                kind=MQL_EVENT_KIND,
                lead_id=lead_id,
                summary=mql_summary(score, threshold),
                data={"score": score, "threshold": threshold},
            )
            for lead_id, score in reached
        ]
    )
    return changed, [lead_id for lead_id, _score in reached]


@transaction.atomic
def score_lead(lead_id: int) -> Lead | None:
    """Score one lead now, stamping its MQL milestone the first time it reaches the threshold; None if it is gone."""
    changed, reached = _apply_scores(load_scoring(), LeadFilter(ids=(lead_id,)))
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is not None and changed:
        publish(ScoringEvent.SCORE_CHANGED, lead)
    if lead is not None and reached:
        publish(ScoringEvent.REACHED_MQL, lead, data={"owner": lead.owner_id})
    return lead


def score_leads(lead_ids: list[int]) -> int:
    """Score the given leads set-based, a few thousand ids per statement; return how many changed."""
    scoring = load_scoring()
    changed_total = 0
    for start in range(0, len(lead_ids), IDS_PER_STATEMENT):
        with transaction.atomic():
            changed, reached = _apply_scores(
                scoring, LeadFilter(ids=tuple(lead_ids[start : start + IDS_PER_STATEMENT]))
            )
            changed_total += changed
            if reached:
                publish(ScoringEvent.REACHED_MQL, record_ids=reached)
    return changed_total


def score_unscored_leads(*, limit: int = 10_000) -> int:
    """Score up to `limit` leads that were never scored (a lost kick's repair); return how many were scored."""
    ids = list(
        Lead.objects.filter(scored_at__isnull=True)
        .exclude(status=Lead.Status.CONVERTED)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return 0
    score_leads(ids)
    logger.info("scored %d never-scored leads", len(ids))
    return len(ids)


RESCORE_TASK = "scoring.tasks.rescore_all_leads_bulk_task"
# Application servers' clocks may disagree with each other by this much (NTP keeps them far closer).
CHANGES_MARGIN = timedelta(minutes=1)


def changes_horizon() -> datetime:
    """A run's `changes_from`: the earliest of the clock and the start of every open transaction (a change stamped
    before it has committed), less CHANGES_MARGIN; what `scoring.rescoring.rescore_changed_leads` starts from."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
                "AND xact_start IS NOT NULL"
            )
            oldest = cursor.fetchone()[0]
        now = min(now, oldest) if oldest is not None else now
    return now - CHANGES_MARGIN


def _running_run(reason: str) -> ScoringRun:
    """Return the unfinished run to resume, or start one covering every lead that exists now."""
    run = ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).order_by("id").first()
    if run is not None:
        logger.info("resuming scoring run %s at lead id %s of %s", run.pk, run.last_id, run.max_id)
        return run
    changes_from = changes_horizon()
    max_id = Lead.objects.aggregate(top=Max("id"))["top"] or 0
    try:
        with transaction.atomic():
            return ScoringRun.objects.create(
                started_at=timezone.now(), max_id=max_id, reason=reason[:100], changes_from=changes_from
            )
    except IntegrityError:  # another worker started one a moment ago: share it
        return ScoringRun.objects.get(status=ScoringRun.Status.RUNNING)


def _chunk_end(low: int, size: int, max_id: int) -> int:
    """Return the exclusive upper id of the chunk of `size` leads starting at `low` (ids may have gaps)."""
    last = Lead.objects.filter(id__gte=low, id__lte=max_id).order_by("id").values_list("id", flat=True)[size - 1 : size]
    return (last[0] if last else max_id) + 1


def rescore_leads(*, chunk_size: int | None = None, reason: str = "") -> ScoringRun:
    """Rescore every lead set-based, one id-range chunk per transaction; resume an unfinished run if there is one."""
    chunk_size = chunk_size or settings.FUNNEL_RESCORE_CHUNK_SIZE or CHUNK_SIZE
    run = _running_run(reason)
    with leases.holding("rescore", run.pk, task=RESCORE_TASK) as held:
        if held is None:
            logger.info("scoring run %s is being run by another worker", run.pk)
            return run
        return _rescore_chunks(run, held, chunk_size)
    return run  # the lease passed to another worker mid-run


def _rescore_chunks(run: ScoringRun, held: leases.Held, chunk_size: int) -> ScoringRun:
    scoring: Scoring | None = None
    began = time.monotonic()
    while True:
        with transaction.atomic():
            run = ScoringRun.objects.select_for_update().get(pk=run.pk)
            if run.status != ScoringRun.Status.RUNNING:
                logger.info("scoring run %s was %s; stopping", run.pk, run.status)
                return run
            if run.last_id >= run.max_id:
                run.status, run.finished_at = ScoringRun.Status.DONE, timezone.now()
                run.save(update_fields=["status", "finished_at"])
                held.renew()
                logger.info(
                    "scoring run %s done: %d leads changed, %d became MQL, %.1fs",
                    run.pk,
                    run.leads_changed,
                    run.leads_reached_mql,
                    time.monotonic() - began,
                )
                return run
            # Decay counts to the run's start, so a resumed run scores its remaining chunks like the first ones.
            scoring = scoring or load_scoring(now=run.started_at)
            low = run.last_id + 1
            high = _chunk_end(low, chunk_size, run.max_id)
            changed, reached = _apply_scores(scoring, LeadFilter(low=low, high=high))
            run.last_id = high - 1
            run.leads_changed += changed
            run.leads_reached_mql += len(reached)
            run.save(update_fields=["last_id", "leads_changed", "leads_reached_mql"])
            if reached:
                publish(ScoringEvent.REACHED_MQL, record_ids=reached)
            held.renew()  # last: the chunk commits only while this worker still holds the run
        logger.info(
            "scoring run %s: leads up to id %d of %d, %d changed so far",
            run.pk,
            run.last_id,
            run.max_id,
            run.leads_changed,
        )


def explain_score(lead: Lead) -> dict[str, Any]:
    """Compute `lead`'s score now with the rules and engagement that make it: {score, rating, mql, breakdown}."""
    scoring = load_scoring()
    names = {f"rule_{rule.pk}": rule for rule in scoring.rules}
    matched = (
        Lead.objects.filter(pk=lead.pk)
        .annotate(**{name: rule_points(rule) for name, rule in names.items()})
        .values(*names)
        .first()
        if names
        else {}
    ) or {}
    breakdown = [{"rule": rule.name, "points": matched[name]} for name, rule in names.items() if matched.get(name)]
    engagement = 0
    compiled = engagement_sql(scoring, LeadFilter(ids=(lead.pk,)))
    if compiled is not None:
        with connection.cursor() as cursor:
            cursor.execute(*compiled)
            row = cursor.fetchone()
        engagement = row[1] if row else 0
    breakdown.append({"rule": ENGAGEMENT_LINE, "points": engagement})
    total = sum(line["points"] for line in breakdown)
    score = max(0, min(100, total))
    if score != total:
        breakdown.append({"rule": CLAMP_LINE, "points": score - total})
    return {"score": score, "rating": Lead.rating_for(score), "mql": lead.mql_at is not None, "breakdown": breakdown}


def explain_grade(lead: Lead) -> dict[str, Any]:
    """Grade `lead` now, one by one in Python: {grade, points, thresholds, breakdown: [{rule, points}]}.

    The bulk SQL writes the same grade (the tests hold the two equal); without active grade rules it is blank.
    """
    rules = list(GradeRule.objects.filter(active=True).order_by("id"))
    thresholds = grade_thresholds()
    matched = profile_points(rules, lead)
    points = sum(rule_points for _rule, rule_points in matched)
    return {
        "grade": grade_for(points, thresholds) if rules else "",
        "points": points,
        "thresholds": dict(zip("ABC", thresholds, strict=True)),
        "breakdown": [{"rule": rule.name, "points": rule_points} for rule, rule_points in matched],
    }


def _check_can_configure(by: User | None) -> None:
    if by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins may change scoring.")


def _scoring_changed() -> None:
    """Stop any rescore still using the old rules and start a new one after commit."""
    ScoringRun.objects.filter(status=ScoringRun.Status.RUNNING).update(
        status=ScoringRun.Status.SUPERSEDED, finished_at=timezone.now()
    )
    publish(ScoringEvent.RULES_CHANGED)


@transaction.atomic
def create_scoring_rule(*, by: User | None, **fields: Any) -> ScoringRule:
    """Add a fit rule and rescore every lead after commit.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    rule = ScoringRule(**{key: value for key, value in fields.items() if key in RULE_FIELDS})
    save_validated(rule)
    _scoring_changed()
    return rule


@transaction.atomic
def update_scoring_rule(rule: ScoringRule, *, by: User | None, data: dict[str, Any]) -> ScoringRule:
    """Edit a fit rule; rescore every lead after commit when anything changed.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    rule = ScoringRule.objects.select_for_update().get(pk=rule.pk)
    changes = apply_changes(rule, data, fields=RULE_FIELDS)
    if changes:
        save_validated(rule, update_fields=list(changes))
        _scoring_changed()
    return rule


@transaction.atomic
def delete_scoring_rule(rule: ScoringRule, *, by: User | None) -> None:
    """Remove a fit rule and rescore every lead after commit.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    ScoringRule.objects.filter(pk=rule.pk).delete()
    _scoring_changed()


@transaction.atomic
def update_engagement_weight(weight: EngagementWeight, *, by: User | None, data: dict[str, Any]) -> EngagementWeight:
    """Change what one kind of engagement is worth; rescore every lead after commit when anything changed.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    weight = EngagementWeight.objects.select_for_update().get(pk=weight.pk)
    changes = apply_changes(weight, data, fields=["points", "active"])
    if changes:
        save_validated(weight, update_fields=list(changes))
        _scoring_changed()
    return weight


@transaction.atomic
def create_grade_rule(*, by: User | None, **fields: Any) -> GradeRule:
    """Add a profile rule of the grade and regrade (rescore) every lead after commit.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    rule = GradeRule(**{key: value for key, value in fields.items() if key in RULE_FIELDS})
    save_validated(rule)
    _scoring_changed()
    return rule


@transaction.atomic
def update_grade_rule(rule: GradeRule, *, by: User | None, data: dict[str, Any]) -> GradeRule:
    """Edit a profile rule; regrade every lead after commit when anything changed.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    rule = GradeRule.objects.select_for_update().get(pk=rule.pk)
    changes = apply_changes(rule, data, fields=RULE_FIELDS)
    if changes:
        save_validated(rule, update_fields=list(changes))
        _scoring_changed()
    return rule


@transaction.atomic
def delete_grade_rule(rule: GradeRule, *, by: User | None) -> None:
    """Remove a profile rule and regrade every lead after commit.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    GradeRule.objects.filter(pk=rule.pk).delete()
    _scoring_changed()
