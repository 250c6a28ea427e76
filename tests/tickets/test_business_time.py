from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from madoguchi.tickets.business_time import Schedule, add_business_time, business_time_between

TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")
NINE_TO_SIX = ((9 * 60, 18 * 60),)
WEEKDAYS = dict.fromkeys(range(5), NINE_TO_SIX)


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


def schedule(zone: ZoneInfo = TOKYO, weekly: dict | None = None, holidays=()) -> Schedule:
    return Schedule(zone=zone, weekly=weekly or WEEKDAYS, holidays=frozenset(holidays))


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


def test_adding_inside_a_working_day_stays_on_it() -> None:
    assert add_business_time(schedule(), tokyo(2026, 11, 24, 10, 0), minutes(90)) == tokyo(
        2026, 11, 24, 11, 30
    )


def test_adding_past_closing_time_continues_the_next_morning() -> None:
    start = tokyo(2026, 11, 24, 17, 0)  # Tuesday
    assert add_business_time(schedule(), start, minutes(120)) == tokyo(2026, 11, 25, 10, 0)


def test_a_start_before_opening_or_after_closing_waits_for_the_next_interval() -> None:
    assert add_business_time(schedule(), tokyo(2026, 11, 24, 6, 0), minutes(30)) == tokyo(
        2026, 11, 24, 9, 30
    )
    assert add_business_time(schedule(), tokyo(2026, 11, 24, 20, 0), minutes(30)) == tokyo(
        2026, 11, 25, 9, 30
    )


def test_the_weekend_is_skipped() -> None:
    friday_evening = tokyo(2026, 11, 27, 17, 0)
    assert add_business_time(schedule(), friday_evening, minutes(120)) == tokyo(2026, 11, 30, 10, 0)


def test_holidays_are_skipped() -> None:
    holidays = [date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23)]
    friday = tokyo(2026, 9, 18, 17, 0)
    assert add_business_time(schedule(holidays=holidays), friday, minutes(120)) == tokyo(
        2026, 9, 24, 10, 0
    )


def test_a_day_with_a_lunch_break_counts_only_its_intervals() -> None:
    split = {day: [(13 * 60, 18 * 60), (9 * 60, 12 * 60)] for day in range(5)}
    start = tokyo(2026, 11, 24, 11, 0)
    assert add_business_time(schedule(weekly=split), start, minutes(90)) == tokyo(
        2026, 11, 24, 13, 30
    )
    assert business_time_between(
        schedule(weekly=split), start, tokyo(2026, 11, 24, 14, 0)
    ) == minutes(120)


def test_an_interval_until_midnight_ends_the_day() -> None:
    late = {0: [(20 * 60, 24 * 60)], 1: [(0, 60)]}
    start = tokyo(2026, 11, 23, 23, 0)  # Monday
    assert add_business_time(schedule(weekly=late), start, minutes(90)) == tokyo(
        2026, 11, 24, 0, 30
    )


def test_between_counts_only_business_time_over_a_weekend() -> None:
    friday = tokyo(2026, 11, 27, 17, 0)
    monday = tokyo(2026, 11, 30, 10, 0)
    assert business_time_between(schedule(), friday, monday) == minutes(120)
    assert business_time_between(schedule(), monday, friday) == timedelta(0)


def test_between_and_add_agree() -> None:
    start = tokyo(2026, 11, 20, 15, 17)
    for amount in (1, 59, 163, 540, 541, 2000, 9999):
        end = add_business_time(schedule(), start, minutes(amount))
        assert business_time_between(schedule(), start, end) == minutes(amount)


def test_results_are_aware_moments_in_any_zone() -> None:
    start = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    due = add_business_time(schedule(), start, minutes(60))
    assert due == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_around_the_clock_is_plain_arithmetic() -> None:
    start = tokyo(2026, 11, 28, 23, 0)  # Saturday night
    assert add_business_time(None, start, minutes(120)) == start + minutes(120)
    assert business_time_between(None, start, start + minutes(45)) == minutes(45)


def test_zero_or_negative_durations_return_the_start() -> None:
    start = tokyo(2026, 11, 28, 23, 0)
    assert add_business_time(schedule(), start, timedelta(0)) == start


def test_a_schedule_without_hours_refuses() -> None:
    with pytest.raises(ValueError, match="no working time"):
        add_business_time(Schedule(zone=TOKYO, weekly={}), tokyo(2026, 1, 1), minutes(1))


def test_berlin_hours_follow_local_time_across_the_spring_change() -> None:
    """On 2026-03-29 Berlin moves from UTC+1 to UTC+2: 9:00 local is an hour earlier in UTC."""
    berlin = schedule(zone=BERLIN, weekly=dict.fromkeys(range(7), NINE_TO_SIX))
    saturday = datetime(2026, 3, 28, 17, 0, tzinfo=BERLIN)
    due = add_business_time(berlin, saturday, minutes(120))
    assert due.astimezone(BERLIN).isoformat() == "2026-03-29T10:00:00+02:00"
    assert due == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_a_berlin_night_shift_over_the_autumn_change_counts_the_extra_hour() -> None:
    """On 2026-10-25 03:00 local happens twice: a 00:00-06:00 shift lasts seven real hours."""
    nights = schedule(zone=BERLIN, weekly={6: [(0, 6 * 60)]})
    start = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    end = datetime(2026, 10, 25, 6, 0, tzinfo=BERLIN)
    assert business_time_between(nights, start, end) == timedelta(hours=7)
    assert add_business_time(nights, start, timedelta(hours=7)) == end.astimezone(UTC)


def test_tokyo_never_shifts() -> None:
    """Asia/Tokyo has no daylight saving time: every working day is nine hours."""
    week = business_time_between(
        schedule(), tokyo(2026, 3, 23, 0, 0), tokyo(2026, 3, 30, 0, 0)
    ) + business_time_between(schedule(), tokyo(2026, 10, 19, 0, 0), tokyo(2026, 10, 26, 0, 0))
    assert week == timedelta(hours=90)
    assert datetime.combine(date(2026, 7, 1), time(9), tzinfo=TOKYO).utcoffset() == timedelta(
        hours=9
    )


def test_overlapping_intervals_count_each_minute_once() -> None:
    overlapping = dict.fromkeys(range(5), ((9 * 60, 13 * 60), (12 * 60, 18 * 60)))
    start = tokyo(2026, 11, 24, 9, 0)
    assert business_time_between(
        schedule(weekly=overlapping), start, tokyo(2026, 11, 24, 20, 0)
    ) == timedelta(hours=9)
    assert add_business_time(schedule(weekly=overlapping), start, timedelta(hours=9)) == tokyo(
        2026, 11, 24, 18, 0
    )
