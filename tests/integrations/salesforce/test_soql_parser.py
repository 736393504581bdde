"""The SOQL grammar: one test per construct, the errors it reports, and date literal ranges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from integrations.salesforce.soql import nodes
from integrations.salesforce.soql.dates import date_range
from integrations.salesforce.soql.nodes import (
    And,
    Boolean,
    Comparison,
    Count,
    DateLiteral,
    DateTimeValue,
    DateValue,
    FieldPath,
    Not,
    Null,
    Number,
    Or,
    OrderItem,
    String,
)
from integrations.salesforce.soql.parser import SoqlSyntaxError, parse_query
from integrations.salesforce.soql.render import render_query


def where(text: str) -> nodes.Condition:
    return parse_query(f"SELECT Id FROM Lead WHERE {text}").where  # noqa: S608 - SOQL for our parser, not SQL


def field(name: str) -> FieldPath:
    return FieldPath(tuple(name.split(".")))


def test_select_fields_parent_fields_and_object():
    query = parse_query("SELECT Id, Name, Account.Name, Owner.Name, ConvertedAccount.Name FROM Contact")
    assert query.select == (
        field("Id"),
        field("Name"),
        field("Account.Name"),
        field("Owner.Name"),
        field("ConvertedAccount.Name"),
    )
    assert query.sobject == "Contact"
    assert (query.where, query.order_by, query.limit, query.offset) == (None, (), None, None)


def test_count_forms():
    assert parse_query("SELECT COUNT() FROM Lead").select == (Count(),)
    assert parse_query("select count(Id) from Lead").select == (Count(field("Id")),)
    assert parse_query("SELECT Country FROM Lead").select == (field("Country"),)  # not the COUNT keyword


@pytest.mark.parametrize(
    "text", ["SELECT COUNT(), Id FROM Lead", "SELECT Id, COUNT(Id) FROM Lead", "SELECT Id, id FROM Lead"]
)
def test_count_mixed_with_fields_and_duplicates_are_refused(text):
    with pytest.raises(SoqlSyntaxError):
        parse_query(text)


def test_keywords_are_case_insensitive():
    assert parse_query(
        "sElEcT Id fRoM Lead wHeRe a = 1 AnD b = 2 oRdEr By a DeSc NuLlS lAsT lImIt 5 OfFsEt 2"
    ) == parse_query("SELECT Id FROM Lead WHERE a = 1 AND b = 2 ORDER BY a DESC NULLS LAST LIMIT 5 OFFSET 2")


@pytest.mark.parametrize(
    ("op", "expected"), [("=", "="), ("!=", "!="), ("<>", "!="), ("<", "<"), (">", ">"), ("<=", "<="), (">=", ">=")]
)
def test_comparison_operators(op, expected):
    assert where(f"NumberOfEmployees {op} 5") == Comparison(field("NumberOfEmployees"), expected, Number(Decimal(5)))


def test_like_in_and_not_in():
    assert where("Name LIKE 'Ac%'") == Comparison(field("Name"), "LIKE", String("Ac%"))
    assert where("Status IN ('a', 'b')") == Comparison(field("Status"), "IN", (String("a"), String("b")))
    assert where("Status NOT IN ('a')") == Comparison(field("Status"), "NOT IN", (String("a"),))


def test_and_or_not_and_parentheses():
    a, b, c = (Comparison(field(n), "=", Number(Decimal(1))) for n in "abc")
    assert where("a = 1 AND b = 1 AND c = 1") == And((a, b, c))
    assert where("a = 1 OR (b = 1 AND c = 1)") == Or((a, And((b, c))))
    assert where("NOT a = 1") == Not(a)
    assert where("NOT (a = 1 OR b = 1) AND c = 1") == And((Not(Or((a, b))), c))
    assert where("((a = 1))") == a


def test_mixing_and_or_needs_parentheses_as_in_salesforce():
    with pytest.raises(SoqlSyntaxError, match="unexpected token: 'OR'"):
        where("a = 1 AND b = 1 OR c = 1")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NULL", Null()),
        ("null", Null()),
        ("TRUE", Boolean(True)),
        ("false", Boolean(False)),
        ("-12.50", Number(Decimal("-12.5"))),
        ("+3", Number(Decimal(3))),
        (".5", Number(Decimal("0.5"))),
        ("2026-12-05", DateValue(date(2026, 12, 5))),
        ("2026-12-05T10:00:00Z", DateTimeValue(datetime(2026, 12, 5, 10, tzinfo=UTC))),
        ("2026-12-05T10:00:00.250Z", DateTimeValue(datetime(2026, 12, 5, 10, 0, 0, 250000, tzinfo=UTC))),
        ("2026-12-05T10:00:00+01:00", DateTimeValue(datetime(2026, 12, 5, 9, tzinfo=UTC))),
        (
            "2026-12-05T10:00:00-0530",
            DateTimeValue(datetime(2026, 12, 5, 10, tzinfo=timezone(-timedelta(hours=5, minutes=30)))),
        ),
        ("TODAY", DateLiteral("TODAY")),
        ("this_month", DateLiteral("THIS_MONTH")),
        ("LAST_N_DAYS:30", DateLiteral("LAST_N_DAYS", 30)),
        ("next_n_days:7", DateLiteral("NEXT_N_DAYS", 7)),
    ],
)
def test_values(text, value):
    assert where(f"X = {text}").value == value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (r"O\'Brien", "O'Brien"),
        (r"back\\slash", "back\\slash"),
        (r"line\nbreak\ttab", "line\nbreak\ttab"),
        (r"\"quoted\"", '"quoted"'),
        (r"50\%", "50%"),
        ("", ""),
    ],
)
def test_string_escapes(raw, value):
    assert where(f"X = '{raw}'").value.value == value


def test_like_keeps_escaped_wildcards_literal():
    parts = where(r"X LIKE 'a\%b%c_'").value.like_parts()
    assert parts == [("a", True), ("%", True), ("b", True), ("%", False), ("c", True), ("_", False)]


def test_order_by_limit_offset():
    query = parse_query("SELECT Id FROM Lead ORDER BY Name, CreatedDate DESC, Email ASC NULLS LAST LIMIT 10 OFFSET 20")
    assert query.order_by == (
        OrderItem(field("Name")),
        OrderItem(field("CreatedDate"), descending=True),
        OrderItem(field("Email"), descending=False, nulls_first=False),
    )
    assert (query.limit, query.offset) == (10, 20)
    assert query.order_by[0].effective_nulls_first is True  # ascending: nulls first
    assert query.order_by[1].effective_nulls_first is False  # descending: nulls last


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("SELECT FROM Lead", "unexpected token: 'Lead'"),
        ("SELECT Id FROM Lead WHERE", "unexpected end of query"),
        ("SELECT Id FROM Lead LIMIT", "unexpected end of query"),
        ("SELECT Id FROM Lead, Account", "unexpected token: ','"),
        ("SELECT Id FROM Lead WHERE Name = 'open", "unexpected token: '''"),
        ("SELECT Id FROM Lead WHERE Name = 'a\\q'", "illegal escape sequence"),
        ("SELECT Id FROM Lead WHERE d = 2026-02-30", "invalid date"),
        ("SELECT Id FROM Lead WHERE Name = Email", "unexpected token: 'Email'"),
        ("SELECT Id FROM Lead GROUP BY Name", "unexpected token: 'GROUP'"),
        ("SELECT Id FROM Lead LIMIT 99999999999", "out of range"),
        ("SELECT Id FROM Lead WHERE a = 1\x00", "NUL"),
        ("SELECT Id FROM Lead WHERE " + "NOT " * 80 + "a = 1", "nested"),
        ("SELECT Id FROM Lead WHERE " + " OR ".join(["a = 1"] * 301), "more than 300 comparisons"),  # noqa: S608 - SOQL, not SQL
        ("SELECT Id FROM Lead WHERE d > 9999-12-31T23:59:59-1400", "invalid dateTime"),
    ],
)
def test_syntax_errors_name_the_problem(text, message):
    with pytest.raises(SoqlSyntaxError) as raised:
        parse_query(text)
    assert message in raised.value.message


def test_syntax_error_layout_matches_salesforce():
    with pytest.raises(SoqlSyntaxError) as raised:
        parse_query("SELECT Id FROM Lead\nWHERE Name = 1 2")
    assert (
        raised.value.message == "\nWHERE Name = 1 2\n               ^\nERROR at Row:2:Column:16\nunexpected token: '2'"
    )


def test_render_parses_back_to_the_same_tree():
    text = (
        "SELECT Id, Account.Name FROM Contact WHERE (LastName LIKE 'a\\%%' OR Email = null) AND NOT CreatedDate > "
        "LAST_N_DAYS:3 ORDER BY LastName DESC NULLS FIRST LIMIT 3 OFFSET 1"
    )
    query = parse_query(text)
    assert parse_query(render_query(query)) == query


TODAY = date(2026, 12, 5)  # a Saturday


@pytest.mark.parametrize(
    ("literal", "start", "end"),
    [
        (DateLiteral("TODAY"), date(2026, 12, 5), date(2026, 12, 6)),
        (DateLiteral("YESTERDAY"), date(2026, 12, 4), date(2026, 12, 5)),
        (DateLiteral("TOMORROW"), date(2026, 12, 6), date(2026, 12, 7)),
        (DateLiteral("LAST_N_DAYS", 1), date(2026, 12, 4), date(2026, 12, 6)),  # yesterday and today
        (DateLiteral("NEXT_N_DAYS", 2), date(2026, 12, 6), date(2026, 12, 8)),  # from tomorrow
        (DateLiteral("THIS_WEEK"), date(2026, 11, 30), date(2026, 12, 7)),  # weeks start on Monday
        (DateLiteral("THIS_MONTH"), date(2026, 12, 1), date(2027, 1, 1)),
        (DateLiteral("LAST_MONTH"), date(2026, 11, 1), date(2026, 12, 1)),
        (DateLiteral("NEXT_MONTH"), date(2027, 1, 1), date(2027, 2, 1)),
        (DateLiteral("THIS_QUARTER"), date(2026, 10, 1), date(2027, 1, 1)),
        (DateLiteral("THIS_YEAR"), date(2026, 1, 1), date(2027, 1, 1)),
        (DateLiteral("LAST_YEAR"), date(2025, 1, 1), date(2026, 1, 1)),
        (DateLiteral("LAST_N_MONTHS", 2), date(2026, 10, 1), date(2026, 12, 1)),  # whole months before this one
        (DateLiteral("N_DAYS_AGO", 3), date(2026, 12, 2), date(2026, 12, 3)),
        (DateLiteral("LAST_90_DAYS"), date(2026, 9, 6), date(2026, 12, 6)),
    ],
)
def test_date_literal_ranges(literal, start, end):
    assert date_range(literal, TODAY) == (start, end)
