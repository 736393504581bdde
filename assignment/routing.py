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
from assignment.selectors import load_territories
from assignment.territories import CompiledTerritory
from leads.models import Lead
from users.models import Team, User

ASSIGNED = "assigned"
ASSIGNMENT_FAILED = "assignment_failed"
MANUAL = "manual"
ACCOUNT = "account"  # routed to the owner of the customer account the lead matched
CLOSED_STATUSES = (Lead.Status.CONVERTED, Lead.Status.UNQUALIFIED)
# Leads per transaction in the bulk path: large enough that the per-owner UPDATEs stay few,
# small enough that single assignments waiting on the rule locks wait well under a second.
BULK_CHUNK = 5_000
LEAD_FIELDS = (
    "pk",
    "source",
    "country",
    "industry",
    "employees",
    "score",
    "rating",
    "email",
    "website",
    "company",
    "grade",
    "state",
    "postal_code",
)


@dataclass(frozen=True)
class _LeadFacts:
    """What routing looks at (LEAD_FIELDS, in order); leads are not graded yet when the CSV import routes them."""

    pk: int
    source: str
    country: str
    industry: str
    employees: int | None
    score: int
    rating: str
    email: str = ""
    website: str = ""
    company: str = ""
    grade: str = ""
    state: str = ""
    postal_code: str = ""


@dataclass
class _CompiledRule:
    rule: AssignmentRule
    sources: frozenset[str]
    countries: frozenset[str]
    industries: frozenset[str]
    ratings: frozenset[str]
    grades: frozenset[str] = frozenset()
    territory: CompiledTerritory | None = None
    candidates: list[int] = field(default_factory=list)
    cursor: int = 0
    cursor_turns: int = 1
    cursor_moved: bool = False

    def matches(self, lead: _LeadFacts, account_id: int | None = None) -> bool:
        """True when the lead meets every criterion; `account_id` is the customer account it matched, if any."""
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
        if self.grades and lead.grade not in self.grades:
            return False
        if rule.target_territory_id and not (
            self.territory is not None
            and self.territory.holds(
                country=lead.country, state=lead.state, postal_code=lead.postal_code, account_id=account_id
            )
        ):
            return False
        return not self.ratings or lead.rating in self.ratings


@dataclass
class _Pool:
    """Who may take leads right now and how many open leads each holds."""

    load: dict[int, int]
    capacity: dict[int, int | None]
    names: dict[int, str]
    shares: dict[int, int] = field(default_factory=dict)

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
        # Weighted round-robin: the cursor's user keeps the turn until they took their shares in a row; then the
        # first candidate after the cursor, wrapping around, skipping the full ones. One share each is plain
        # round-robin.
        cursor = compiled.cursor
        if (
            compiled.cursor_turns < self.shares.get(cursor, 1)
            and cursor not in exclude
            and cursor in self.capacity
            and self.has_room(cursor)
            and cursor in set(candidates)
        ):
            return cursor
        start = bisect.bisect_right(candidates, compiled.cursor)
        for offset in range(len(candidates)):
            user_id = candidates[(start + offset) % len(candidates)]
            if user_id not in exclude and self.has_room(user_id):
                return user_id
        return None

    def take(self, compiled: _CompiledRule, user_id: int) -> None:
        self.load[user_id] += 1
        compiled.cursor_turns = compiled.cursor_turns + 1 if user_id == compiled.cursor else 1
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


def _compile(rule: AssignmentRule, territories: dict[int, CompiledTerritory] | None = None) -> _CompiledRule:
    def folded(values: list[str]) -> frozenset[str]:
        return frozenset(str(value).strip().casefold() for value in values if str(value).strip())

    return _CompiledRule(
        rule=rule,
        sources=frozenset(rule.sources or []),
        countries=folded(rule.countries or []),
        industries=folded(rule.industries or []),
        ratings=frozenset(rule.ratings or []),
        grades=frozenset(rule.grades or []),
        territory=(territories or {}).get(rule.target_territory_id),
        cursor=rule.last_assigned_user_id or 0,
        cursor_turns=rule.cursor_turns,
    )


def _facts(lead: Lead) -> _LeadFacts:
    return _LeadFacts(*(getattr(lead, name) for name in LEAD_FIELDS))


def _first_match(rules: list[_CompiledRule], lead: _LeadFacts, account_id: int | None = None) -> _CompiledRule | None:
    for compiled in rules:
        if compiled.matches(lead, account_id):
            return compiled
    return None


def _matching_chain(rules: list[_CompiledRule], lead: _LeadFacts, account_id: int | None = None) -> list[_CompiledRule]:
    """The first matching rule and, while a rule says `fall_through`, the next matching ones, in order."""
    chain = []
    for compiled in rules:
        if compiled.matches(lead, account_id):
            chain.append(compiled)
            if not compiled.rule.fall_through:
                break
    return chain


def _route(
    pool: _Pool, rules: list[_CompiledRule], lead: _LeadFacts, *, account_id=None, exclude=frozenset()
) -> tuple[_CompiledRule | None, int | None]:
    """Return the rule that decides and the owner it picks (None when nobody can take the lead).

    The rule is the first matching one; when nobody there has room and it says `fall_through`, the next matching
    rule tries, and so on. Without an owner, the rule returned is the last one tried (None when none matched).
    """
    tried = None
    for compiled in _matching_chain(rules, lead, account_id):
        tried = compiled
        owner_id = pool.pick(compiled, exclude=exclude)
        if owner_id is not None:
            return compiled, owner_id
    return tried, None


def _load_pool(rules: list[_CompiledRule], *, count: bool = True, scope: RoutingScope | None = None) -> _Pool:
    """Fill each rule's candidates (inside `scope` when given) and count their open leads: at most two queries
    for any number of rules."""
    target_ids = {c.rule.target_user_id for c in rules if c.rule.target_user_id}
    users = User.objects.filter(is_active=True, accepts_leads=True).filter(Q(role=User.Role.REP) | Q(pk__in=target_ids))
    if scope is not None:
        users = users.filter(pk__in=scope.member_ids)
    users = [
        _Candidate(*row)
        for row in users.order_by("pk").values_list(
            "pk",
            "role",
            "team_id",
            "lead_capacity",
            "name",
            "first_name",
            "last_name",
            "username",
            "level",
            "skills",
            "function",
            "routing_shares",
        )
    ]
    for compiled in rules:
        compiled.candidates = [user.pk for user in users if _is_candidate(compiled, user)]
    user_ids = {pk for compiled in rules for pk in compiled.candidates}
    chosen = [user for user in users if user.pk in user_ids]
    pool = _Pool(
        load=dict.fromkeys(user_ids, 0),
        capacity={user.pk: user.capacity for user in chosen},
        # The same fallbacks as User.display_name, without loading the users.
        names={user.pk: user.name or f"{user.first} {user.last}".strip() or user.username for user in chosen},
        shares={user.pk: max(1, user.shares or 1) for user in chosen},
    )
    if count:
        pool.count_load(rules)
    return pool


@dataclass(frozen=True)
class _Candidate:
    pk: int
    role: str
    team_id: int | None
    capacity: int | None
    name: str
    first: str
    last: str
    username: str
    level: str
    skills: list
    function: str
    shares: int


def _is_candidate(compiled: _CompiledRule, user: _Candidate) -> bool:
    """Whether `user` is among the rule's candidates: its target, then its level, skill and function filters."""
    rule = compiled.rule
    if rule.target_user_id:
        return user.pk == rule.target_user_id
    if user.role != User.Role.REP:
        return False
    if rule.target_team_id and user.team_id != rule.target_team_id:
        return False
    if rule.target_territory_id and (compiled.territory is None or user.pk not in compiled.territory.rep_ids):
        return False
    if rule.rep_levels and user.level not in rule.rep_levels:
        return False
    if rule.rep_functions and user.function not in rule.rep_functions:
        return False
    if rule.rep_skills:
        wanted = {skill.casefold() for skill in rule.rep_skills}
        if not wanted & {str(skill).casefold() for skill in user.skills or []}:
            return False
    return True


def _active_rules(*, lock: bool, scope: RoutingScope | None = None) -> list[_CompiledRule]:
    rules = AssignmentRule.objects.active().order_by("pk")
    if scope is not None:
        rules = rules.filter(scope.rules_filter())
    if lock:
        rules = rules.select_for_update()
    rules = list(rules)
    territories = load_territories(rules)
    return sorted((_compile(rule, territories) for rule in rules), key=lambda c: (c.rule.order, c.rule.pk))


def _assigned_summary(owner_name: str, rule: AssignmentRule | None, method: str) -> str:
    if rule is None:
        return f"Assigned to {owner_name} by hand"
    return f"Assigned to {owner_name} by rule “{rule.name}” ({method.replace('_', '-')})"


def account_summary(owner_name: str, account_name: str) -> str:
    return f"Assigned to {owner_name}: matches customer account “{account_name}”"


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
