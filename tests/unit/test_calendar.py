from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from domain.calendar import WorkingCalendar, add_months, add_years, completed_years

MON_FRI = ("mon", "tue", "wed", "thu", "fri")


def calendar(name="england-and-wales", days=MON_FRI, holidays_off=True, changes=()):
    return WorkingCalendar(name, holidays_off, [(date.min, days), *changes])


def test_weekends_and_bank_holidays_are_not_working_days_in_england():
    cal = calendar()
    assert cal.working_days(date(2025, 4, 17), date(2025, 4, 22)) == [date(2025, 4, 17), date(2025, 4, 22)]


def test_scotland_has_its_own_bank_holidays():
    # 2 January and St Andrew's Day (substitute Mon 1 Dec 2025) are Scottish holidays only
    assert not calendar("scotland").is_working_day(date(2025, 1, 2))
    assert calendar("england-and-wales").is_working_day(date(2025, 1, 2))
    assert not calendar("scotland").is_working_day(date(2025, 12, 1))


def test_northern_ireland_keeps_st_patricks_day():
    assert not calendar("northern-ireland").is_working_day(date(2025, 3, 17))
    assert calendar("england-and-wales").is_working_day(date(2025, 3, 17))


def test_jersey_keeps_liberation_day():
    assert not calendar("jersey").is_working_day(date(2025, 5, 9))
    assert calendar("england-and-wales").is_working_day(date(2025, 5, 9))


def test_a_worker_rostered_on_bank_holidays_works_them():
    assert calendar(holidays_off=False).is_working_day(date(2025, 12, 25))


@pytest.mark.parametrize("days, per_week", [(MON_FRI, 5), (("mon", "wed", "fri"), 3), (("sat", "sun"), 2)])
def test_pro_rata_factor_is_the_number_of_days_worked_a_week(days, per_week):
    assert calendar(days=days).days_per_week(date(2025, 6, 2)) == per_week


def test_a_contract_change_applies_its_pattern_from_its_effective_date():
    cal = calendar(changes=[(date(2025, 7, 1), ("mon", "tue", "wed"))])
    assert cal.days_per_week(date(2025, 6, 30)) == 5
    assert cal.days_per_week(date(2025, 7, 1)) == 3
    assert not cal.is_working_day(date(2025, 7, 3))  # a Thursday
    assert cal.pattern_starts == [date(2025, 7, 1)]


def test_counting_back_ten_working_days_skips_weekends():
    assert calendar().add_working_days(date(2025, 7, 21), -10) == date(2025, 7, 7)


def test_calendar_months_clamp_to_the_end_of_a_short_month():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 10, 6), -12) == date(2024, 10, 6)


def test_month_and_year_arithmetic_counts_as_dateutil_does():
    # The evaluators' own arithmetic replaces relativedelta on the hot path:
    # it must agree with it on every month end, leap day and sign.
    days = [date(2023, 1, 1) + timedelta(days=n) for n in range(0, 800, 3)] + [
        date(2024, 2, 29), date(2023, 1, 31), date(2024, 12, 31), date(2025, 3, 30)]
    for day in days:
        for months in range(-26, 27):
            assert add_months(day, months) == day + relativedelta(months=months)
            assert add_years(day, months) == day + relativedelta(years=months)
        for since in (date(2000, 2, 29), date(2020, 3, 31), date(2024, 2, 29), date(2026, 1, 1)):
            assert completed_years(day, since) == relativedelta(day, since).years


def test_counting_working_days_gives_as_many_as_listing_them():
    cal = calendar(days=("mon", "wed", "fri"), changes=[(date(2025, 3, 1), MON_FRI)])
    first = date(2024, 11, 20)
    for offset in range(0, 500, 7):
        for length in (-1, 0, 1, 6, 45, 400):
            start, end = first + timedelta(days=offset), first + timedelta(days=offset + length)
            assert cal.count_working_days(start, end) == len(cal.working_days(start, end))


def test_public_holidays_between_two_days_are_the_calendar_s_in_order():
    cal = calendar()
    span = [date(2024, 12, 1) + timedelta(days=n) for n in range(200)]
    assert cal.public_holidays_between(span[0], span[-1]) == [d for d in span if cal.is_public_holiday(d)]
    assert cal.public_holidays_between(date(2025, 12, 26), date(2025, 12, 25)) == []
