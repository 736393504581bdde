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

Scope: a bulk pass run on behalf of a manager (an import, `scope=` the importer) routes inside their reach
(RoutingScope): only the rules whose target is a team they manage or a member of one (or themselves), and the
rules without a target, whose "every active rep" shrinks to the reps of their teams; first match wins among
those, so a lead matching another team's rule falls through to the manager's own rules. A lead none of them
can take stays with the manager (owned by them, with an "assigned" event saying why) rather than unassigned:
unassigned, the sweeper would route it by the global rules to reps the manager cannot see. An admin's pass,
and the system's (the sweeper), use every rule. One lead created by the API or a web form is routed globally.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from assignment.models import AssignmentRule
from leads.models import Lead
from users.models import Team, User

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


@dataclass(frozen=True)
class RoutingScope:
    """The reach of a manager's bulk pass: the teams they manage, those teams' members and the manager, who keeps
    what nobody in reach can take."""

    keeper_id: int
    keeper_name: str
    team_ids: frozenset[int]
    member_ids: frozenset[int]

    def rules_filter(self) -> Q:
        """The rules in reach: targeting a managed team or a member, or targeting nobody (every rep in reach)."""
        return (
            Q(target_team_id__in=self.team_ids)
            | Q(target_user_id__in=self.member_ids)
            | Q(target_team__isnull=True, target_user__isnull=True)
        )


def routing_scope(user: User | None) -> RoutingScope | None:
    """Return the reach of `user`'s bulk assignment: None (every rule, every rep) for an admin or the system."""
    if user is None or user.is_admin:
        return None
    team_ids = frozenset(Team.objects.filter(manager=user).values_list("pk", flat=True))
    members = (
        frozenset(User.objects.filter(team_id__in=team_ids).values_list("pk", flat=True)) if team_ids else frozenset()
    )
    return RoutingScope(
        keeper_id=user.pk, keeper_name=user.display_name, team_ids=team_ids, member_ids=members | {user.pk}
    )


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


def _load_pool(rules: list[_CompiledRule], *, count: bool = True, scope: RoutingScope | None = None) -> _Pool:
    """Fill each rule's candidates (inside `scope` when given) and count their open leads: at most two queries
    for any number of rules."""
    target_ids = {c.rule.target_user_id for c in rules if c.rule.target_user_id}
    users = User.objects.filter(is_active=True, accepts_leads=True).filter(Q(role=User.Role.REP) | Q(pk__in=target_ids))
    if scope is not None:
        users = users.filter(pk__in=scope.member_ids)
    users = list(
        users.order_by("pk").values_list(
            "pk", "role", "team_id", "lead_capacity", "name", "first_name", "last_name", "username"
        )
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


def _active_rules(*, lock: bool, scope: RoutingScope | None = None) -> list[_CompiledRule]:
    rules = AssignmentRule.objects.active().order_by("pk")
    if scope is not None:
        rules = rules.filter(scope.rules_filter())
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


def _kept_summary(keeper_name: str, rule: AssignmentRule | None) -> str:
    if rule is None:
        return f"Kept by {keeper_name}: no assignment rule of their teams matches this lead"
    return f"Kept by {keeper_name}: nobody in rule “{rule.name}” ({rule.target_description}) can take more leads"


def _failure_summary(rule: AssignmentRule | None) -> str:
    if rule is None:
        return "Not assigned: no active assignment rule matches this lead"
    return f"Not assigned: nobody in rule “{rule.name}” ({rule.target_description}) can take more leads"
