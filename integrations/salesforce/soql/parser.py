"""SOQL text -> `nodes.Query`, or `SoqlSyntaxError` whose message names the row, column and token, as Salesforce."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from lark import Token, Transformer, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from . import nodes
from .grammar import PARSER

MAX_QUERY_LENGTH = 100_000  # characters, as Salesforce
MAX_DEPTH = 50  # nesting of NOT / AND / OR / parentheses
MAX_VALUES = 10_000  # literal values in one query (a database binds each as a parameter)
MAX_CONDITIONS = 300  # comparisons in one WHERE (SQLite refuses expressions nested 1,000 deep)


class SoqlSyntaxError(ValueError):
    """The text is not a query of the supported SOQL subset (answered as 400 MALFORMED_QUERY)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_query(text: str) -> nodes.Query:
    if not text or not text.strip():
        raise SoqlSyntaxError("The query is empty: pass a SOQL query as the q parameter.")
    if len(text) > MAX_QUERY_LENGTH:
        raise SoqlSyntaxError(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    if "\x00" in text:
        raise SoqlSyntaxError("The query contains a NUL character.")
    try:
        tree = PARSER.parse(text)
    except UnexpectedInput as exc:
        raise SoqlSyntaxError(_describe(text, exc)) from None
    _check_size(tree)
    try:
        return _ToAst().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SoqlSyntaxError):
            raise exc.orig_exc from None
        raise


def _describe(text: str, exc: UnexpectedInput) -> str:
    """Salesforce's layout: the offending line, a caret, `ERROR at Row:r:Column:c`, then what was unexpected."""
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        line = text.rstrip().count("\n") + 1
        column = len(text.rstrip().rsplit("\n", 1)[-1]) + 1
        found = "unexpected end of query"
    elif isinstance(exc, UnexpectedToken):
        line, column = exc.line, exc.column
        found = f"unexpected token: '{exc.token}'"
    elif isinstance(exc, UnexpectedCharacters):
        line, column = exc.line, exc.column
        found = f"unexpected token: '{text[exc.pos_in_stream]}'"
    else:  # pragma: no cover - lark raises only the three above
        line, column, found = 1, 1, "unexpected input"
    if not isinstance(line, int) or line < 1:
        line, column = 1, 1
    source_line = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
    caret = " " * max(column - 1, 0) + "^"
    return f"\n{source_line[:200]}\n{caret[:201]}\nERROR at Row:{line}:Column:{column}\n{found}"


def _check_size(tree: Tree) -> None:
    """Refuse trees too deep to walk safely or with more values than a database binds, without recursion."""
    stack = [(tree, 0)]
    values = conditions = 0
    while stack:
        node, depth = stack.pop()
        conditions += node.data in ("comparison", "like", "in_", "not_in")
        if depth > MAX_DEPTH + 8:  # the fixed levels above the WHERE condition
            raise SoqlSyntaxError(f"The WHERE condition is nested more than {MAX_DEPTH} levels deep.")
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
            else:
                values += 1
    if conditions > MAX_CONDITIONS:
        raise SoqlSyntaxError(
            f"The WHERE condition has more than {MAX_CONDITIONS} comparisons; use IN (...) for lists."
        )
    if values > MAX_VALUES:
        raise SoqlSyntaxError(f"The query has more than {MAX_VALUES} names and values.")


def _text(token: Token) -> str:
    return str(token)


def _int(token: Token) -> int:
    if len(token) > 9:
        raise SoqlSyntaxError(f"number out of range: {token}")
    return int(token)


class _ToAst(Transformer):
    def start(self, children):
        return children[0]

    def query(self, children):
        select, sobject, *clauses = children
        parts = dict(clauses)
        self._no_duplicates(select)
        return nodes.Query(
            select=tuple(select),
            sobject=_text(sobject),
            where=parts.get("where"),
            order_by=parts.get("order_by", ()),
            limit=parts.get("limit"),
            offset=parts.get("offset"),
        )

    @staticmethod
    def _no_duplicates(select):
        seen = set()
        for item in select:
            key = str(item.field).lower() if isinstance(item, nodes.Count) and item.field else str(item).lower()
            if isinstance(item, nodes.FieldPath):
                if key in seen:
                    raise SoqlSyntaxError(f"duplicate field selected: {item}")
                seen.add(key)
        counts = [item for item in select if isinstance(item, nodes.Count)]
        if counts and (len(counts) > 1 or len(select) > 1):
            raise SoqlSyntaxError("COUNT() or COUNT(field) must be the only item selected (GROUP BY is not supported).")

    def select_list(self, children):
        return children

    def count(self, children):
        return nodes.Count(children[0] if children else None)

    def field_path(self, children):
        return nodes.FieldPath(tuple(_text(c) for c in children))

    def where(self, children):
        return ("where", children[0])

    def and_(self, children):
        return nodes.And(tuple(children))

    def or_(self, children):
        return nodes.Or(tuple(children))

    def not_(self, children):
        return nodes.Not(children[0])

    def comparison(self, children):
        field, op, value = children
        op = "!=" if str(op) == "<>" else str(op)
        return nodes.Comparison(field, op, value)

    def like(self, children):
        field, _, value = children
        string = self.string([value])
        try:
            string.like_parts()
        except nodes.StringEscapeError as exc:
            raise SoqlSyntaxError(str(exc)) from None
        return nodes.Comparison(field, "LIKE", string)

    def in_(self, children):
        field, _, *values = children
        return nodes.Comparison(field, "IN", tuple(values))

    def not_in(self, children):
        field, _, _, *values = children
        return nodes.Comparison(field, "NOT IN", tuple(values))

    def string(self, children):
        raw = _text(children[0])[1:-1]
        string = nodes.String(raw)
        try:
            string.like_parts()  # \% and \_ are checked against the operator by the compiler
        except nodes.StringEscapeError as exc:
            raise SoqlSyntaxError(str(exc)) from None
        return string

    def number(self, children):
        try:
            return nodes.Number(Decimal(_text(children[0])))
        except InvalidOperation:  # pragma: no cover - the token is always a number
            raise SoqlSyntaxError(f"invalid number: {children[0]}") from None

    def true(self, children):
        return nodes.Boolean(True)

    def false(self, children):
        return nodes.Boolean(False)

    def null(self, children):
        return nodes.Null()

    def date(self, children):
        try:
            return nodes.DateValue(date.fromisoformat(_text(children[0])))
        except ValueError:
            raise SoqlSyntaxError(f"invalid date: {children[0]}") from None

    def datetime(self, children):
        raw = _text(children[0]).upper()
        if raw.endswith("Z"):
            raw = raw[:-1] + "+00:00"
        elif raw[-5] in "+-" and raw[-3] != ":":  # +0100 -> +01:00
            raw = f"{raw[:-2]}:{raw[-2:]}"
        try:
            value = datetime.fromisoformat(raw)
            value.astimezone(UTC)  # within the range of a UTC datetime too
        except (ValueError, OverflowError):
            raise SoqlSyntaxError(f"invalid dateTime: {children[0]}") from None
        return nodes.DateTimeValue(value)

    def date_literal(self, children):
        return nodes.DateLiteral(_text(children[0]).upper())

    def date_n_literal(self, children):
        name, _, n = _text(children[0]).upper().partition(":")
        return nodes.DateLiteral(name, _int(n))

    def order_by(self, children):
        return ("order_by", tuple(children))

    def order_item(self, children):
        field, *rest = children
        descending = any(isinstance(c, Token) and c.type == "DIRECTION" and c.upper() == "DESC" for c in rest)
        nulls = [c for c in rest if isinstance(c, bool)]
        return nodes.OrderItem(field, descending, nulls[0] if nulls else None)

    def nulls(self, children):
        return _text(children[0]).upper() == "FIRST"

    def limit(self, children):
        return ("limit", _int(children[0]))

    def offset(self, children):
        return ("offset", _int(children[0]))
