"""Business time: N working minutes after a moment, and the working minutes between two moments.

A calendar is a time zone (IANA name), the working weekdays (0 = Monday … 6 = Sunday), the start and end of the
working day (wall-clock times in that zone) and holiday dates. Each working day's window is placed in the zone with
zoneinfo, so a day on which the clocks change still counts its real length and a window never shifts by an hour.
Pure functions: no database, no "now".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Far enough for any target (a working year has about 2,000 hours); a calendar without one working day stops here.
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str = "UTC"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(9, 0)
    end: time = time(17, 0)
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def windows(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working windows (UTC) from the day of `moment` on, in order; ends after MAX_DAYS days."""
        zone = self.zone
        day = moment.astimezone(zone).date()
        for _ in range(MAX_DAYS):
            if day.weekday() in self.working_days and day not in self.holidays and self.start < self.end:
                opens = datetime.combine(day, self.start, tzinfo=zone).astimezone(UTC)
                closes = datetime.combine(day, self.end, tzinfo=zone).astimezone(UTC)
                if closes > opens:
                    yield opens, closes
            day += timedelta(days=1)


def calendar_of(
    time_zone: str, working_days: Iterable[int], start: time, end: time, holidays: Iterable
) -> BusinessCalendar:
    """A calendar from a policy's fields (holidays as dates or ISO strings)."""
    dates = frozenset(day if isinstance(day, date) else date.fromisoformat(str(day)) for day in holidays)
    return BusinessCalendar(time_zone, tuple(sorted(set(working_days))), start, end, dates)


def add_business_minutes(moment: datetime, minutes: float, calendar: BusinessCalendar) -> datetime:
    """The moment `minutes` of working time after `moment` (UTC); a moment outside hours starts at the next opening.

    Raises:
        ValueError: the calendar has no working time within MAX_DAYS days.
    """
    left = timedelta(minutes=minutes)
    moment = moment.astimezone(UTC)
    for opens, closes in calendar.windows(moment):
        if closes <= moment:
            continue
        begin = max(opens, moment)
        if begin + left <= closes:
            return begin + left
        left -= closes - begin
    raise ValueError("The calendar has no working time to count in.")


def business_minutes_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> float:
    """The working minutes from `start` to `end` (negative when `end` comes first)."""
    if end < start:
        return -business_minutes_between(end, start, calendar)
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    for opens, closes in calendar.windows(start):
        if opens >= end:
            break
        overlap = min(closes, end) - max(opens, start)
        if overlap > timedelta():
            total += overlap
    return total.total_seconds() / 60
