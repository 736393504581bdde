"""Assign many leads at once: the sweeper, reassignment, and the CSV import's routing."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from activities.models import Event
from activities.services import record_event_on_leads
from assignment.events import AssignmentEvent
from assignment.matching import AccountMatch, match_customer_accounts
from assignment.models import AssignmentRule
from assignment.routing import (
    ACCOUNT,
    ASSIGNED,
    ASSIGNMENT_FAILED,
    BULK_CHUNK,
    CLOSED_STATUSES,
    LEAD_FIELDS,
    RoutingScope,
    _active_rules,
    _assigned_summary,
    _CompiledRule,
    _failure_data,
    _failure_summary,
    _kept_summary,
    _LeadFacts,
    _load_pool,
    _Pool,
    _route,
    account_summary,
    routing_scope,
)
from core.events import publish
from core.exceptions import NotFound, PermissionDenied
from leads.models import Lead
from users.models import User

_Entry = tuple[int, str, dict[str, Any], list[int]]


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
    scope: User | None = None,
    into: BulkAssignment | None = None,
    include_closed: bool = False,
) -> BulkAssignment:
    """Assign many unowned open leads by the rules in one pass per chunk, with a bounded number of queries.

    Each chunk of BULK_CHUNK leads is one transaction: lock the active rules, lock the chunk's
    still-unowned leads (skipping rows other writers hold), decide in Python, then write the owners,
    the timeline events and each rule's cursor with a handful of statements. Owners get one digest
    email per pass, after commit; with `into`, the pass adds to it and the caller sends the digests
    (`notify_owners`), e.g. once for all the chunks of an import.

    `scope`: the user on whose behalf the leads are routed (an import's importer). A manager's pass stays inside
    their teams and they keep what nobody there can take; an admin's, or None, uses every rule (see
    `assignment.routing`). `include_closed`: route unqualified leads too — an import's new leads, which the
    PostgreSQL import routes before the insert whatever their status.
    """
    exclude = frozenset(exclude_user_ids)
    reach = routing_scope(scope)
    result = into if into is not None else BulkAssignment()
    closed = () if include_closed else CLOSED_STATUSES
    if isinstance(leads, QuerySet):
        # Walk the queryset by primary key: no id list to fetch first, no huge IN lists.
        base = leads.filter(owner__isnull=True).exclude(status__in=closed).order_by("pk")
        last_pk = 0
        while True:
            seen, last_pk = _assign_chunk(
                base.filter(pk__gt=last_pk)[:BULK_CHUNK],
                by=by,
                exclude=exclude,
                prior=previous_owner_id,
                into=result,
                scope=reach,
            )
            if seen < BULK_CHUNK:
                break
    else:
        lead_ids = sorted(set(leads))
        for start in range(0, len(lead_ids), BULK_CHUNK):
            chunk = (
                Lead.objects.filter(pk__in=lead_ids[start : start + BULK_CHUNK], owner__isnull=True)
                .exclude(status__in=closed)
                .order_by("pk")
            )
            _assign_chunk(chunk, by=by, exclude=exclude, prior=previous_owner_id, into=result, scope=reach)
    if into is None:
        notify_owners(result)
    return result


@dataclass
class _Decisions:
    """Owners decided for a batch of leads: lead ids per (owner, rule), and per rule the leads nobody could take —
    `kept` by the scope's manager when the pass has a scope, else `failed` (left unassigned)."""

    rules: list[_CompiledRule]
    pool: _Pool
    scope: RoutingScope | None = None
    groups: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    # Leads given to the owner of the customer account they matched: (owner, account) → lead ids.
    by_account: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    # Every lead that matched a customer account, routed by it or not: account → lead ids.
    matched: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    account_names: dict[int, str] = field(default_factory=dict)
    failed: dict[AssignmentRule | None, list[int]] = field(default_factory=lambda: defaultdict(list))
    kept: dict[AssignmentRule | None, list[int]] = field(default_factory=lambda: defaultdict(list))

    def owners(self) -> dict[int, int]:
        owners = {pk: owner_id for (owner_id, _rule), ids in self.groups.items() for pk in ids}
        owners |= {pk: owner_id for (owner_id, _account), ids in self.by_account.items() for pk in ids}
        if self.scope is not None:
            owners |= {pk: self.scope.keeper_id for ids in self.kept.values() for pk in ids}
        return owners


def _decide(
    rows: Iterable[_LeadFacts],
    rules: list[_CompiledRule],
    *,
    exclude: frozenset[int] = frozenset(),
    scope: RoutingScope | None = None,
) -> _Decisions:
    """Pick an owner for each lead, in order, by `rules` (locked by the caller: see the module's lock order)."""
    decisions = _Decisions(rules=rules, pool=_load_pool(rules, scope=scope), scope=scope)
    rows = list(rows)
    matches = match_customer_accounts(rows)
    account_owners = _account_owners(matches.values(), exclude=exclude, scope=scope)
    for facts in rows:
        match = matches.get(facts.pk)
        account_id = match.account_id if match else None
        if match is not None:
            decisions.matched[match.account_id].append(facts.pk)
            decisions.account_names[match.account_id] = match.account_name
            if match.owner_id in account_owners:
                decisions.pool.names.setdefault(match.owner_id, account_owners[match.owner_id])
                decisions.by_account[(match.owner_id, match.account_id)].append(facts.pk)
                continue
        compiled, owner_id = _route(decisions.pool, rules, facts, account_id=account_id, exclude=exclude)
        if owner_id is None:
            bucket = decisions.failed if scope is None else decisions.kept
            bucket[compiled.rule if compiled else None].append(facts.pk)
            continue
        decisions.pool.take(compiled, owner_id)
        decisions.groups[(owner_id, compiled.rule.pk)].append(facts.pk)
    return decisions


def _account_owners(
    matches: Iterable[AccountMatch], *, exclude: frozenset[int], scope: RoutingScope | None
) -> dict[int, str]:
    """The matched accounts' owners who may take leads (active, accepting, in the scope), with their names."""
    ids = {match.owner_id for match in matches if match.owner_id and match.owner_id not in exclude}
    if scope is not None:
        ids &= scope.member_ids
    if not ids:
        return {}
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=ids, is_active=True, accepts_leads=True)}


def _record(
    decisions: _Decisions, *, by: User | None, prior: int | None, into: BulkAssignment, new_leads: bool
) -> None:
    """Write what `decisions` decided: owners, timeline events, rule cursors, and the managers' "could not be
    assigned" email after commit. `new_leads`: the leads were just inserted with their owners, so there is no
    owner to write and no earlier "could not be assigned" note to look for."""
    now = timezone.now()
    rules_by_pk = {compiled.rule.pk: compiled.rule for compiled in decisions.rules}
    # (owner, event summary, event data, lead ids): one "assigned" event per lead of each entry.
    entries: list[_Entry] = []
    for (owner_id, rule_pk), ids in decisions.groups.items():
        rule = rules_by_pk[rule_pk]
        summary = _assigned_summary(decisions.pool.names[owner_id], rule, rule.method)
        data = {"rule": rule_pk, "rule_name": rule.name, "method": rule.method, "previous_owner": prior}
        entries.append((owner_id, summary, data, ids))
    for (owner_id, account_id), ids in decisions.by_account.items():
        name = decisions.account_names[account_id]
        summary = account_summary(decisions.pool.names[owner_id], name)
        data = {"rule": None, "method": ACCOUNT, "account": account_id, "previous_owner": prior}
        entries.append((owner_id, summary, data, ids))
    if decisions.scope is not None:
        keeper = decisions.scope
        for rule, ids in decisions.kept.items():
            data = {**_failure_data(rule), "kept_by": keeper.keeper_id, "previous_owner": prior}
            entries.append((keeper.keeper_id, _kept_summary(keeper.keeper_name, rule), data, ids))
    if connection.vendor == "postgresql":
        _write_assignments_postgres(entries, by=by, now=now, owners_written=new_leads)
    else:
        for owner_id, summary, data, ids in entries:
            if not new_leads:
                # The rows are locked, so the guard only matters on backends without row locks.
                Lead.objects.filter(pk__in=ids, owner__isnull=True).update(owner_id=owner_id, updated_at=now)
            record_event_on_leads(ids, kind=ASSIGNED, summary=summary, data=data, by=by, now=now)
    for owner_id, _summary, _data, ids in entries:
        into.assigned[owner_id].extend(ids)
    for account_id, ids in decisions.matched.items():
        Lead.objects.filter(pk__in=ids).update(matched_account_id=account_id)
    for compiled in decisions.rules:
        if compiled.cursor_moved:
            AssignmentRule.objects.filter(pk=compiled.rule.pk).update(
                last_assigned_user_id=compiled.cursor, cursor_turns=compiled.cursor_turns
            )

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
                record_event_on_leads(
                    new_ids,
                    kind=ASSIGNMENT_FAILED,
                    summary=_failure_summary(rule),
                    data=_failure_data(rule),
                    by=by,
                    now=now,
                )
                fresh.extend(new_ids)
        if fresh:
            publish(AssignmentEvent.FAILED, record_ids=sorted(fresh), by=by)
        into.unassigned.extend(failed_ids)


@transaction.atomic
def _assign_chunk(
    chunk: QuerySet,
    *,
    by: User | None,
    exclude: frozenset[int],
    prior: int | None,
    into: BulkAssignment,
    scope: RoutingScope | None = None,
) -> tuple[int, int]:
    """Assign one chunk of unowned leads; return how many rows it read and the last primary key."""
    rules = _active_rules(lock=True, scope=scope)  # rules before leads: the lock order every assignment follows
    rows = list(chunk.select_for_update(skip_locked=True, of=("self",)).values_list(*LEAD_FIELDS))
    decisions = _decide((_LeadFacts(*row) for row in rows), rules, exclude=exclude, scope=scope)
    _record(decisions, by=by, prior=prior, into=into, new_leads=False)
    return len(rows), rows[-1][0] if rows else 0


class NewLeadRouting:
    """Owners for leads that are about to be inserted (the CSV import), decided by the rules before the insert.

    Each lead is then written once, with its owner, instead of inserted and updated. Build it inside the
    transaction that inserts the leads: it locks the active rules until that transaction ends, as a bulk
    assignment does, so concurrent assignments neither repeat a round-robin turn nor overfill a rep.
    `facts` are (id, source, country, industry, employees, score, rating[, email, website, company, grade, state,
    postal_code]) with the ids the leads will get (routing.LEAD_FIELDS; the ungraded import passes grade "").
    `scope`: the user the leads are routed for (the importer), as in `assign_leads_bulk`.
    """

    def __init__(self, facts: Iterable[tuple], *, scope: User | None = None) -> None:
        reach = routing_scope(scope)
        self._decisions = _decide(
            (_LeadFacts(*row) for row in facts), _active_rules(lock=True, scope=reach), scope=reach
        )

    def owners(self) -> dict[int, int]:
        """Owner id per lead id, for the leads somebody can take."""
        return self._decisions.owners()

    def record(self, inserted_ids: Iterable[int], *, by: User | None, into: BulkAssignment) -> None:
        """Write the events and cursors for the leads that were inserted (a lead skipped by the insert is left out)."""
        inserted = set(inserted_ids)
        decisions = self._decisions
        for bucket in (decisions.groups, decisions.failed, decisions.kept, decisions.by_account, decisions.matched):
            for key in list(bucket):
                bucket[key] = [pk for pk in bucket[key] if pk in inserted]
                if not bucket[key]:
                    del bucket[key]
        _record(decisions, by=by, prior=None, into=into, new_leads=True)


def notify_owners(result: BulkAssignment) -> None:
    """Email each new owner one digest of the leads a bulk pass gave them, after commit."""
    for owner_id, ids in result.assigned.items():
        publish(AssignmentEvent.ASSIGNED, record_ids=ids, data={"owner": owner_id, "digest": True})


def _write_assignments_postgres(entries: list[_Entry], *, by, now, owners_written: bool = False) -> None:
    """Set the owners and write the events of a whole chunk with two statements fed by arrays.

    Each lead carries the number of its entry (an owner and a rule); the entry's summary and data travel once.
    """
    lead_ids, owner_ids, group_numbers, summaries, datas = [], [], [], [], []
    for number, (owner_id, summary, data, ids) in enumerate(entries, start=1):
        summaries.append(summary[:500])
        datas.append(json.dumps(data))
        lead_ids.extend(ids)
        owner_ids.extend([owner_id] * len(ids))
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
