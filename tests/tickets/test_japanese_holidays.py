from datetime import date

import pytest

from madoguchi.tickets.japanese_holidays import japanese_holidays


def named(year: int) -> dict[date, str]:
    return {holiday.day: holiday.name_ja for holiday in japanese_holidays(year)}


def test_2026_september_has_a_citizens_holiday_between_two_holidays() -> None:
    days = named(2026)
    assert days[date(2026, 9, 21)] == "敬老の日"
    assert days[date(2026, 9, 22)] == "国民の休日"
    assert days[date(2026, 9, 23)] == "秋分の日"


def test_2026_is_the_cabinet_office_list() -> None:
    assert sorted(named(2026)) == [
        date(2026, 1, 1), date(2026, 1, 12), date(2026, 2, 11), date(2026, 2, 23),
        date(2026, 3, 20), date(2026, 4, 29), date(2026, 5, 3), date(2026, 5, 4),
        date(2026, 5, 5), date(2026, 5, 6), date(2026, 7, 20), date(2026, 8, 11),
        date(2026, 9, 21), date(2026, 9, 22), date(2026, 9, 23), date(2026, 10, 12),
        date(2026, 11, 3), date(2026, 11, 23),
    ]  # fmt: skip


def test_a_sunday_holiday_moves_to_the_next_free_day() -> None:
    """2026-05-03 is a Sunday; 5/4 and 5/5 are holidays already, so 5/6 is the substitute."""
    assert named(2026)[date(2026, 5, 6)] == "振替休日"


def test_2027_vernal_equinox_on_a_sunday_gives_monday_off() -> None:
    days = named(2027)
    assert days[date(2027, 3, 21)] == "春分の日"
    assert days[date(2027, 3, 22)] == "振替休日"
    assert days[date(2027, 9, 23)] == "秋分の日"
    assert days[date(2027, 9, 20)] == "敬老の日"
    assert date(2027, 9, 21) not in days and date(2027, 9, 22) not in days
    assert len(days) == 17


def test_english_names_come_along() -> None:
    english = {holiday.day: holiday.name_en for holiday in japanese_holidays(2027)}
    assert english[date(2027, 1, 11)] == "Coming of Age Day"


def test_years_outside_the_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="2022"):
        japanese_holidays(2020)
