"""SOQL date literals as ranges of days, resolved in UTC when the query runs.

Each literal is a half-open range [start, end) of calendar days in UTC. Weeks start on Monday (ISO 8601);
quarters are calendar quarters. Comparisons follow Salesforce: `= X` is "within the range", `> X` is "after its
end", `< X` is "before its start", `>= X` from its start, `<= X` up to its end.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from . import nodes


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _unit_start(unit: str, day: date) -> date:
    if unit == "WEEK":
        return _week_start(day)
    if unit == "MONTH":
        return date(day.year, day.month, 1)
    if unit == "QUARTER":
        return _quarter_start(day)
    return date(day.year, 1, 1)


def _shift(unit: str, start: date, count: int) -> date:
    if unit == "WEEK":
        return start + timedelta(weeks=count)
    months = {"MONTH": 1, "QUARTER": 3, "YEAR": 12}[unit]
    return _add_months(start, months * count)


def date_range(literal: nodes.DateLiteral, today: date | None = None) -> tuple[date, date]:
    """The [start, end) days `literal` covers; `today` defaults to the current UTC day."""
    today = today or today_utc()
    name, n = literal.name, literal.n or 0
    day = timedelta(days=1)
    fixed_days = {"YESTERDAY": -1, "TODAY": 0, "TOMORROW": 1}
    if name in fixed_days:
        start = today + fixed_days[name] * day
        return start, start + day
    if name in ("LAST_90_DAYS", "LAST_N_DAYS"):
        # Salesforce: the past n days and today (LAST_N_DAYS:1 is yesterday and today).
        count = 90 if name == "LAST_90_DAYS" else n
        return today - count * day, today + day
    if name in ("NEXT_90_DAYS", "NEXT_N_DAYS"):
        # From tomorrow, n days; today is not included.
        count = 90 if name == "NEXT_90_DAYS" else n
        return today + day, today + (count + 1) * day
    if name == "N_DAYS_AGO":
        return today - n * day, today - (n - 1) * day
    prefix, _, unit = name.rpartition("_")  # LAST_WEEK -> ("LAST", "WEEK"); LAST_N_WEEKS -> ("LAST_N", "WEEKS")
    unit = unit.rstrip("S") if unit.endswith("S") else unit
    if unit == "AGO":  # N_WEEKS_AGO, N_MONTHS_AGO …: the one whole unit n units back
        unit = name.split("_")[1].rstrip("S")
        start = _shift(unit, _unit_start(unit, today), -n)
        return start, _shift(unit, start, 1)
    current = _unit_start(unit, today)
    if prefix == "THIS":
        return current, _shift(unit, current, 1)
    if prefix == "LAST":
        return _shift(unit, current, -1), current
    if prefix == "NEXT":
        nxt = _shift(unit, current, 1)
        return nxt, _shift(unit, nxt, 1)
    if prefix == "LAST_N":  # the n whole units before the current one
        return _shift(unit, current, -n), current
    if prefix == "NEXT_N":  # the n whole units after the current one
        nxt = _shift(unit, current, 1)
        return nxt, _shift(unit, nxt, n)
    raise ValueError(f"unknown date literal {name}")  # pragma: no cover - the grammar admits only the names above


def as_datetimes(days: tuple[date, date | None]) -> tuple[datetime, datetime | None]:
    """A [start, end) range of days as aware UTC datetimes at midnight (no end: open-ended)."""
    start, end = days
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end, time.min, tzinfo=UTC) if end is not None else None,
    )
