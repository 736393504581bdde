"""Assign one lead: by the rules, or by hand. The rules and the locking are described in `assignment.routing`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.models import Event
from activities.services import record_event
from assignment.events import AssignmentEvent
from assignment.models import AssignmentRule
from assignment.routing import (
    ASSIGNED,
    ASSIGNMENT_FAILED,
    CLOSED_STATUSES,
    MANUAL,
    _active_rules,
    _assigned_summary,
    _compile,
    _facts,
    _failure_data,
    _failure_summary,
    _first_match,
    _load_pool,
)
from core.events import publish
from core.exceptions import NotFound, PermissionDenied
from core.services import save_validated
from leads.exceptions import LeadConverted
from leads.models import Lead
from users.models import User


def _record_failure(lead_id: int, rule: AssignmentRule | None, *, by: User | None) -> None:
    """Note on the timeline, once per lead, that nobody could take it, and tell its manager after commit."""
    # The lead row lock makes "is there a failure event yet?" and its insert one step per lead.
    locked = Lead.objects.select_for_update(of=("self",)).filter(pk=lead_id, owner__isnull=True).first()
    if locked is None or Event.objects.filter(lead_id=lead_id, kind=ASSIGNMENT_FAILED).exists():
        return
    record_event(ASSIGNMENT_FAILED, _failure_summary(rule), by=by, lead=locked, data=_failure_data(rule))
    publish(AssignmentEvent.FAILED, record_ids=[lead_id], by=by)


@transaction.atomic
def assign_lead(lead: Lead, *, by: User | None = None, owner: User | None = None) -> Lead:
    """Give `lead` an owner: `owner` by hand (managers and admins), else by the first matching rule.

    By the rules, only a lead that is still unassigned and open is assigned; an owner set
    meanwhile is never overwritten. The new owner is emailed after commit.

    Raises:
        PermissionDenied: a rep tried to choose the owner.
        NotFound: `by` may not see the lead.
        LeadConverted: the lead is converted and read-only (by hand only).
        ValidationError: `owner` is inactive or not visible to `by`.
    """
    if owner is not None:
        return _assign_by_hand(lead, owner=owner, by=by)
    current = Lead.objects.filter(pk=lead.pk).first()
    if current is None or current.owner_id is not None or current.status in CLOSED_STATUSES:
        return current or lead
    facts = _facts(current)
    matched = _first_match(_active_rules(lock=False), facts)
    if matched is None:
        _record_failure(current.pk, None, by=by)
        return current
    # Who is in the pool changes rarely: read it before queueing for the lock, to keep the locked part short.
    pool = _load_pool([matched], count=False)
    # Re-read the matched rule under its row lock: concurrent workers queue here, so each reads the
    # cursor the previous one wrote and the open-lead counts it committed.
    rule = AssignmentRule.objects.select_for_update().filter(pk=matched.rule.pk, active=True).first()
    compiled = _compile(rule) if rule is not None else None
    if compiled is None or not compiled.matches(facts):
        return current
    if (rule.target_user_id, rule.target_team_id) == (matched.rule.target_user_id, matched.rule.target_team_id):
        compiled.candidates = matched.candidates
        pool.count_load([compiled])
    else:
        pool = _load_pool([compiled])
    owner_id = pool.pick(compiled)
    if owner_id is None:
        _record_failure(current.pk, rule, by=by)
        return current
    now = timezone.now()
    updated = (
        Lead.objects.filter(pk=current.pk, owner__isnull=True)
        .exclude(status__in=CLOSED_STATUSES)
        .update(owner_id=owner_id, updated_at=now)
    )
    if not updated:
        current.refresh_from_db()
        return current
    AssignmentRule.objects.filter(pk=rule.pk).update(last_assigned_user_id=owner_id)
    current.owner_id, current.updated_at = owner_id, now
    record_event(
        ASSIGNED,
        _assigned_summary(pool.names[owner_id], rule, rule.method),
        by=by,
        lead=current,
        data={"rule": rule.pk, "rule_name": rule.name, "method": rule.method, "previous_owner": None},
    )
    publish(AssignmentEvent.ASSIGNED, current, by=by, data={"owner": owner_id})
    return current


def _assign_by_hand(lead: Lead, *, owner: User, by: User | None) -> Lead:
    if by is None or not by.can_manage:
        raise PermissionDenied("Only managers and admins may choose the owner.", field="owner")
    if not Lead.objects.visible_to(by).filter(pk=lead.pk).exists():
        raise NotFound()
    if not User.objects.visible_to(by).filter(pk=owner.pk, is_active=True).exists():
        raise ValidationError({"owner": [f"User {owner.pk} is not an active user you can assign leads to."]})
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if lead.is_converted:
        raise LeadConverted(lead_id=lead.pk)
    if lead.owner_id == owner.pk:
        return lead
    previous_owner = lead.owner_id
    lead.owner = owner
    save_validated(lead, update_fields=["owner"])
    record_event(
        ASSIGNED,
        _assigned_summary(owner.display_name, None, MANUAL),
        by=by,
        lead=lead,
        data={"rule": None, "method": MANUAL, "previous_owner": previous_owner},
    )
    publish(AssignmentEvent.ASSIGNED, lead, by=by, data={"owner": owner.pk})
    return lead
