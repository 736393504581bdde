"""Global search: the visible leads, contacts, accounts and opportunities whose text contains the query.

Rules (docs/using.md, docs/api.md):
- the query is trimmed and its inner whitespace collapsed; under 2 characters there is nothing to search (the
  API answers 400, the page shows the form);
- 3 characters or more match anywhere in the searched text (names, full name, company, email, phone, website or
  domain, an opportunity's account); exactly 2 match the start of a word (a trigram index can't look up less
  than three letters anywhere);
- case and accents don't matter ("muller" finds "Müller");
- ranked: a field equal to the query first, then a field starting with it, then the rest; ties by the most
  recent activity (a lead's last activity, else the last change), newest first;
- each kind of record ranks at most `CANDIDATES` matches: a fragment found in more records than that ranks
  those the index returns first (type more letters to narrow it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, F, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse

from search.targets import OPPORTUNITIES, TARGETS, Target
from search.text import folded, joined, like_escape
from users.models import User

MIN_LENGTH = 2
ANYWHERE_LENGTH = 3
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
CANDIDATES = 500
TYPES = tuple(TARGETS)

_NEEDLE = "funnel_unaccent(lower(%s))"
_ESCAPE = " ESCAPE '\\'"


@dataclass(frozen=True)
class SearchResult:
    type: str
    id: int
    title: str
    subtitle: str
    url: str
    rank: int  # 0 exact, 1 prefix, 2 anywhere
    activity: datetime

    @property
    def label(self) -> str:
        return TARGETS[self.type].label


def normalize_query(q: str) -> str:
    """The query as searched: trimmed, inner whitespace collapsed."""
    return " ".join(q.split())


def _contains(expression: str, q: str) -> tuple[str, list[str]]:
    """SQL (and params) for "the folded `expression` contains `q`" under the length rule above."""
    value = like_escape(q)
    if len(q) >= ANYWHERE_LENGTH:
        return f"{expression} LIKE ('%%' || {_NEEDLE} || '%%'){_ESCAPE}", [value]
    return (
        f"({expression} LIKE ({_NEEDLE} || '%%'){_ESCAPE} OR {expression} LIKE ('%% ' || {_NEEDLE} || '%%'){_ESCAPE})",
        [value, value],
    )


def _matches(target: Target, q: str) -> list[tuple[str, list[str]]]:
    """The conditions a record of `target` may match `q` by, each answered by one index."""
    conditions = [_contains(folded(joined(target.columns)), q)]
    if target is OPPORTUNITIES:
        # Or its account's text: the account's own trigram index finds the accounts, the account_id index their
        # deals. A branch of its own: OR-ed with the name in one WHERE, PostgreSQL filters every visible deal.
        accounts = TARGETS["account"]
        account_sql, account_params = _contains(folded(joined(accounts.columns)), q)
        inner = f'SELECT "id" FROM "{accounts.table}" WHERE {account_sql} LIMIT {CANDIDATES}'  # noqa: S608 - names from search.targets, the query a parameter  # nosec B608
        conditions.append((f'"account_id" IN ({inner})', account_params))
    return conditions


def _rank(target: Target, q: str) -> RawSQL:
    value = like_escape(q)
    exact = " OR ".join(f"{folded(field)} = {_NEEDLE}" for field in target.ranked)
    prefix = " OR ".join(f"{folded(field)} LIKE ({_NEEDLE} || '%%'){_ESCAPE}" for field in target.ranked)
    params = [q] * len(target.ranked) + [value] * len(target.ranked)
    sql = f"CASE WHEN {exact} THEN 0 WHEN {prefix} THEN 1 ELSE 2 END"
    return RawSQL(sql, params, output_field=IntegerField())  # noqa: S611 - columns from search.targets, the query a parameter  # nosec B611


def search_target(target: Target, user: User, q: str, *, limit: int) -> QuerySet:
    """Return the best `limit` visible records of `target` matching `q`, annotated `search_rank`: one query."""
    visible = target.model.objects.visible_to(user)
    branches = []
    for sql, params in _matches(target, q):
        # Unordered, so the scan stops at CANDIDATES matches; the outer query ranks them.
        condition = RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - columns from search.targets, the query a parameter  # nosec B611
        branch = visible.filter(condition).order_by().values("pk")
        branches.append(branch[:CANDIDATES] if connection.features.supports_slicing_ordering_in_compound else branch)
    candidates = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0][:CANDIDATES]
    return (
        visible.filter(pk__in=candidates)
        .select_related(*target.related)
        .annotate(search_rank=_rank(target, q), search_activity=target.activity or F("updated_at"))
        .order_by("search_rank", "-search_activity", "-pk")[:limit]
    )


def search_records(user: User, q: str, *, types: tuple[str, ...] = TYPES, limit: int = DEFAULT_LIMIT) -> list[SearchResult]:  # fmt: skip
    """Return the records of `types` that `user` may see matching `q`, best first: one query per type."""
    q = normalize_query(q)
    if len(q) < MIN_LENGTH:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    results = []
    for type_ in types:
        target = TARGETS[type_]
        for record in search_target(target, user, q, limit=limit):
            results.append(
                SearchResult(
                    type=target.type,
                    id=record.pk,
                    title=target.title(record),
                    subtitle=target.subtitle(record),
                    url=reverse(target.url_name, args=[record.pk]),
                    rank=record.search_rank,
                    activity=record.search_activity,
                )
            )
    results.sort(key=lambda r: (r.rank, -r.activity.timestamp(), TYPES.index(r.type), -r.id))
    return results[:limit]
