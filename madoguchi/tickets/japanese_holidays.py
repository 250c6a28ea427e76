"""Japanese national holidays (国民の祝日), computed offline from the Act on National Holidays.

Covers the rules in force since 2022 (after the Olympic moves of 2020 and 2021): fixed days,
Happy Monday days, the equinoxes by the usual astronomical approximation (exact for 1980-2099;
the government confirms each year's date every February), substitute holidays (振替休日) and
citizens' holidays (国民の休日) between two holidays.
"""

from dataclasses import dataclass
from datetime import date, timedelta

FIRST_YEAR = 2022
LAST_YEAR = 2099
SUNDAY = 6


@dataclass(frozen=True)
class Holiday:
    day: date
    name_ja: str
    name_en: str


def _nth_monday(year: int, month: int, nth: int) -> date:
    first = date(year, month, 1)
    first_monday = first + timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + timedelta(weeks=nth - 1)


def _equinox_day(year: int, base: float) -> int:
    years = year - 1980
    return int(base + 0.242194 * years - years // 4)


def _national(year: int) -> dict[date, tuple[str, str]]:
    days = {
        date(year, 1, 1): ("元日", "New Year's Day"),
        _nth_monday(year, 1, 2): ("成人の日", "Coming of Age Day"),
        date(year, 2, 11): ("建国記念の日", "National Foundation Day"),
        date(year, 2, 23): ("天皇誕生日", "The Emperor's Birthday"),
        date(year, 3, _equinox_day(year, 20.8431)): ("春分の日", "Vernal Equinox Day"),
        date(year, 4, 29): ("昭和の日", "Showa Day"),
        date(year, 5, 3): ("憲法記念日", "Constitution Memorial Day"),
        date(year, 5, 4): ("みどりの日", "Greenery Day"),
        date(year, 5, 5): ("こどもの日", "Children's Day"),
        _nth_monday(year, 7, 3): ("海の日", "Marine Day"),
        date(year, 8, 11): ("山の日", "Mountain Day"),
        _nth_monday(year, 9, 3): ("敬老の日", "Respect for the Aged Day"),
        date(year, 9, _equinox_day(year, 23.2488)): ("秋分の日", "Autumnal Equinox Day"),
        _nth_monday(year, 10, 2): ("スポーツの日", "Sports Day"),
        date(year, 11, 3): ("文化の日", "Culture Day"),
        date(year, 11, 23): ("勤労感謝の日", "Labour Thanksgiving Day"),
    }
    return dict(sorted(days.items()))


def japanese_holidays(year: int) -> list[Holiday]:
    """Return the year's national holidays in date order.

    Raises ValueError outside FIRST_YEAR-LAST_YEAR, where these rules do not hold.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Japanese holidays are known for {FIRST_YEAR}-{LAST_YEAR} only")
    days = _national(year)
    # A day between two national holidays is a holiday too (in practice, some Septembers).
    for day in list(days):
        between = day + timedelta(days=1)
        after = day + timedelta(days=2)
        if between not in days and after in days and between.weekday() != SUNDAY:
            days[between] = ("国民の休日", "Citizens' Holiday")
    # A holiday on a Sunday moves to the next day that is not already a holiday.
    for day in sorted(days):
        if day.weekday() == SUNDAY:
            substitute = day + timedelta(days=1)
            while substitute in days:
                substitute += timedelta(days=1)
            days[substitute] = ("振替休日", "Substitute Holiday")
    return [Holiday(day, ja, en) for day, (ja, en) in sorted(days.items())]
