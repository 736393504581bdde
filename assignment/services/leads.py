"""Assign one lead: by the rules, or by hand. The rules and the locking are described in `assignment.routing`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.models import Event
from activities.services import record_event
from assignment.events import AssignmentEvent
from assignment.matching import match_customer_accounts
from assignment.models import AssignmentRule
from assignment.routing import (
    ACCOUNT,
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
    _load_pool,
    _matching_chain,
    account_summary,
)
from assignment.selectors import load_territories
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
    match = match_customer_accounts([facts]).get(current.pk)
    if match is not None:
        owner = User.objects.filter(pk=match.owner_id, is_active=True, accepts_leads=True).first()
        if owner is not None:
            summary = account_summary(owner.display_name, match.account_name)
            data = {"rule": None, "method": ACCOUNT, "account": match.account_id, "previous_owner": None}
            return _give(current, owner.pk, summary, data, matched_account_id=match.account_id, by=by)
    account_id = match.account_id if match else None
    chain = _matching_chain(_active_rules(lock=False), facts, account_id)
    if not chain:
        _stamp_match(current, account_id)
        _record_failure(current.pk, None, by=by)
        return current
    # Who is in the pool changes rarely: read it before queueing for the locks, to keep the locked part short.
    pool = _load_pool(chain, count=False)
    # Re-read the matched rules under their row locks (in pk order, as every assignment locks them): concurrent
    # workers queue here, so each reads the cursor the previous one wrote and the open-lead counts it committed.
    locked = {
        rule.pk: rule
        for rule in AssignmentRule.objects.select_for_update()
        .filter(pk__in=[c.rule.pk for c in chain], active=True)
        .order_by("pk")
    }
    territories = load_territories(locked.values())
    rule = None
    for matched in chain:
        rule = locked.get(matched.rule.pk)
        compiled = _compile(rule, territories) if rule is not None else None
        if compiled is None or not compiled.matches(facts, account_id):
            continue
        if _same_candidates(rule, matched.rule):
            compiled.candidates = matched.candidates
            pool.count_load([compiled])
        else:
            pool = _load_pool([compiled])
        owner_id = pool.pick(compiled)
        if owner_id is not None:
            summary = _assigned_summary(pool.names[owner_id], rule, rule.method)
            data = {"rule": rule.pk, "rule_name": rule.name, "method": rule.method, "previous_owner": None}
            current = _give(current, owner_id, summary, data, matched_account_id=account_id, by=by)
            if current.owner_id == owner_id:  # the turn is spent only when this assignment wrote the owner
                pool.take(compiled, owner_id)
                AssignmentRule.objects.filter(pk=rule.pk).update(
                    last_assigned_user_id=owner_id, cursor_turns=compiled.cursor_turns
                )
            return current
        if not rule.fall_through:
            break
    _stamp_match(current, account_id)
    _record_failure(current.pk, rule, by=by)
    return current


def _same_candidates(rule: AssignmentRule, before: AssignmentRule) -> bool:
    fields = ("target_user_id", "target_team_id", "target_territory_id", "rep_levels", "rep_skills", "rep_functions")
    return all(getattr(rule, name) == getattr(before, name) for name in fields)


def _stamp_match(lead: Lead, account_id: int | None) -> None:
    if account_id is not None and lead.matched_account_id != account_id:
        Lead.objects.filter(pk=lead.pk).update(matched_account_id=account_id)
        lead.matched_account_id = account_id


def _give(lead: Lead, owner_id: int, summary: str, data: dict, *, matched_account_id: int | None, by) -> Lead:
    """Write the owner if the lead is still unowned and open, record the event and tell the owner after commit."""
    now = timezone.now()
    updated = (
        Lead.objects.filter(pk=lead.pk, owner__isnull=True)
        .exclude(status__in=CLOSED_STATUSES)
        .update(owner_id=owner_id, matched_account_id=matched_account_id, updated_at=now)
    )
    if not updated:
        lead.refresh_from_db()
        return lead
    lead.owner_id, lead.matched_account_id, lead.updated_at = owner_id, matched_account_id, now
    record_event(ASSIGNED, summary, by=by, lead=lead, data=data)
    publish(AssignmentEvent.ASSIGNED, lead, by=by, data={"owner": owner_id})
    return lead


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
