"""Business-time arithmetic: pure functions over a weekly schedule, holidays and a time zone.

Intervals are wall-clock times in the schedule's zone, turned into real moments day by day, so a
day on which the clocks change (Europe/Berlin in March) counts the hours that really passed.
Every moment in and out is an aware datetime; None as a schedule means around the clock (24/7).
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
# A schedule with hours somewhere finds them within a year or two even after long holidays.
MAX_DAYS_SCANNED = 3 * 366


@dataclass(frozen=True)
class Schedule:
    """Weekly working intervals (weekday 0 = Monday → [(start, end) minutes of the day])."""

    zone: ZoneInfo
    weekly: Mapping[int, Sequence[tuple[int, int]]]
    holidays: frozenset[date] = field(default_factory=frozenset)


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """Return the real moment (UTC) of a wall-clock minute of a local day; 1440 is midnight next."""
    day = day + timedelta(days=minute // MINUTES_PER_DAY)
    minute %= MINUTES_PER_DAY
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return local.astimezone(UTC)


def _merged(intervals: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort a day's intervals and join those that overlap, so no minute counts twice."""
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _intervals_from(schedule: Schedule, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Yield the working intervals (UTC) from the local day of start on, in order."""
    day = start.astimezone(schedule.zone).date()
    for offset in range(MAX_DAYS_SCANNED):
        current = day + timedelta(days=offset)
        if current in schedule.holidays:
            continue
        for begin, end in _merged(schedule.weekly.get(current.weekday(), [])):
            yield _at(current, begin, schedule.zone), _at(current, end, schedule.zone)


def add_business_time(schedule: Schedule | None, start: datetime, duration: timedelta) -> datetime:
    """Return the moment when duration of business time has passed after start.

    Outside working hours the clock waits for the next interval; a duration of zero or less
    returns start. Raises ValueError when the schedule has no working time within years.
    """
    if duration <= timedelta(0):
        return start
    if schedule is None:
        return start + duration
    remaining = duration
    for begin, end in _intervals_from(schedule, start):
        begin = max(begin, start)
        available = end - begin
        if available <= timedelta(0):
            continue
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise ValueError("The business-hours calendar has no working time")


def business_time_between(schedule: Schedule | None, start: datetime, end: datetime) -> timedelta:
    """Return how much business time lies between start and end (zero if end is not later)."""
    if end <= start:
        return timedelta(0)
    if schedule is None:
        return end - start
    total = timedelta(0)
    for begin, finish in _intervals_from(schedule, start):
        if begin >= end:
            break
        overlap = min(finish, end) - max(begin, start)
        if overlap > timedelta(0):
            total += overlap
    return total
