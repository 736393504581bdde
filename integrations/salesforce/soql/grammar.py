"""The SOQL subset as a lark grammar (LALR, contextual lexer; keywords are case-insensitive).

Like Salesforce, AND and OR are not mixed without parentheses (`a AND b OR c` is a MALFORMED_QUERY), NOT applies
to the condition right after it, and only literal values stand on the right of an operator.
"""

from __future__ import annotations

from lark import Lark

# Date literals without an argument, and those taking `:n`. Ranges are computed in dates.py.
DATE_LITERALS = (
    "YESTERDAY", "TODAY", "TOMORROW",
    "LAST_WEEK", "THIS_WEEK", "NEXT_WEEK",
    "LAST_MONTH", "THIS_MONTH", "NEXT_MONTH",
    "LAST_90_DAYS", "NEXT_90_DAYS",
    "LAST_QUARTER", "THIS_QUARTER", "NEXT_QUARTER",
    "LAST_YEAR", "THIS_YEAR", "NEXT_YEAR",
)  # fmt: skip
DATE_N_LITERALS = (
    "LAST_N_DAYS", "NEXT_N_DAYS", "N_DAYS_AGO",
    "LAST_N_WEEKS", "NEXT_N_WEEKS", "N_WEEKS_AGO",
    "LAST_N_MONTHS", "NEXT_N_MONTHS", "N_MONTHS_AGO",
    "LAST_N_QUARTERS", "NEXT_N_QUARTERS", "N_QUARTERS_AGO",
    "LAST_N_YEARS", "NEXT_N_YEARS", "N_YEARS_AGO",
)  # fmt: skip


def _alternatives(names: tuple[str, ...]) -> str:
    # Longest first, so THIS_WEEK is never read as a prefix of something longer.
    return "|".join(sorted(names, key=len, reverse=True))


GRAMMAR = rf"""
start: query

query: "SELECT"i select_list "FROM"i NAME where? order_by? limit? offset?

select_list: select_item ("," select_item)*
?select_item: field_path
            | "COUNT"i "(" field_path? ")" -> count

field_path: NAME ("." NAME)*

where: "WHERE"i condition

?condition: unary
          | unary ("AND"i unary)+ -> and_
          | unary ("OR"i unary)+ -> or_

?unary: "NOT"i unary -> not_
      | "(" condition ")"
      | comparison

comparison: field_path OPERATOR value
          | field_path LIKE STRING -> like
          | field_path IN "(" value ("," value)* ")" -> in_
          | field_path NOT IN "(" value ("," value)* ")" -> not_in

?value: STRING -> string
      | NUMBER -> number
      | TRUE -> true
      | FALSE -> false
      | NULL -> null
      | DATETIME -> datetime
      | DATE -> date
      | DATE_LITERAL -> date_literal
      | DATE_N_LITERAL -> date_n_literal

order_by: "ORDER"i "BY"i order_item ("," order_item)*
order_item: field_path DIRECTION? nulls?
nulls: "NULLS"i NULLS_PLACE

limit: "LIMIT"i INT
offset: "OFFSET"i INT

NAME: /[a-z][a-z0-9_]*/i
OPERATOR: "!=" | "<>" | "<=" | ">=" | "=" | "<" | ">"
LIKE: "LIKE"i
IN: "IN"i
NOT: "NOT"i
TRUE: "TRUE"i
FALSE: "FALSE"i
NULL: "NULL"i
DIRECTION: "ASC"i | "DESC"i
NULLS_PLACE: "FIRST"i | "LAST"i
STRING: /'(?:[^'\\]|\\.)*'/s
INT: /[0-9]+/
NUMBER.2: /[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?![0-9a-z_.:-])/i
DATETIME.4: /[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(?:\.[0-9]{{1,6}})?(?:Z|[+-][0-9]{{2}}:?[0-9]{{2}})/i
DATE.3: /[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?![0-9a-z_:.])/i
DATE_LITERAL.3: /(?:{_alternatives(DATE_LITERALS)})(?![a-z0-9_:])/i
DATE_N_LITERAL.3: /(?:{_alternatives(DATE_N_LITERALS)}):[0-9]+(?![a-z0-9_])/i

%import common.WS
%ignore WS
"""

PARSER = Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=False)
