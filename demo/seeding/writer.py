"""Raw, fast row writing for the demo seeder: epoch seconds as stored text, and COPY/executemany per table."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import date
from typing import Any

from django.db import connection, models

# 50,000 rows per COPY keeps each buffer around 10 MB while the per-statement overhead stays negligible.
CHUNK_SIZE = 50_000
DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class Clock:
    """Format epoch seconds as the text each backend stores, faster than datetime.isoformat()."""

    def __init__(self, now: int) -> None:
        self.now = now
        self._suffix = "+00" if connection.vendor == "postgresql" else ""
        self._days: dict[int, str] = {}
        self._times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def day(self, seconds: int) -> str:
        day = seconds // DAY
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        return text

    def ts(self, seconds: int | None) -> str | None:
        if seconds is None:
            return None
        return f"{self.day(seconds)} {self._times[seconds % DAY]}{self._suffix}"


class Table:
    """Raw inserts into one model's table with explicit ids: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model: type[models.Model], fields: list[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.pk_column = meta.pk.column
        qn = connection.ops.quote_name
        columns = [meta.get_field(name).column for name in fields]
        # fields added later by other apps' migrations get their default, so the seeder keeps working
        missing = [f for f in meta.concrete_fields if f.name not in fields]
        self.tail = tuple(default_db_value(f) for f in missing)
        columns += [f.column for f in missing]
        column_list = ", ".join(qn(column) for column in columns)
        # the csv module quotes None as "" under QUOTE_NONNUMERIC: FORCE_NULL reads it back as NULL
        nullable = [qn(f.column) for f in meta.concrete_fields if f.null and f.column in columns]
        force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
        self.copy_sql = f"COPY {qn(self.table)} ({column_list}) FROM STDIN WITH (FORMAT csv{force_null})"
        placeholders = ", ".join(["%s"] * len(columns))
        self.insert_sql = f"INSERT INTO {qn(self.table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608 - table and column names from model metadata, quoted  # nosec B608
        self.postgres = connection.vendor == "postgresql"
        self.rows = 0
        self.seconds = 0.0

    def next_id(self) -> int:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({qn(self.pk_column)}), 0) FROM {qn(self.table)}")  # noqa: S608 - table and column names from model metadata, quoted  # nosec B608
            return cursor.fetchone()[0] + 1

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.monotonic()
        if self.tail:
            rows = [row + self.tail for row in rows]
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                # QUOTE_NONNUMERIC: strings are quoted, so "" stays an empty string in NOT NULL text columns
                csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
                buffer.seek(0)
                cursor.cursor.copy_expert(self.copy_sql, buffer)
            else:
                cursor.executemany(self.insert_sql, rows)
        self.rows += len(rows)
        self.seconds += time.monotonic() - started

    def reset_sequence(self) -> None:
        if not self.postgres:
            return  # SQLite's AUTOINCREMENT follows explicit ids by itself
        qn = connection.ops.quote_name
        pk = qn(self.pk_column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({pk}), 1), MAX({pk}) IS NOT NULL) "  # noqa: S608 - table and column names from model metadata, quoted  # nosec B608
                f"FROM {qn(self.table)}",
                [self.table, self.pk_column],
            )


def default_db_value(field: models.Field) -> Any:
    if field.has_default():
        value = field.get_default()
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        return value
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField) and field.blank:
        return ""  # what Django itself saves for an optional text field left empty
    raise ValueError(f"seed_demo does not know how to fill {field.model.__name__}.{field.name}")


def flush(*pending: tuple[Table, list[tuple]]) -> None:
    """Write each table's pending rows, parents first, and empty the lists."""
    for table, rows in pending:
        table.write(rows)
        rows.clear()
