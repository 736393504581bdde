"""Assignment routing: which rule matches a lead and which candidate gets it; no writes here.

Assignment: route unowned leads to reps by ordered rules, fairly under concurrent workers.

Locking: an assignment locks the matched rule row first (its round-robin cursor), then writes
the lead with a conditional `owner IS NULL` update, so concurrent workers serialise per rule and
never hand the same turn twice. Lock order is AssignmentRule (by pk) → Lead; a manual
reassignment locks only the lead. The CSV import decides owners before it inserts the leads
(NewLeadRouting): it locks the active rules, then inserts, then updates the open leads it matched.

Who can take a lead: active users with `accepts_leads` who hold fewer open leads (not converted,
not unqualified) than their `lead_capacity`. A rule's candidates are its target user, its target
team's reps, or every active rep when it has neither. When nobody can take a lead it stays
unassigned (the managers' "unassigned" view) and the responsible manager is emailed once per lead.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from assignment.models import AssignmentRule
from leads.models import Lead
from users.models import User

ASSIGNED = "assigned"
ASSIGNMENT_FAILED = "assignment_failed"
MANUAL = "manual"
CLOSED_STATUSES = (Lead.Status.CONVERTED, Lead.Status.UNQUALIFIED)
# Leads per transaction in the bulk path: large enough that the per-owner UPDATEs stay few,
# small enough that single assignments waiting on the rule locks wait well under a second.
BULK_CHUNK = 5_000
LEAD_FIELDS = ("pk", "source", "country", "industry", "employees", "score", "rating")


@dataclass(frozen=True)
class _LeadFacts:
    pk: int
    source: str
    country: str
    industry: str
    employees: int | None
    score: int
    rating: str


@dataclass
class _CompiledRule:
    rule: AssignmentRule
    sources: frozenset[str]
    countries: frozenset[str]
    industries: frozenset[str]
    ratings: frozenset[str]
    candidates: list[int] = field(default_factory=list)
    cursor: int = 0
    cursor_moved: bool = False

    def matches(self, lead: _LeadFacts) -> bool:
        rule = self.rule
        if self.sources and lead.source not in self.sources:
            return False
        if self.countries and (lead.country or "").strip().casefold() not in self.countries:
            return False
        if self.industries and (lead.industry or "").strip().casefold() not in self.industries:
            return False
        if rule.employees_min is not None and (lead.employees is None or lead.employees < rule.employees_min):
            return False
        if rule.employees_max is not None and (lead.employees is None or lead.employees > rule.employees_max):
            return False
        if rule.score_min is not None and lead.score < rule.score_min:
            return False
        return not self.ratings or lead.rating in self.ratings


@dataclass
class _Pool:
    """Who may take leads right now and how many open leads each holds."""

    load: dict[int, int]
    capacity: dict[int, int | None]
    names: dict[int, str]

    def count_load(self, rules: list[_CompiledRule]) -> None:
        """Count the candidates' open leads, unless only plain round-robin without capacities is in play."""
        needs_load = any(cap is not None for cap in self.capacity.values()) or any(
            c.rule.method == AssignmentRule.Method.LEAST_LOADED for c in rules
        )
        if self.load and needs_load:
            counts = (
                Lead.objects.open()
                .filter(owner_id__in=list(self.load))
                .order_by()
                .values_list("owner_id")
                .annotate(n=Count("pk"))
            )
            self.load = dict.fromkeys(self.load, 0) | dict(counts)

    def has_room(self, user_id: int) -> bool:
        cap = self.capacity[user_id]
        return cap is None or self.load[user_id] < cap

    def pick(self, compiled: _CompiledRule, *, exclude: frozenset[int] = frozenset()) -> int | None:
        """Return the next candidate of `compiled` by its method, or None when nobody has room."""
        candidates = compiled.candidates
        if not candidates:
            return None
        if compiled.rule.method == AssignmentRule.Method.LEAST_LOADED:
            best = None
            for user_id in candidates:
                if user_id in exclude or not self.has_room(user_id):
                    continue
                if best is None or self.load[user_id] < self.load[best]:
                    best = user_id
            return best
        # Round-robin: the first candidate after the cursor, wrapping around, skipping the full ones.
        start = bisect.bisect_right(candidates, compiled.cursor)
        for offset in range(len(candidates)):
            user_id = candidates[(start + offset) % len(candidates)]
            if user_id not in exclude and self.has_room(user_id):
                return user_id
        return None

    def take(self, compiled: _CompiledRule, user_id: int) -> None:
        self.load[user_id] += 1
        compiled.cursor = user_id
        compiled.cursor_moved = True


def _compile(rule: AssignmentRule) -> _CompiledRule:
    def folded(values: list[str]) -> frozenset[str]:
        return frozenset(str(value).strip().casefold() for value in values if str(value).strip())

    return _CompiledRule(
        rule=rule,
        sources=frozenset(rule.sources or []),
        countries=folded(rule.countries or []),
        industries=folded(rule.industries or []),
        ratings=frozenset(rule.ratings or []),
        cursor=rule.last_assigned_user_id or 0,
    )


def _facts(lead: Lead) -> _LeadFacts:
    return _LeadFacts(*(getattr(lead, name) for name in LEAD_FIELDS))


def _first_match(rules: list[_CompiledRule], lead: _LeadFacts) -> _CompiledRule | None:
    for compiled in rules:
        if compiled.matches(lead):
            return compiled
    return None


def _load_pool(rules: list[_CompiledRule], *, count: bool = True) -> _Pool:
    """Fill each rule's candidates and count their open leads: at most two queries for any number of rules."""
    target_ids = {c.rule.target_user_id for c in rules if c.rule.target_user_id}
    users = list(
        User.objects.filter(is_active=True, accepts_leads=True)
        .filter(Q(role=User.Role.REP) | Q(pk__in=target_ids))
        .order_by("pk")
        .values_list("pk", "role", "team_id", "lead_capacity", "name", "first_name", "last_name", "username")
    )
    for compiled in rules:
        rule = compiled.rule
        if rule.target_user_id:
            compiled.candidates = [pk for pk, *_ in users if pk == rule.target_user_id]
        elif rule.target_team_id:
            compiled.candidates = [
                pk for pk, role, team_id, *_ in users if role == User.Role.REP and team_id == rule.target_team_id
            ]
        else:
            compiled.candidates = [pk for pk, role, *_ in users if role == User.Role.REP]
    user_ids = {pk for compiled in rules for pk in compiled.candidates}
    load = dict.fromkeys(user_ids, 0)
    capacity = {pk: cap for pk, _, _, cap, *_ in users if pk in user_ids}
    # The same fallbacks as User.display_name, without loading the users.
    names = {
        pk: name or f"{first} {last}".strip() or username
        for pk, _, _, _, name, first, last, username in users
        if pk in user_ids
    }
    pool = _Pool(load=load, capacity=capacity, names=names)
    if count:
        pool.count_load(rules)
    return pool


def _active_rules(*, lock: bool) -> list[_CompiledRule]:
    rules = AssignmentRule.objects.active().order_by("pk")
    if lock:
        rules = rules.select_for_update()
    return sorted((_compile(rule) for rule in rules), key=lambda c: (c.rule.order, c.rule.pk))


def _assigned_summary(owner_name: str, rule: AssignmentRule | None, method: str) -> str:
    if rule is None:
        return f"Assigned to {owner_name} by hand"
    return f"Assigned to {owner_name} by rule “{rule.name}” ({method.replace('_', '-')})"


def _failure_data(rule: AssignmentRule | None) -> dict[str, Any]:
    if rule is None:
        return {"rule": None, "reason": "no_rule_matched"}
    return {"rule": rule.pk, "rule_name": rule.name, "reason": "nobody_available"}


def _failure_summary(rule: AssignmentRule | None) -> str:
    if rule is None:
        return "Not assigned: no active assignment rule matches this lead"
    return f"Not assigned: nobody in rule “{rule.name}” ({rule.target_description}) can take more leads"
