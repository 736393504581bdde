"""The folded text that search matches on, in SQL and in Python.

Search compares `funnel_unaccent(lower(…))` of the record's columns with the same of the query: case- and
accent-insensitive ("muller" finds "Müller"). On PostgreSQL `funnel_unaccent` is an immutable wrapper around the
`unaccent` extension (created by search/migrations/0001_search_extensions.py), and each searched table has a GIN
trigram index on the folded concatenation of its searched columns (0002_search_trigram_indexes.py), which
`LIKE '%fragment%'` walks. On SQLite (the embedded default) `funnel_unaccent` is `fold()` below, registered on
every connection by search.apps: the same SQL runs, as a scan.
"""

from __future__ import annotations

import unicodedata

# Letters that carry no combining mark in Unicode, so NFKD leaves them whole; PostgreSQL's unaccent maps them.
_PLAIN = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def fold(value: str | None) -> str | None:
    """Lower-case `value` and strip its accents: SQLite's stand-in for PostgreSQL's unaccent(lower(…))."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.lower().translate(_PLAIN))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def like_escape(value: str) -> str:
    """Escape LIKE's wildcards in `value` (the SQL says ESCAPE '\\')."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def folded(sql: str) -> str:
    """SQL folding the text expression `sql`: the form the trigram indexes are built on."""
    return f"funnel_unaccent(lower({sql}))"


def joined(columns: tuple[str, ...]) -> str:
    """SQL joining `columns` with spaces, as the index expression does.

    Unqualified: the match runs in a subquery where Django aliases the table (U0), over that one table.
    """
    return " || ' ' || ".join(f'"{name}"' for name in columns)
