"""Assignment: route unowned leads to reps by ordered rules, fairly under concurrent workers.

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
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from activities.models import Event
from activities.services import record_event
from crm.common.exceptions import NotFound, PermissionDenied
from crm.common.services import save_validated
from crm.users.models import User
from leads.exceptions import LeadConverted
from leads.models import AssignmentRule, Lead

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


def _record_failure(lead_id: int, rule: AssignmentRule | None, *, by: User | None) -> None:
    """Note on the timeline, once per lead, that nobody could take it, and tell its manager after commit."""
    from leads.tasks import notify_assignment_failed_task

    # The lead row lock makes "is there a failure event yet?" and its insert one step per lead.
    locked = Lead.objects.select_for_update(of=("self",)).filter(pk=lead_id, owner__isnull=True).first()
    if locked is None or Event.objects.filter(lead_id=lead_id, kind=ASSIGNMENT_FAILED).exists():
        return
    record_event(ASSIGNMENT_FAILED, _failure_summary(rule), by=by, lead=locked, data=_failure_data(rule))
    notify_assignment_failed_task.delay_on_commit([lead_id])


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
    from leads.tasks import notify_new_owner_task

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
    notify_new_owner_task.delay_on_commit(current.pk, owner_id)
    return current


def _assign_by_hand(lead: Lead, *, owner: User, by: User | None) -> Lead:
    from leads.tasks import notify_new_owner_task

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
    notify_new_owner_task.delay_on_commit(lead.pk, owner.pk)
    return lead


@dataclass
class BulkAssignment:
    """What a bulk pass did: leads assigned per owner, and leads nobody could take."""

    assigned: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    unassigned: list[int] = field(default_factory=list)

    @property
    def assigned_count(self) -> int:
        return sum(len(ids) for ids in self.assigned.values())


def assign_leads_bulk(
    leads: QuerySet | Iterable[int],
    *,
    by: User | None = None,
    exclude_user_ids: Iterable[int] = (),
    previous_owner_id: int | None = None,
) -> BulkAssignment:
    """Assign many unowned open leads by the rules in one pass per chunk, with a bounded number of queries.

    Each chunk of BULK_CHUNK leads is one transaction: lock the active rules, lock the chunk's
    still-unowned leads (skipping rows other writers hold), decide in Python, then write the owners,
    the timeline events and each rule's cursor with a handful of statements. Owners get one digest
    email per pass, after commit.
    """
    exclude = frozenset(exclude_user_ids)
    result = BulkAssignment()
    if isinstance(leads, QuerySet):
        # Walk the queryset by primary key: no id list to fetch first, no huge IN lists.
        base = leads.filter(owner__isnull=True).exclude(status__in=CLOSED_STATUSES).order_by("pk")
        last_pk = 0
        while True:
            seen, last_pk = _assign_chunk(
                base.filter(pk__gt=last_pk)[:BULK_CHUNK], by=by, exclude=exclude, prior=previous_owner_id, into=result
            )
            if seen < BULK_CHUNK:
                break
    else:
        lead_ids = sorted(set(leads))
        for start in range(0, len(lead_ids), BULK_CHUNK):
            chunk = (
                Lead.objects.filter(pk__in=lead_ids[start : start + BULK_CHUNK], owner__isnull=True)
                .exclude(status__in=CLOSED_STATUSES)
                .order_by("pk")
            )
            _assign_chunk(chunk, by=by, exclude=exclude, prior=previous_owner_id, into=result)
    notify_owners(result)
    return result


@dataclass
class _Decisions:
    """Owners decided for a batch of leads: lead ids per (owner, rule), and per rule the leads nobody could take."""

    rules: list[_CompiledRule]
    pool: _Pool
    groups: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    failed: dict[AssignmentRule | None, list[int]] = field(default_factory=lambda: defaultdict(list))

    def owners(self) -> dict[int, int]:
        return {pk: owner_id for (owner_id, _rule), ids in self.groups.items() for pk in ids}


def _decide(
    rows: Iterable[_LeadFacts], rules: list[_CompiledRule], *, exclude: frozenset[int] = frozenset()
) -> _Decisions:
    """Pick an owner for each lead, in order, by `rules` (locked by the caller: see the module's lock order)."""
    decisions = _Decisions(rules=rules, pool=_load_pool(rules))
    for facts in rows:
        compiled = _first_match(rules, facts)
        owner_id = decisions.pool.pick(compiled, exclude=exclude) if compiled is not None else None
        if owner_id is None:
            decisions.failed[compiled.rule if compiled else None].append(facts.pk)
            continue
        decisions.pool.take(compiled, owner_id)
        decisions.groups[(owner_id, compiled.rule.pk)].append(facts.pk)
    return decisions


def _record(
    decisions: _Decisions, *, by: User | None, prior: int | None, into: BulkAssignment, new_leads: bool
) -> None:
    """Write what `decisions` decided: owners, timeline events, rule cursors, and the managers' "could not be
    assigned" email after commit. `new_leads`: the leads were just inserted with their owners, so there is no
    owner to write and no earlier "could not be assigned" note to look for."""
    from leads.tasks import notify_assignment_failed_task

    now = timezone.now()
    rules_by_pk = {compiled.rule.pk: compiled.rule for compiled in decisions.rules}
    groups = decisions.groups
    events = {
        key: (
            _assigned_summary(decisions.pool.names[key[0]], rules_by_pk[key[1]], rules_by_pk[key[1]].method),
            {
                "rule": key[1],
                "rule_name": rules_by_pk[key[1]].name,
                "method": rules_by_pk[key[1]].method,
                "previous_owner": prior,
            },
        )
        for key in groups
    }
    if connection.vendor == "postgresql":
        _write_assignments_postgres(groups, events, by=by, now=now, owners_written=new_leads)
    else:
        for (owner_id, _rule_pk), ids in groups.items():
            if not new_leads:
                # The rows are locked, so the guard only matters on backends without row locks.
                Lead.objects.filter(pk__in=ids, owner__isnull=True).update(owner_id=owner_id, updated_at=now)
            summary, data = events[(owner_id, _rule_pk)]
            _insert_events(ids, kind=ASSIGNED, summary=summary, data=data, by=by, now=now)
    for (owner_id, _rule_pk), ids in groups.items():
        into.assigned[owner_id].extend(ids)
    for compiled in decisions.rules:
        if compiled.cursor_moved:
            AssignmentRule.objects.filter(pk=compiled.rule.pk).update(last_assigned_user_id=compiled.cursor)

    failed = decisions.failed
    if failed:
        failed_ids = [pk for ids in failed.values() for pk in ids]
        already = (
            set()
            if new_leads
            else set(
                Event.objects.filter(kind=ASSIGNMENT_FAILED, lead_id__in=failed_ids).values_list("lead_id", flat=True)
            )
        )
        fresh = []
        for rule, ids in failed.items():
            new_ids = [pk for pk in ids if pk not in already]
            if new_ids:
                _insert_events(
                    new_ids,
                    kind=ASSIGNMENT_FAILED,
                    summary=_failure_summary(rule),
                    data=_failure_data(rule),
                    by=by,
                    now=now,
                )
                fresh.extend(new_ids)
        if fresh:
            notify_assignment_failed_task.delay_on_commit(sorted(fresh))
        into.unassigned.extend(failed_ids)


@transaction.atomic
def _assign_chunk(
    chunk: QuerySet, *, by: User | None, exclude: frozenset[int], prior: int | None, into: BulkAssignment
) -> tuple[int, int]:
    """Assign one chunk of unowned leads; return how many rows it read and the last primary key."""
    rules = _active_rules(lock=True)  # rules before leads: the lock order every assignment follows
    rows = list(chunk.select_for_update(skip_locked=True, of=("self",)).values_list(*LEAD_FIELDS))
    decisions = _decide((_LeadFacts(*row) for row in rows), rules, exclude=exclude)
    _record(decisions, by=by, prior=prior, into=into, new_leads=False)
    return len(rows), rows[-1][0] if rows else 0


class NewLeadRouting:
    """Owners for leads that are about to be inserted (the CSV import), decided by the rules before the insert.

    Each lead is then written once, with its owner, instead of inserted and updated. Build it inside the
    transaction that inserts the leads: it locks the active rules until that transaction ends, as a bulk
    assignment does, so concurrent assignments neither repeat a round-robin turn nor overfill a rep.
    `facts` are (id, source, country, industry, employees, score, rating) with the ids the leads will get.
    """

    def __init__(self, facts: Iterable[tuple]) -> None:
        self._decisions = _decide((_LeadFacts(*row) for row in facts), _active_rules(lock=True))

    def owners(self) -> dict[int, int]:
        """Owner id per lead id, for the leads somebody can take."""
        return self._decisions.owners()

    def record(self, inserted_ids: Iterable[int], *, by: User | None, into: BulkAssignment) -> None:
        """Write the events and cursors for the leads that were inserted (a lead skipped by the insert is left out)."""
        inserted = set(inserted_ids)
        decisions = self._decisions
        for bucket in (decisions.groups, decisions.failed):
            for key in list(bucket):
                bucket[key] = [pk for pk in bucket[key] if pk in inserted]
                if not bucket[key]:
                    del bucket[key]
        _record(decisions, by=by, prior=None, into=into, new_leads=True)


def notify_owners(result: BulkAssignment) -> None:
    """Email each new owner one digest of the leads a bulk pass gave them, after commit."""
    from leads.tasks import notify_new_owner_digest_task

    for owner_id, ids in result.assigned.items():
        notify_new_owner_digest_task.delay_on_commit(owner_id, ids)


def _write_assignments_postgres(
    groups: dict[tuple[int, int], list[int]],
    events: dict[tuple[int, int], tuple[str, dict]],
    *,
    by,
    now,
    owners_written: bool = False,
) -> None:
    """Set the owners and write the events of a whole chunk with two statements fed by arrays.

    Each lead carries the number of its (owner, rule) group; the group's summary and data travel once.
    """
    lead_ids, owner_ids, group_numbers, summaries, datas = [], [], [], [], []
    for number, (key, ids) in enumerate(groups.items(), start=1):
        summary, data = events[key]
        summaries.append(summary[:500])
        datas.append(json.dumps(data))
        lead_ids.extend(ids)
        owner_ids.extend([key[0]] * len(ids))
        group_numbers.extend([number] * len(ids))
    if not lead_ids:
        return
    lead_table = connection.ops.quote_name(Lead._meta.db_table)
    event_table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        if not owners_written:
            cursor.execute(
                f"UPDATE {lead_table} SET owner_id = u.owner_id, updated_at = %s "  # noqa: S608 - table names from model metadata, values are parameters  # nosec B608
                f"FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, owner_id) "
                f"WHERE {lead_table}.id = u.id AND {lead_table}.owner_id IS NULL",
                [now, lead_ids, owner_ids],
            )
        cursor.execute(
            f"INSERT INTO {event_table} (lead_id, kind, summary, data, actor_id, created_at) "  # noqa: S608 - table names from model metadata, values are parameters  # nosec B608
            "SELECT e.lead_id, %s, g.summary, g.data::jsonb, %s, %s "
            "FROM unnest(%s::bigint[], %s::integer[]) AS e(lead_id, number) "
            "JOIN unnest(%s::text[], %s::text[]) WITH ORDINALITY AS g(summary, data, number) USING (number)",
            [ASSIGNED, by.pk if by else None, now, lead_ids, group_numbers, summaries, datas],
        )


def _insert_events(lead_ids: list[int], *, kind: str, summary: str, data: dict[str, Any], by: User | None, now) -> None:
    """Write one identical timeline event per lead with a single INSERT … SELECT.

    bulk_create would cost one query per ~100 rows on SQLite (999 parameters per statement);
    the events of one owner and rule differ only by lead, so one statement writes them all.
    """
    event_table = connection.ops.quote_name(Event._meta.db_table)
    lead_table = connection.ops.quote_name(Lead._meta.db_table)
    if connection.vendor == "postgresql":
        json_param, ids_param, ids = "CAST(%s AS jsonb)", "= ANY(%s)", [list(lead_ids)]
    else:
        json_param, ids_param, ids = "%s", f"IN ({', '.join(['%s'] * len(lead_ids))})", list(lead_ids)
    sql = (
        f"INSERT INTO {event_table} (lead_id, kind, summary, data, actor_id, created_at) "  # noqa: S608 - table names from model metadata, values are parameters  # nosec B608
        f"SELECT id, %s, %s, {json_param}, %s, %s FROM {lead_table} WHERE id {ids_param}"
    )
    params = [
        kind,
        summary[:500],
        json.dumps(data),
        by.pk if by else None,
        connection.ops.adapt_datetimefield_value(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])


@transaction.atomic
def reassign_open_leads(from_user: User, *, by: User) -> BulkAssignment:
    """Hand every open lead of `from_user` (e.g. a rep who leaves) to others by the rules.

    `from_user` is left out of this pass; turn off their `accepts_leads` (or deactivate them) so the
    sweeper does not hand leads nobody else could take back to them.

    Raises:
        PermissionDenied: `by` is not a manager or admin.
        NotFound: `by` may not see `from_user`.
    """
    if not by.can_manage:
        raise PermissionDenied("Only managers and admins may reassign leads.")
    if not User.objects.visible_to(by).filter(pk=from_user.pk).exists():
        raise NotFound()
    _active_rules(lock=True)  # rules before leads: the lock order every assignment follows
    lead_ids = list(
        Lead.objects.visible_to(by)
        .open()
        .filter(owner=from_user)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(lead_ids), BULK_CHUNK):
        Lead.objects.filter(pk__in=lead_ids[start : start + BULK_CHUNK]).update(owner=None, updated_at=timezone.now())
    return assign_leads_bulk(lead_ids, by=by, exclude_user_ids={from_user.pk}, previous_owner_id=from_user.pk)


RULE_FIELDS = [
    "order",
    "name",
    "active",
    "sources",
    "countries",
    "industries",
    "employees_min",
    "employees_max",
    "score_min",
    "ratings",
    "target_user",
    "target_team",
    "method",
]


def _check_may_configure(by: User) -> None:
    if by is None or not by.can_manage:
        raise PermissionDenied("Only managers and admins configure assignment.")


@transaction.atomic
def save_assignment_rule(rule: AssignmentRule, *, by: User) -> AssignmentRule:
    """Validate and save a new or edited assignment rule, leaving its round-robin cursor alone.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    if rule.pk is None:
        save_validated(rule)
        return rule
    # Wait for assignments holding the row, and write only the configured fields, so an edit never
    # rewinds the cursor a concurrent assignment just advanced.
    AssignmentRule.objects.select_for_update().filter(pk=rule.pk).exists()
    save_validated(rule, update_fields=RULE_FIELDS)
    return rule


def create_assignment_rule(*, by: User, **fields: Any) -> AssignmentRule:
    """Create an assignment rule (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    return save_assignment_rule(AssignmentRule(**fields), by=by)


def update_assignment_rule(rule: AssignmentRule, *, by: User, data: dict[str, Any]) -> AssignmentRule:
    """Change an assignment rule's criteria, target, method or order (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    for name, value in data.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    return save_assignment_rule(rule, by=by)


@transaction.atomic
def delete_assignment_rule(rule: AssignmentRule, *, by: User) -> None:
    """Delete an assignment rule (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    AssignmentRule.objects.filter(pk=rule.pk).delete()
