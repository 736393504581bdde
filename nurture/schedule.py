"""Due-time arithmetic: pure functions of a moment and a sending window, no database.

A window is a set of local weekdays (0 = Monday) and local hours [start, end) in a time zone.
All inputs and outputs are aware datetimes; results are returned in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    weekdays: frozenset[int]
    start_hour: int
    end_hour: int  # exclusive; 24 means midnight
    zone: ZoneInfo

    @classmethod
    def of(cls, sequence) -> Window:
        return cls(sequence.weekdays, sequence.send_start_hour, sequence.send_end_hour, sequence.zone)


def _local(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The first real instant at or after `hour`:00 on `day` in `zone` (a wall time skipped by DST moves forward)."""
    if hour >= 24:
        day, hour = day + timedelta(days=1), 0
    naive = datetime.combine(day, time(hour))
    candidate = naive.replace(tzinfo=zone)
    # A wall time inside a spring-forward gap does not exist; with fold=0 it is read with the offset before the
    # gap, which lands on the first real instant after it (02:30 → 03:30), so normalise through UTC.
    return candidate.astimezone(UTC).astimezone(zone)


def next_in_window(earliest: datetime, window: Window) -> datetime:
    """Return the first instant at or after `earliest` that lies inside `window`."""
    local = earliest.astimezone(window.zone)
    day = local.date()
    for _ in range(8):
        if day.weekday() in window.weekdays:
            opens = _local(day, window.start_hour, window.zone)
            closes = _local(day, window.end_hour, window.zone)
            if local < opens:
                return opens.astimezone(UTC)
            if local < closes:
                return local.astimezone(UTC)
        day += timedelta(days=1)
        local = max(local, _local(day, 0, window.zone))
    raise ValueError("The sending window has no weekday.")


def next_window_day(moment: datetime, window: Window) -> datetime:
    """Return when the window opens on the first sending day after `moment`'s local day (the daily cap is spent)."""
    local_day = moment.astimezone(window.zone).date()
    return next_in_window(_local(local_day + timedelta(days=1), 0, window.zone), window)


def local_day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC start and end of `moment`'s local calendar day in `zone`."""
    day = moment.astimezone(zone).date()
    return _local(day, 0, zone).astimezone(UTC), _local(day + timedelta(days=1), 0, zone).astimezone(UTC)


def step_due_at(previous: datetime, *, delay_days: int, delay_hours: int, window: Window) -> datetime:
    """Return when a step is due: `previous` plus its delay, moved into the window."""
    return next_in_window(previous + timedelta(days=delay_days, hours=delay_hours), window)
