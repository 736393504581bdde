"""Business time: minutes added and counted in a policy's working hours, zone, weekdays and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assignment.business_hours import BusinessCalendar, add_business_minutes, business_minutes_between

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS_9_TO_17 = BusinessCalendar("Europe/Berlin", (0, 1, 2, 3, 4), time(9), time(17))


def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_two_hours_inside_the_working_day_end_two_hours_later():
    # Tuesday 10:00 → 12:00
    assert add_business_minutes(berlin(2026, 3, 3, 10), 120, WEEKDAYS_9_TO_17) == berlin(2026, 3, 3, 12)


def test_an_evening_lead_is_due_the_next_morning():
    # Tuesday 16:30: 30 minutes today, 90 from Wednesday 09:00
    assert add_business_minutes(berlin(2026, 3, 3, 16, 30), 120, WEEKDAYS_9_TO_17) == berlin(2026, 3, 4, 10, 30)
    # Tuesday 22:00: nothing left today
    assert add_business_minutes(berlin(2026, 3, 3, 22), 120, WEEKDAYS_9_TO_17) == berlin(2026, 3, 4, 11)


def test_a_weekend_lead_is_due_on_monday():
    # Saturday 11:00 → Monday 11:00
    assert add_business_minutes(berlin(2026, 3, 7, 11), 120, WEEKDAYS_9_TO_17) == berlin(2026, 3, 9, 11)
    assert business_minutes_between(berlin(2026, 3, 6, 16), berlin(2026, 3, 9, 10), WEEKDAYS_9_TO_17) == 120


def test_a_holiday_counts_no_time():
    calendar = BusinessCalendar("Europe/Berlin", (0, 1, 2, 3, 4), time(9), time(17), frozenset({date(2026, 12, 25)}))
    # Thursday 24th 16:00: one hour, then Friday 25th is a holiday, then the weekend: Monday 28th 10:00
    assert add_business_minutes(berlin(2026, 12, 24, 16), 120, calendar) == berlin(2026, 12, 28, 10)
    assert business_minutes_between(berlin(2026, 12, 24, 16), berlin(2026, 12, 28, 10), calendar) == 120


def test_the_spring_clock_change_keeps_the_wall_clock_window():
    # Berlin moves from +01:00 to +02:00 on Sunday 29 March 2026; Friday 16:00 + 2h is Monday 10:00 local
    due = add_business_minutes(berlin(2026, 3, 27, 16), 120, WEEKDAYS_9_TO_17)
    assert due == berlin(2026, 3, 30, 10)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, tzinfo=UTC)


def test_the_autumn_clock_change_keeps_the_wall_clock_window():
    # New York moves from -04:00 to -05:00 on Sunday 1 November 2026
    calendar = BusinessCalendar("America/New_York", (0, 1, 2, 3, 4), time(9), time(17))
    start = datetime(2026, 10, 30, 16, tzinfo=NEW_YORK)
    due = add_business_minutes(start, 120, calendar)
    assert due == datetime(2026, 11, 2, 10, tzinfo=NEW_YORK)
    assert due.astimezone(UTC) == datetime(2026, 11, 2, 15, tzinfo=UTC)
    assert business_minutes_between(start, due, calendar) == 120


def test_a_working_day_across_a_clock_change_counts_its_real_hours():
    # A Sunday shift 00:00-06:00 in Berlin on the spring change day lasts five real hours.
    calendar = BusinessCalendar("Europe/Berlin", (6,), time(0), time(6))
    assert business_minutes_between(berlin(2026, 3, 29, 0), berlin(2026, 3, 29, 6), calendar) == 300


def test_the_same_moment_is_due_at_different_instants_in_different_zones():
    moment = datetime(2026, 3, 3, 15, tzinfo=UTC)  # 16:00 Berlin, 10:00 New York
    new_york = BusinessCalendar("America/New_York", (0, 1, 2, 3, 4), time(9), time(17))
    assert add_business_minutes(moment, 120, WEEKDAYS_9_TO_17) == berlin(2026, 3, 4, 10)
    assert add_business_minutes(moment, 120, new_york) == datetime(2026, 3, 3, 12, tzinfo=NEW_YORK)


def test_minutes_between_run_backwards_negative():
    assert business_minutes_between(berlin(2026, 3, 3, 12), berlin(2026, 3, 3, 10), WEEKDAYS_9_TO_17) == -120


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(ValueError, match="no working time"):
        add_business_minutes(berlin(2026, 3, 3, 10), 60, BusinessCalendar("UTC", ()))


@time_machine.travel(datetime(2026, 3, 7, 11, tzinfo=BERLIN), tick=False)
def test_now_on_a_saturday_is_due_monday_morning():
    from django.utils import timezone

    assert add_business_minutes(timezone.now(), 30, WEEKDAYS_9_TO_17) == berlin(2026, 3, 9, 9, 30)
