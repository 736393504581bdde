"""Property tests: rendered trees parse back to themselves, and a compiled WHERE returns exactly the rows a plain
Python reading of Salesforce's rules selects, for random data (and never another user's rows)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone as django_timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from integrations.salesforce.soql import nodes
from integrations.salesforce.soql.compiler import compile_query
from integrations.salesforce.soql.dates import as_datetimes, date_range
from integrations.salesforce.soql.grammar import DATE_LITERALS, DATE_N_LITERALS
from integrations.salesforce.soql.parser import parse_query
from integrations.salesforce.soql.render import render_condition, render_query
from leads.models import Lead

KEYWORDS = {
    "select", "from", "where", "and", "or", "not", "like", "in", "null", "true", "false", "order", "by", "asc",
    "desc", "nulls", "first", "last", "limit", "offset", "count",
}  # fmt: skip

names = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,12}\Z").filter(lambda name: name.lower() not in KEYWORDS)
paths = st.lists(names, min_size=1, max_size=3).map(lambda parts: nodes.FieldPath(tuple(parts)))
strings = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12).map(
    nodes.encode_string
)
numbers = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9).map(
    nodes.Number
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
values = st.one_of(
    strings,
    numbers,
    st.booleans().map(nodes.Boolean),
    st.just(nodes.Null()),
    st.dates(min_value=date(1900, 1, 1)).map(nodes.DateValue),
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets).map(
        nodes.DateTimeValue
    ),
    st.sampled_from(DATE_LITERALS).map(nodes.DateLiteral),
    st.builds(nodes.DateLiteral, st.sampled_from(DATE_N_LITERALS), st.integers(min_value=0, max_value=10**6)),
)
comparisons = st.one_of(
    st.builds(nodes.Comparison, paths, st.sampled_from(["=", "!=", "<", ">", "<=", ">="]), values),
    st.builds(nodes.Comparison, paths, st.just("LIKE"), strings),
    st.builds(
        nodes.Comparison, paths, st.sampled_from(["IN", "NOT IN"]), st.lists(values, min_size=1, max_size=4).map(tuple)
    ),
)
conditions = st.recursive(
    comparisons,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda items: nodes.And(tuple(items))),
        st.lists(inner, min_size=2, max_size=3).map(lambda items: nodes.Or(tuple(items))),
        inner.map(nodes.Not),
    ),
    max_leaves=8,
)
order_items = st.builds(nodes.OrderItem, paths, st.booleans(), st.one_of(st.none(), st.booleans()))
queries = st.builds(
    nodes.Query,
    select=st.one_of(
        st.lists(paths, min_size=1, max_size=4, unique_by=lambda path: str(path).lower()).map(tuple),
        st.one_of(st.none(), paths).map(lambda path: (nodes.Count(path),)),
    ),
    sobject=names,
    where=st.one_of(st.none(), conditions),
    order_by=st.lists(order_items, max_size=3).map(tuple),
    limit=st.one_of(st.none(), st.integers(min_value=0, max_value=50_000)),
    offset=st.one_of(st.none(), st.integers(min_value=0, max_value=2000)),
)


@given(queries)
@settings(max_examples=300, deadline=None)
def test_a_rendered_query_parses_back_to_the_same_tree(query):
    assert parse_query(render_query(query)) == query


# --- compiled WHERE == Python's reading of the same condition, on random leads ---------------------------------

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
TEXTS = ["", "a", "A", "aB", "Ab", "a%b", "a_b", "x\ny"]
STATUS = {"Open - Not Contacted": "new", "Working - Contacted": "working", "Closed - Converted": "converted"}

lead_rows = st.lists(
    st.fixed_dictionaries(
        {
            "last_name": st.sampled_from(TEXTS[1:]),
            "company": st.sampled_from(TEXTS),
            "employees": st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
            "status": st.sampled_from(sorted(STATUS.values())),
            "do_not_contact": st.booleans(),
            "age_days": st.sampled_from([0, 1, 3, 6, 10, 40]),
        }
    ),
    min_size=2,
    max_size=8,
)
like_patterns = st.lists(st.sampled_from(["a", "B", "%", "_", "\\%", "\\_", "\n"]), max_size=5).map("".join)
text_values = st.sampled_from(TEXTS).map(nodes.encode_string)
text_fields = st.sampled_from(["LastName", "Company"])
day_literals = st.one_of(
    st.sampled_from(["TODAY", "YESTERDAY", "THIS_WEEK", "THIS_MONTH", "LAST_MONTH"]).map(nodes.DateLiteral),
    st.builds(nodes.DateLiteral, st.sampled_from(["LAST_N_DAYS", "N_DAYS_AGO"]), st.sampled_from([0, 1, 3, 10])),
)
ops = st.sampled_from(["=", "!=", "<", ">", "<=", ">="])
data_comparisons = st.one_of(
    st.builds(lambda f, op, v: nodes.Comparison(nodes.FieldPath((f,)), op, v), text_fields, ops, text_values),
    st.builds(
        lambda f, p: nodes.Comparison(nodes.FieldPath((f,)), "LIKE", nodes.String(p)), text_fields, like_patterns
    ),
    st.builds(
        lambda f, op, vs: nodes.Comparison(nodes.FieldPath((f,)), op, tuple(vs)),
        text_fields,
        st.sampled_from(["IN", "NOT IN"]),
        st.lists(text_values, min_size=1, max_size=3),
    ),
    st.builds(
        lambda op, v: nodes.Comparison(nodes.FieldPath(("NumberOfEmployees",)), op, v),
        ops,
        st.one_of(st.decimals(min_value=-1, max_value=5, places=1).map(nodes.Number)),
    ),
    st.builds(
        lambda op, v: nodes.Comparison(nodes.FieldPath(("NumberOfEmployees",)), op, v),
        st.sampled_from(["=", "!="]),
        st.just(nodes.Null()),
    ),
    st.builds(
        lambda op, v: nodes.Comparison(nodes.FieldPath(("Status",)), op, nodes.encode_string(v)),
        st.sampled_from(["=", "!="]),
        st.sampled_from([*STATUS, "closed - converted", "Bogus"]),
    ),
    st.builds(
        lambda op, v: nodes.Comparison(nodes.FieldPath(("HasOptedOutOfEmail",)), op, nodes.Boolean(v)),
        st.sampled_from(["=", "!="]),
        st.booleans(),
    ),
    st.builds(lambda v: nodes.Comparison(nodes.FieldPath(("IsConverted",)), "=", nodes.Boolean(v)), st.booleans()),
    st.builds(lambda op, v: nodes.Comparison(nodes.FieldPath(("CreatedDate",)), op, v), ops, day_literals),
)
data_conditions = st.recursive(
    data_comparisons,
    lambda inner: st.one_of(
        st.lists(inner, min_size=2, max_size=3).map(lambda items: nodes.And(tuple(items))),
        st.lists(inner, min_size=2, max_size=3).map(lambda items: nodes.Or(tuple(items))),
        inner.map(nodes.Not),
    ),
    max_leaves=6,
)
SOURCES = {"LastName": "last_name", "Company": "company", "NumberOfEmployees": "employees"}


def _like(pattern: nodes.String, value: str) -> bool:
    regex = "".join(
        re.escape(text) if literal else (".*" if text == "%" else ".") for text, literal in pattern.like_parts()
    )
    return re.fullmatch(regex, value, flags=re.DOTALL | re.IGNORECASE) is not None


def _compare(op: str, left, right) -> bool:
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }[op]


def holds(condition: nodes.Condition, row: dict, today: date) -> bool:
    """Salesforce's rules, read plainly: case-insensitive text, empty text is null, nulls fail ordered tests."""
    if isinstance(condition, nodes.And):
        return all(holds(item, row, today) for item in condition.items)
    if isinstance(condition, nodes.Or):
        return any(holds(item, row, today) for item in condition.items)
    if isinstance(condition, nodes.Not):
        return not holds(condition.item, row, today)
    name, op, value = condition.field.parts[0], condition.op, condition.value
    if name in ("LastName", "Company"):
        text = row[SOURCES[name]]
        if op == "LIKE":
            return _like(value, text)
        if op in ("IN", "NOT IN"):
            found = text.lower() in {item.value.lower() for item in value} or (
                text == "" and any(item.value == "" for item in value)
            )
            return found if op == "IN" else not found
        if value.value == "" and op in ("=", "!="):
            return (text == "") == (op == "=")
        return _compare(op, text.lower(), value.value.lower()) if op in ("=", "!=") else _compare(op, text, value.value)
    if name == "NumberOfEmployees":
        number = row["employees"]
        if isinstance(value, nodes.Null):
            return (number is None) == (op == "=")
        if op == "!=":
            return number is None or number != value.value
        return number is not None and _compare(op, Decimal(number), value.value)
    if name == "Status":
        ours = next((code for label, code in STATUS.items() if label.lower() == value.value.lower()), None)
        return (row["status"] == ours) == (op == "=")
    if name == "HasOptedOutOfEmail":
        return (row["do_not_contact"] == value.value) == (op == "=")
    if name == "IsConverted":
        return (row["status"] == "converted") == value.value
    start, end = as_datetimes(date_range(value, today))
    created = NOW - timedelta(days=row["age_days"])
    return {
        "=": start <= created < end,
        "!=": not start <= created < end,
        "<": created < start,
        "<=": created < end,
        ">": created >= end,
        ">=": created >= start,
    }[op]


@pytest.mark.django_db
@given(rows=lead_rows, condition=data_conditions)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_compiled_where_selects_what_salesforce_rules_select(rep, other_rep, monkeypatch, rows, condition):
    monkeypatch.setattr(django_timezone, "now", lambda: NOW)
    with transaction.atomic():
        account = Account.objects.create(owner=rep, name="Converted")
        leads = []
        for owner in (rep, other_rep):
            for row in rows:
                fields = {key: value for key, value in row.items() if key != "age_days"}
                if row["status"] == "converted":
                    fields.update(converted_at=NOW, converted_account=account)
                leads.append(Lead(owner=owner, **fields))
        Lead.objects.bulk_create(leads)
        for lead, row in zip(leads, rows + rows, strict=True):
            Lead.objects.filter(pk=lead.pk).update(created_at=NOW - timedelta(days=row["age_days"]))
        created = [(lead.pk, row) for lead, row in zip(leads[: len(rows)], rows, strict=True)]
        text = f"SELECT Id FROM Lead WHERE {render_condition(condition)}"  # noqa: S608 - SOQL for our parser, not SQL
        compiled = compile_query(parse_query(text), rep)
        got = set(compiled.queryset.values_list("pk", flat=True))
        expected = {pk for pk, row in created if holds(condition, row, NOW.date())}
        transaction.set_rollback(True)
    assert got == expected, text
