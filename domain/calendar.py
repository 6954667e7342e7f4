"""Working days: the employee's weekly pattern and their calendar's public
holidays (SPEC section 4; Jersey's own holidays for `soj-ma-1.5`)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from calendar import monthrange
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: calendar name -> (country, subdivision) in the `holidays` package.
#: Wales keeps England's bank holidays.
CALENDARS: dict[str, tuple[str, str | None]] = {
    "england-and-wales": ("GB", "ENG"),
    "scotland": ("GB", "SCT"),
    "northern-ireland": ("GB", "NIR"),
    "jersey": ("JE", None),
}


@lru_cache(maxsize=None)
def public_holidays(calendar: str, year: int) -> frozenset[date]:
    """The calendar's public holidays in a year (a set: looked up per day)."""
    country, subdivision = CALENDARS[calendar]
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


@lru_cache(maxsize=None)
def _public_holidays_in_order(calendar: str, year: int) -> tuple[date, ...]:
    return tuple(sorted(public_holidays(calendar, year)))


@lru_cache(maxsize=1 << 16)  # rolling windows ask for the same few days again and again
def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's end (31 Jan + 1 month = 28/29 Feb),
    as `dateutil.relativedelta(months=...)` counts them, without its cost on
    the evaluators' hot path."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return day.replace(year=year, month=month + 1, day=min(day.day, monthrange(year, month + 1)[1]))


def add_years(day: date, years: int) -> date:
    """Calendar years (29 Feb + 1 year = 28 Feb)."""
    return add_months(day, 12 * years)


def completed_years(day: date, since: date) -> int:
    """Whole years from `since` to `day` (`relativedelta(day, since).years`):
    the most whole months that still fit, in years, rounded toward zero."""
    months = (day.year - since.year) * 12 + day.month - since.month
    if day >= since:
        while add_months(since, months) > day:
            months -= 1
    else:
        while add_months(since, months) < day:
            months += 1
    return abs(months) // 12 * (1 if months >= 0 else -1)


def days_between(first: date, last: date) -> list[date]:
    """Every day from `first` to `last`, both included."""
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


class WorkingCalendar:
    """Which days an employee is expected at work, as their contract changes.

    `patterns` is a list of (effective date, weekdays worked), the first
    effective from the start of time.
    """

    def __init__(self, calendar: str, public_holidays_off: bool,
                 patterns: Sequence[tuple[date, Sequence[str]]]) -> None:
        self.calendar = calendar
        self.public_holidays_off = public_holidays_off
        self._spans: dict[tuple[date, date], list[date]] = {}
        self._years: dict[int, tuple[date, ...]] = {}
        ordered = sorted(patterns, key=lambda p: p[0])
        self._starts = [start for start, _ in ordered]
        self._weekdays = [frozenset(WEEKDAYS.index(d) for d in days) for _, days in ordered]
        #: what the working days depend on: employees alike share their years' working days
        self._key = (calendar, public_holidays_off, tuple(self._starts), tuple(self._weekdays))

    @property
    def pattern_starts(self) -> list[date]:
        """Days from which a new working pattern applies."""
        return [start for start in self._starts if start != date.min]

    def _pattern(self, day: date) -> frozenset[int]:
        return self._weekdays[max(0, bisect_right(self._starts, day) - 1)]

    def works_on(self, day: date) -> bool:
        """Whether `day` is in the working pattern (public holidays aside)."""
        return day.weekday() in self._pattern(day)

    def is_public_holiday(self, day: date) -> bool:
        return day in public_holidays(self.calendar, day.year)

    def public_holidays_between(self, first: date, last: date) -> list[date]:
        """The calendar's public holidays from `first` to `last`, in order."""
        return [day for year in range(first.year, last.year + 1)
                for day in _public_holidays_in_order(self.calendar, year) if first <= day <= last]

    def is_working_day(self, day: date) -> bool:
        if not self.works_on(day):
            return False
        return not (self.public_holidays_off and self.is_public_holiday(day))

    def days_per_week(self, day: date) -> int:
        """The pro-rata factor: "N working weeks" is N x this many working days."""
        return len(self._pattern(day))

    def working_days(self, first: date, last: date) -> list[date]:
        """The working days from `first` to `last`, both included."""
        if (first, last) not in self._spans:
            days: list[date] = []
            for year in range(first.year, last.year + 1):
                worked = self._working_days_of_year(year)
                days += worked[bisect_left(worked, first):bisect_right(worked, last)]
            self._spans[first, last] = days
        return self._spans[first, last]

    def count_working_days(self, first: date, last: date) -> int:
        """How many working days from `first` to `last`, both included
        (`len(working_days(...))` without making the list)."""
        if first > last:
            return 0
        count = 0
        for year in range(first.year, last.year + 1):
            worked = self._working_days_of_year(year)
            count += bisect_right(worked, last) - bisect_left(worked, first)
        return count

    def _working_days_of_year(self, year: int) -> tuple[date, ...]:
        # kept here too: the shared cache's key (the patterns) is costly to hash on every ask
        if year not in self._years:
            self._years[year] = _working_days_of_year(*self._key, year)
        return self._years[year]

    def add_working_days(self, day: date, count: int) -> date:
        """The working day `count` working days after (negative: before) `day`."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day


@lru_cache(maxsize=1 << 12)
def _working_days_of_year(calendar: str, public_holidays_off: bool, starts: tuple[date, ...],
                          weekdays: tuple[frozenset[int], ...], year: int) -> tuple[date, ...]:
    """A year's working days under a calendar and its patterns, made once:
    a population has few distinct calendars, and spans ask for them often."""
    holidays_off = public_holidays(calendar, year) if public_holidays_off else frozenset()
    day, last, days = date(year, 1, 1), date(year, 12, 31), []
    while day <= last:
        pattern = weekdays[max(0, bisect_right(starts, day) - 1)]
        if day.weekday() in pattern and day not in holidays_off:
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)
