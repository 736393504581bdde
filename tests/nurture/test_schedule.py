"""Due-time arithmetic: windows, weekends, time zones, DST and the daily cap's next day."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nurture.schedule import Window, local_day_bounds, next_in_window, next_window_day, step_due_at

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))
OFFICE = Window(WEEKDAYS, 9, 17, BERLIN)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("earliest", "expected", "case"),
    [
        (datetime(2026, 3, 4, 10, 30, tzinfo=BERLIN), datetime(2026, 3, 4, 10, 30, tzinfo=BERLIN), "inside"),
        (datetime(2026, 3, 4, 7, 0, tzinfo=BERLIN), datetime(2026, 3, 4, 9, 0, tzinfo=BERLIN), "before hours"),
        (datetime(2026, 3, 4, 17, 0, tzinfo=BERLIN), datetime(2026, 3, 5, 9, 0, tzinfo=BERLIN), "at closing"),
        (datetime(2026, 3, 4, 23, 59, tzinfo=BERLIN), datetime(2026, 3, 5, 9, 0, tzinfo=BERLIN), "late evening"),
        (datetime(2026, 3, 6, 18, 0, tzinfo=BERLIN), datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN), "friday evening"),
        (datetime(2026, 3, 7, 12, 0, tzinfo=BERLIN), datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN), "saturday"),
        (datetime(2026, 3, 8, 8, 0, tzinfo=BERLIN), datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN), "sunday"),
    ],
)
def test_the_next_send_time_is_the_first_moment_inside_the_window(earliest, expected, case):
    assert next_in_window(earliest, OFFICE) == expected


def test_the_window_is_read_in_the_sequences_time_zone_not_utc():
    # New York is on EDT (UTC-4) on 2026-03-11, a Wednesday.
    window = Window(WEEKDAYS, 9, 17, NEW_YORK)
    assert next_in_window(utc(2026, 3, 11, 12, 0), window) == datetime(2026, 3, 11, 9, 0, tzinfo=NEW_YORK)  # 08:00
    assert next_in_window(utc(2026, 3, 11, 20, 0), window) == utc(2026, 3, 11, 20, 0)  # 16:00, inside
    assert next_in_window(utc(2026, 3, 11, 21, 30), window) == datetime(2026, 3, 12, 9, 0, tzinfo=NEW_YORK)  # 17:30


def test_a_utc_friday_evening_that_is_already_saturday_locally_waits_for_monday():
    window = Window(WEEKDAYS, 9, 17, ZoneInfo("Asia/Tokyo"))
    # Friday 20:00 UTC = Saturday 05:00 in Tokyo.
    assert next_in_window(utc(2026, 3, 6, 20, 0), window) == datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


def test_a_window_opening_inside_the_spring_forward_gap_opens_at_the_first_real_instant():
    # 2026-03-08 02:00 does not exist in New York (clocks jump from 02:00 to 03:00).
    window = Window(frozenset(range(7)), 2, 5, NEW_YORK)
    result = next_in_window(datetime(2026, 3, 8, 0, 30, tzinfo=NEW_YORK), window)
    assert result == datetime(2026, 3, 8, 3, 0, tzinfo=NEW_YORK)
    assert result.astimezone(UTC) == utc(2026, 3, 8, 7, 0)


def test_on_the_fall_back_day_the_window_opens_once_in_local_time():
    window = Window(frozenset(range(7)), 9, 17, NEW_YORK)
    # 2026-11-01: EDT → EST at 02:00; 09:00 local is 14:00 UTC.
    assert next_in_window(utc(2026, 11, 1, 5, 0), window) == utc(2026, 11, 1, 14, 0)


def test_a_step_delay_is_added_before_the_window_is_applied():
    sent = datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN)  # Friday
    assert step_due_at(sent, delay_days=2, delay_hours=0, window=OFFICE) == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)
    assert step_due_at(sent, delay_days=0, delay_hours=0, window=OFFICE) == sent
    assert step_due_at(sent, delay_days=0, delay_hours=3, window=OFFICE) == datetime(2026, 3, 9, 9, 0, tzinfo=BERLIN)


def test_when_the_daily_cap_is_spent_the_step_moves_to_the_next_sending_day():
    assert next_window_day(datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN), OFFICE) == datetime(
        2026, 3, 5, 9, 0, tzinfo=BERLIN
    )
    assert next_window_day(datetime(2026, 3, 6, 10, 0, tzinfo=BERLIN), OFFICE) == datetime(
        2026, 3, 9, 9, 0, tzinfo=BERLIN
    )


def test_the_local_day_bounds_follow_the_time_zone():
    start, end = local_day_bounds(utc(2026, 3, 4, 23, 30), BERLIN)  # already 00:30 on the 5th in Berlin
    assert (start, end) == (utc(2026, 3, 4, 23, 0), utc(2026, 3, 5, 23, 0))


def test_a_window_without_weekdays_is_refused():
    with pytest.raises(ValueError, match="no weekday"):
        next_in_window(utc(2026, 3, 4, 10, 0), Window(frozenset(), 9, 17, BERLIN))


def _wall_time_exists(local: datetime, hour: int) -> bool:
    wall = datetime(local.year, local.month, local.day, hour, tzinfo=local.tzinfo)
    return wall.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None) == wall.replace(tzinfo=None)


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]


@given(
    moment=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)),
    days=st.frozensets(st.integers(0, 6), min_size=1),
    start=st.integers(0, 23),
    length=st.integers(1, 24),
    zone=st.sampled_from(ZONES),
)
def test_the_next_send_time_is_never_earlier_and_always_inside_the_window(moment, days, start, length, zone):
    window = Window(days, start, min(start + length, 24), ZoneInfo(zone))
    result = next_in_window(moment, window)
    local = result.astimezone(window.zone)
    assert result >= moment
    assert local.weekday() in window.weekdays
    # A window opening inside a DST gap opens at the first real instant after it, i.e. an hour later.
    opening_skipped = not _wall_time_exists(local, window.start_hour)
    assert window.start_hour <= local.hour < window.end_hour or (
        opening_skipped and local.hour <= window.start_hour + 1
    )
    assert next_in_window(result, window) == result
