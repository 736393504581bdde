"""Speed-to-lead: start a lead's first-touch clock on assignment, stop it at the first touch, handle a breach once.

Which policy times a lead: the `sla_policy` of the rule that assigned it, else the policy of its owner's team
(leads assigned by hand, rules without one). A clock restarts on every assignment until the lead is touched; a
touched lead keeps its clock. A first touch is a call, email or meeting logged on the lead, or its status moving to
working.

A breach is handled in one transaction per lead, in the lock order of every assignment (rule, then lead): the
conditional UPDATE that stamps `breached_at` is the claim, and the notices to the owner and their team's manager,
the timeline entry and the reassignment (when the rule says `reassign_on_breach`) commit with it. Two concurrent
runs queue on the locks and the second finds the clock claimed; a run that dies before its COMMIT leaves nothing,
and the next run handles the breach. The notices are emailed once by the pending-notification sender.
"""

from __future__ import annotations

import time
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Notification
from activities.reminders import send_pending_reminder_emails
from activities.services import notify, record_event
from assignment.events import AssignmentEvent
from assignment.models import AssignmentRule, LeadSla, SlaPolicy
from assignment.routing import ASSIGNED, CLOSED_STATUSES, _compile, _load_pool
from assignment.selectors import load_territories
from core.events import publish
from leads.models import Lead
from users.models import User

SLA_BREACHED = "sla_breached"
SLA_BREACH = "sla_breach"  # the assignment method of a reassignment on breach
TOUCH_KINDS = frozenset({Activity.Kind.CALL, Activity.Kind.EMAIL, Activity.Kind.MEETING})
BATCH_SIZE = 100
CHUNK = 5_000  # as the bulk assignment's chunk: a pass's clocks cost a few statements per chunk
# A running clock is "at risk" with less than this share of its target's business time left.
AT_RISK_SHARE = 0.25


def start_sla_clocks(lead_ids: list[int], *, now: datetime | None = None, rule: AssignmentRule | None = None) -> int:
    """(Re)start the first-touch clock of each untouched, owned lead under a policy; return how many run.

    The rule is the one that last assigned each lead (its timeline says), unless `rule` names it.
    """
    policies = {policy.pk: policy for policy in SlaPolicy.objects.all()}
    if not policies:  # no first-touch targets configured: one query per assignment, nothing else
        return 0
    now = now or timezone.now()
    started = 0
    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), CHUNK):
        started += _start_chunk(ids[start : start + CHUNK], now, rule, policies)
    return started


def _start_chunk(lead_ids: list[int], now: datetime, given: AssignmentRule | None, policies: dict) -> int:
    from activities.models import Event

    touched = set(
        LeadSla.objects.filter(lead_id__in=lead_ids, first_touch_at__isnull=False).values_list("lead_id", flat=True)
    )
    leads = list(
        Lead.objects.filter(pk__in=lead_ids, owner__isnull=False)
        .exclude(pk__in=touched)
        .values_list("pk", "owner_id", "owner__team_id", "source")
    )
    rule_of: dict[int, int | None] = dict.fromkeys(lead_ids, given.pk) if given is not None else {}
    assigned = Event.objects.filter(lead_id__in=[row[0] for row in leads], kind=ASSIGNED).order_by("lead_id", "id")
    for lead_id, data in assigned.values_list("lead_id", "data") if given is None and leads else ():
        rule_of[lead_id] = (data or {}).get("rule")
    rules = dict(
        AssignmentRule.objects.filter(pk__in={r for r in rule_of.values() if r}).values_list("pk", "sla_policy_id")
    )
    team_policy: dict[int, int] = {}
    for policy in sorted(policies.values(), key=lambda p: -p.pk):
        if policy.team_id:
            team_policy[policy.team_id] = policy.pk  # the oldest policy of a team wins
    clocks, unclocked = [], []
    for lead_id, owner_id, team_id, source in leads:
        rule_id = rule_of.get(lead_id) if rule_of.get(lead_id) in rules else None
        policy_id = rules.get(rule_id) or team_policy.get(team_id)
        if policy_id is None:
            unclocked.append(lead_id)
            continue
        policy = policies[policy_id]
        due_at = add_minutes(policy, now)
        at_risk_at = add_minutes(policy, now, share=1 - AT_RISK_SHARE)
        clocks.append(
            LeadSla(
                lead_id=lead_id,
                policy_id=policy_id,
                rule_id=rule_id,
                owner_id=owner_id,
                source=source,
                assigned_at=now,
                due_at=due_at,
                at_risk_at=at_risk_at,
            )
        )
    # A lead handed to a team without a policy stops being timed (its untouched clock goes).
    LeadSla.objects.filter(lead_id__in=unclocked, first_touch_at__isnull=True).delete()
    if clocks:
        LeadSla.objects.bulk_create(
            clocks,
            update_conflicts=True,
            unique_fields=["lead"],
            update_fields=[
                "policy",
                "rule",
                "owner",
                "source",
                "assigned_at",
                "due_at",
                "at_risk_at",
                "breached_at",
                "notified_at",
                "reassigned_at",
            ],
        )
    return len(clocks)


def add_minutes(policy: SlaPolicy, moment: datetime, *, share: float = 1.0) -> datetime:
    """The moment `share` of the policy's target (business time) after `moment`."""
    from assignment.business_hours import add_business_minutes

    return add_business_minutes(moment, policy.target_minutes * share, policy.calendar)


@transaction.atomic
def stamp_first_touch(lead_ids: list[int], *, at: datetime) -> int:
    """Stop the running clocks of `lead_ids` at `at`, once (a later touch changes nothing); return how many."""
    from assignment.business_hours import business_minutes_between

    # Locked, then written in one statement: of two touches racing, the second waits and then finds the clock
    # stopped (the lock re-reads `first_touch_at IS NULL`), so the first to commit is the first touch.
    running = list(
        LeadSla.objects.select_for_update(of=("self",))
        .filter(lead_id__in=list(lead_ids), first_touch_at__isnull=True, assigned_at__lte=at)
        .select_related("policy")
        .order_by("pk")
    )
    for clock in running:
        minutes = round(business_minutes_between(clock.assigned_at, at, clock.policy.calendar))
        clock.first_touch_at, clock.touch_minutes = at, max(minutes, 0)
    LeadSla.objects.bulk_update(running, ["first_touch_at", "touch_minutes"])
    return len(running)


def handle_sla_breaches(*, now: datetime | None = None, time_budget: float = 50.0) -> int:
    """Handle every overdue clock (batch by batch, within `time_budget` seconds), email the notices; return how many."""
    started = time.monotonic()
    handled = 0
    while True:
        moment = now or timezone.now()
        due = list(LeadSla.objects.overdue(moment).order_by("due_at", "id").values_list("pk", flat=True)[:BATCH_SIZE])
        handled += sum(handle_sla_breach(pk, now=moment) for pk in due)
        if len(due) < BATCH_SIZE or time.monotonic() - started > time_budget:
            break
    send_pending_reminder_emails()
    return handled


@transaction.atomic
def handle_sla_breach(clock_id: int, *, now: datetime | None = None) -> bool:
    """Claim one overdue clock and, in the same transaction, notify, note the breach and reassign per its rule.

    Returns whether this call handled it (False: not overdue, touched, or another run handled it).
    """
    now = now or timezone.now()
    clock = LeadSla.objects.select_related("policy", "rule").filter(pk=clock_id).first()
    if clock is None:
        return False
    rule = None
    if clock.rule is not None and clock.rule.reassign_on_breach:
        rule = AssignmentRule.objects.select_for_update().filter(pk=clock.rule_id, active=True).first()
    lead = Lead.objects.select_for_update(of=("self",)).filter(pk=clock.lead_id).first()
    claimed = LeadSla.objects.filter(
        pk=clock_id, breached_at__isnull=True, first_touch_at__isnull=True, due_at__lte=now
    ).update(breached_at=now)
    if not claimed or lead is None:
        return bool(claimed)
    if lead.owner_id is None or lead.status in CLOSED_STATUSES:
        return True
    owner = User.objects.select_related("team__manager").get(pk=lead.owner_id)
    _notify_breach(lead, owner, clock)
    record_event(
        SLA_BREACHED,
        f"First-touch target missed: {clock.policy.name}, due {_when(clock.due_at)}",
        lead=lead,
        data={"policy": clock.policy_id, "owner": owner.pk, "due_at": clock.due_at.isoformat()},
    )
    fields = {"notified_at": now}
    if rule is not None and _reassign(lead, owner, rule, clock.policy, now=now):
        fields["reassigned_at"] = now
    LeadSla.objects.filter(pk=clock_id).update(**fields)
    return True


def _notify_breach(lead: Lead, owner: User, clock: LeadSla) -> None:
    text = f"First-touch target missed: {lead.full_name} ({clock.policy.name}, due {_when(clock.due_at)})"
    url = f"/leads/{lead.pk}/"
    recipients = [owner]
    manager = owner.team.manager if owner.team_id and owner.team else None
    if manager is not None and manager.pk != owner.pk and manager.is_active:
        recipients.append(manager)
    for user in recipients:
        notify(user, kind=Notification.Kind.SLA_BREACH, text=text, url=url, email=True)


def _reassign(lead: Lead, owner: User, rule: AssignmentRule, policy: SlaPolicy, *, now: datetime) -> bool:
    """Hand `lead` to the rule's next rep with room, never back to `owner` (caller holds the rule and lead locks)."""
    compiled = _compile(rule, load_territories([rule]))
    pool = _load_pool([compiled])
    new_owner_id = pool.pick(compiled, exclude=frozenset({owner.pk}))
    if new_owner_id is None:
        record_event(
            SLA_BREACHED,
            f"Not reassigned: nobody else in rule {rule.name} can take the lead",
            lead=lead,
            data={"rule": rule.pk, "reassigned": False},
        )
        return False
    if not Lead.objects.filter(pk=lead.pk, owner_id=owner.pk).update(owner_id=new_owner_id, updated_at=now):
        return False
    pool.take(compiled, new_owner_id)
    AssignmentRule.objects.filter(pk=rule.pk).update(
        last_assigned_user_id=new_owner_id, cursor_turns=compiled.cursor_turns
    )
    lead.owner_id = new_owner_id
    record_event(
        ASSIGNED,
        f"Reassigned to {pool.names[new_owner_id]}: {owner.display_name} missed the first-touch target "
        f"({policy.name}) — rule {rule.name}",
        lead=lead,
        data={"rule": rule.pk, "rule_name": rule.name, "method": SLA_BREACH, "previous_owner": owner.pk},
    )
    publish(AssignmentEvent.ASSIGNED, lead, data={"owner": new_owner_id, "sla_breach": True})
    return True


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%b %d, %H:%M")
