"""`nodes.Query` -> SOQL text: parsing the text gives back the same tree."""

from __future__ import annotations

from . import nodes


def render_query(query: nodes.Query) -> str:
    parts = [f"SELECT {', '.join(_select_item(item) for item in query.select)} FROM {query.sobject}"]  # noqa: S608  # nosec B608 - SOQL text for the parser, never SQL
    if query.where is not None:
        parts.append(f"WHERE {render_condition(query.where)}")
    if query.order_by:
        parts.append("ORDER BY " + ", ".join(_order_item(item) for item in query.order_by))
    if query.limit is not None:
        parts.append(f"LIMIT {query.limit}")
    if query.offset is not None:
        parts.append(f"OFFSET {query.offset}")
    return " ".join(parts)


def _select_item(item: nodes.FieldPath | nodes.Count) -> str:
    if isinstance(item, nodes.Count):
        return f"COUNT({item.field or ''})"
    return str(item)


def _order_item(item: nodes.OrderItem) -> str:
    text = f"{item.field}{' DESC' if item.descending else ' ASC'}"
    if item.nulls_first is not None:
        text += " NULLS FIRST" if item.nulls_first else " NULLS LAST"
    return text


def render_condition(condition: nodes.Condition) -> str:
    if isinstance(condition, nodes.And | nodes.Or):
        joiner = " AND " if isinstance(condition, nodes.And) else " OR "
        return joiner.join(_operand(item) for item in condition.items)
    if isinstance(condition, nodes.Not):
        return f"NOT {_operand(condition.item)}"
    if condition.op in ("IN", "NOT IN"):
        values = ", ".join(render_value(value) for value in condition.value)
        return f"{condition.field} {condition.op} ({values})"
    return f"{condition.field} {condition.op} {render_value(condition.value)}"


def _operand(condition: nodes.Condition) -> str:
    text = render_condition(condition)
    return text if isinstance(condition, nodes.Comparison) else f"({text})"


def render_value(value: nodes.Value) -> str:
    if isinstance(value, nodes.String):
        return f"'{value.raw}'"
    if isinstance(value, nodes.Number):
        return format(value.value, "f")
    if isinstance(value, nodes.Boolean):
        return "TRUE" if value.value else "FALSE"
    if isinstance(value, nodes.Null):
        return "NULL"
    if isinstance(value, nodes.DateValue):
        return value.value.isoformat()
    if isinstance(value, nodes.DateTimeValue):
        return value.value.isoformat().replace("+00:00", "Z")
    return value.name if value.n is None else f"{value.name}:{value.n}"
