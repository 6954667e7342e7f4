"""Pay day by day: statutory sick pay worked examples and the occupational
rules around it (SPEC 7.1, 7.2), each derived by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from service.ledger import apply_case
from domain.casefile import parse_case
from domain.statutory.ssp import daily_rate
from projections.pay import PayCalendar
from projections.view import EmployeeView
from tests.cases import absence, case


def calendar(registry, as_of: str, *events, **employee) -> PayCalendar:
    employee_, _, _ = apply_case(parse_case(case("PAY", *events, **employee)), registry)
    view = EmployeeView.of(employee_.facts, date.fromisoformat(as_of))
    return PayCalendar(view, registry.get(view.policy).sick_pay)


def ssp(cal: PayCalendar, first: str, last: str) -> list[str]:
    return [f"{d.ssp:.2f}" for d in cal.days(date.fromisoformat(first), date.fromisoformat(last))]


def test_the_daily_rate_is_truncated_to_four_places():
    assert daily_rate(Decimal("118.75"), 3) == Decimal("39.5833")   # 39.58333...
    assert daily_rate(Decimal("118.75"), 5) == Decimal("23.7500")
    assert daily_rate(Decimal("123.25"), 4) == Decimal("30.8125")


def test_three_days_of_sickness_before_april_2026_are_not_a_period_of_incapacity(registry):
    cal = calendar(registry, "2025-06-10", *absence("A1", "2025-06-02", "2025-06-05"))
    assert ssp(cal, "2025-06-02", "2025-06-04") == ["0.00"] * 3
    assert cal.day(date(2025, 6, 2)).ssp_rule.startswith("no SSP: not a period of incapacity")


def test_three_waiting_days_then_ssp_at_the_2025_26_rate(registry):
    # Mon 2 - Fri 6 Jun 2025: Mon-Wed waiting days, Thu and Fri £118.75 / 5 = £23.75.
    cal = calendar(registry, "2025-06-10", *absence("A1", "2025-06-02", "2025-06-09"))
    assert ssp(cal, "2025-06-02", "2025-06-08") == ["0.00", "0.00", "0.00", "23.75", "23.75", "0.00", "0.00"]
    assert cal.day(date(2025, 6, 4)).ssp_rule == "no SSP: waiting day 3 of 3"
    assert cal.day(date(2025, 6, 7)).ssp_rule == "no SSP: not a qualifying day"


def test_a_period_of_incapacity_within_eight_weeks_links_and_serves_no_new_waiting_days(registry):
    # PIW 1: Mon 2 - Thu 5 Jun (waiting Mon-Wed, Thu paid). PIW 2 from Mon 28 Jul,
    # 53 days after 5 Jun (<= 56): linked, so paid from its first day.
    cal = calendar(registry, "2025-08-05", *absence("A1", "2025-06-02", "2025-06-06"),
                   *absence("A2", "2025-07-28", "2025-08-01", "S25"))
    assert ssp(cal, "2025-06-05", "2025-06-05") == ["23.75"]
    assert ssp(cal, "2025-07-28", "2025-07-31") == ["23.75"] * 4


def test_a_period_more_than_eight_weeks_later_serves_waiting_days_again(registry):
    # PIW 2 from Mon 4 Aug: 60 days after 5 Jun: not linked.
    cal = calendar(registry, "2025-08-12", *absence("A1", "2025-06-02", "2025-06-06"),
                   *absence("A2", "2025-08-04", "2025-08-08", "S25"))
    assert ssp(cal, "2025-08-04", "2025-08-07") == ["0.00", "0.00", "0.00", "23.75"]


def test_earnings_below_the_lower_earnings_limit_get_no_ssp_before_april_2026(registry):
    cal = calendar(registry, "2025-06-10", *absence("A1", "2025-06-02", "2025-06-09"),
                   average_weekly_earnings=120)
    assert ssp(cal, "2025-06-05", "2025-06-06") == ["0.00", "0.00"]
    assert "below the lower earnings limit £125" in cal.day(date(2025, 6, 5)).ssp_rule


def test_from_april_2026_ssp_is_paid_from_the_first_day_at_80_percent_of_low_earnings(registry):
    # One day, Tue 14 Apr 2026. AWE £100: 80% = £80 < £123.25, over 5 days = £16.00.
    low = calendar(registry, "2026-04-20", *absence("A1", "2026-04-14", "2026-04-15"), average_weekly_earnings=100)
    assert ssp(low, "2026-04-14", "2026-04-14") == ["16.00"]
    # AWE £400: 80% = £320, above the flat rate: £123.25 / 5 = £24.65.
    high = calendar(registry, "2026-04-20", *absence("A1", "2026-04-14", "2026-04-15"), average_weekly_earnings=400)
    assert ssp(high, "2026-04-14", "2026-04-14") == ["24.65"]


def test_a_period_spanning_6_april_2026_changes_rules_on_that_day(registry):
    # Wed 1 - Fri 10 Apr 2026 (back Mon 13). Before 6 Apr the old rules: Wed-Fri
    # are the 3 waiting days (the PIW is 10 days). From Mon 6 Apr the new rules
    # pay every qualifying day at min(80% of £400, £123.25) / 5 = £24.65.
    cal = calendar(registry, "2026-04-20", *absence("A1", "2026-04-01", "2026-04-13"), average_weekly_earnings=400)
    assert ssp(cal, "2026-04-01", "2026-04-10") == ["0.00"] * 5 + ["24.65"] * 5
    # With AWE £120 (below the old £125 limit): nothing before, 80% x £120 / 5 = £19.20 after.
    low = calendar(registry, "2026-04-20", *absence("A1", "2026-04-01", "2026-04-13"), average_weekly_earnings=120)
    assert ssp(low, "2026-04-01", "2026-04-03") == ["0.00"] * 3
    assert ssp(low, "2026-04-06", "2026-04-06") == ["19.20"]


def test_ssp_stops_after_28_weeks(registry):
    # From Mon 6 Jan 2025 for 35 weeks: waiting Mon-Wed 6-8 Jan, then 28 x 5 = 140
    # qualifying days (bank holidays in the working pattern are qualifying days):
    # Thu 9 and Fri 10 Jan (2), the 27 weeks from Mon 13 Jan to Fri 18 Jul (135),
    # then Mon 21 - Wed 23 Jul (3): the 140th is Wed 23 Jul 2025.
    cal = calendar(registry, "2025-09-30", *absence("A1", "2025-01-06", "2025-09-08"))
    paid = [d.day for d in cal.days(date(2025, 1, 6), date(2025, 9, 7)) if d.ssp > 0]
    assert len(paid) == 140 and paid[-1] == date(2025, 7, 23)
    assert cal.day(date(2025, 7, 24)).ssp_rule == "no SSP: 28-week maximum reached"


def test_medical_suspension_is_full_pay_and_uses_no_sick_pay(registry):
    cal = calendar(registry, "2025-06-30", {"type": "MedicalSuspensionStarted", "date": "2025-06-02"},
                   {"type": "MedicalSuspensionEnded", "date": "2025-06-16"},
                   *absence("A1", "2025-06-23", "2025-06-24"))
    suspended = cal.day(date(2025, 6, 10))
    assert (suspended.status, suspended.band, suspended.citation[:15]) == ("medical_suspension", "full", "sath-w22-v6 7.2")
    assert cal.day(date(2025, 6, 16)).status == "at_work"
    assert cal.day(date(2025, 6, 23)).rule == "full pay: day 1 of 183 full-pay days"


def test_unauthorised_absence_is_unpaid_and_uses_no_entitlement(registry):
    cal = calendar(registry, "2025-06-30",
                   {"type": "UnauthorisedAbsenceDeclared", "from": "2025-06-02", "to": "2025-06-04", "reason": "no contact"},
                   *absence("A1", "2025-06-02", "2025-06-09"))
    assert cal.day(date(2025, 6, 3)).band == "nil" and cal.day(date(2025, 6, 3)).status == "unauthorised_absence"
    assert cal.day(date(2025, 6, 5)).rule == "full pay: day 1 of 183 full-pay days"


def test_a_rescinded_unauthorised_absence_is_paid_as_sickness(registry):
    cal = calendar(registry, "2025-06-30",
                   {"type": "UnauthorisedAbsenceDeclared", "from": "2025-06-02", "to": "2025-06-04", "reason": "x"},
                   {"type": "UnauthorisedAbsenceRescinded", "from": "2025-06-02"},
                   *absence("A1", "2025-06-02", "2025-06-09"))
    assert cal.day(date(2025, 6, 2)).rule == "full pay: day 1 of 183 full-pay days"


def test_a_phased_return_is_full_pay_for_four_weeks_and_the_excess_is_flagged(registry):
    cal = calendar(registry, "2025-09-30", *absence("A1", "2025-06-02", "2025-07-07"),
                   {"type": "PhasedReturnAgreed", "absence_id": "A1", "start": "2025-07-07", "weeks": 6})
    assert cal.day(date(2025, 8, 3)).band == "full"            # day 28 of the phased return
    excess = cal.day(date(2025, 8, 4))                          # day 29
    assert (excess.status, excess.band) == ("phased_return", None) and "annual leave or unpaid" in excess.rule
    assert cal.day(date(2025, 8, 18)).status == "at_work"      # after 6 weeks


def test_injury_allowance_tops_reduced_pay_up_to_85_percent_for_twelve_months(registry):
    # First year of service: 30 full and 61 half days. A work-related absence from
    # Mon 6 Jan 2025: full 6 Jan - 4 Feb, half from 5 Feb; allowance granted from 6 Jan.
    cal = calendar(registry, "2025-04-30",
                   {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-01-06", "reason": "S28",
                    "work_related": True},
                   {"type": "InjuryAllowanceGranted", "absence_id": "A1", "from": "2025-01-06"},
                   service_start="2024-09-02", basic_salary=30000)
    full, half = cal.day(date(2025, 2, 4)), cal.day(date(2025, 2, 5))
    assert (full.band, full.pay_percent, full.injury_allowance) == ("full", 100, False)
    assert (half.band, half.pay_percent, half.injury_allowance, half.enhancements_included) == ("half", 85, True, True)
    assert cal.day(date(2025, 4, 7)).band == "nil" and cal.day(date(2025, 4, 7)).pay_percent == 85


def test_pay_at_or_below_18160_includes_enhancements(registry):
    low = calendar(registry, "2025-06-10", *absence("A1", "2025-06-02", "2025-06-09"), basic_salary=18160)
    high = calendar(registry, "2025-06-10", *absence("A1", "2025-06-02", "2025-06-09"), basic_salary=18161)
    assert low.day(date(2025, 6, 2)).enhancements_included and not high.day(date(2025, 6, 2)).enhancements_included


def test_sick_pay_ends_with_employment(registry):
    cal = calendar(registry, "2025-06-30", *absence("A1", "2025-06-02"),
                   {"type": "EmploymentEnded", "effective": "2025-06-13", "reason": "resignation"})
    assert cal.day(date(2025, 6, 13)).band == "full"
    assert cal.day(date(2025, 6, 16)).status == "employment_ended"


@pytest.mark.parametrize("service_start, full, half", [
    ("2025-01-06", 30, 61), ("2024-01-08", 61, 61), ("2023-01-09", 122, 122),
    ("2022-01-10", 152, 152), ("2021-01-11", 152, 152), ("2020-01-06", 183, 183),
])
def test_each_service_band_sets_the_entitlement_at_the_absence_s_first_day(registry, service_start, full, half):
    # An absence from Mon 2 Jun 2025; completed years then: 0, 1, 2, 3, 4, 5.
    cal = calendar(registry, "2025-06-02", *absence("A1", "2025-06-02"), service_start=service_start)
    summary = cal.summary()
    assert (summary.full_pay_days_remaining + 1, summary.half_pay_days_remaining) == (full, half)
    assert cal.day(date(2025, 6, 2)).rule == f"full pay: day 1 of {full} full-pay days"


def test_an_ongoing_absence_projects_when_pay_falls(registry):
    cal = calendar(registry, "2025-03-20", *absence("A1", "2025-03-03"), service_start="2025-01-06")
    summary = cal.summary()
    assert (summary.half_pay_from, summary.nil_pay_from) == (date(2025, 4, 2), date(2025, 6, 2))
    assert cal.day(date(2025, 3, 3)) == cal.days(date(2025, 3, 3), date(2025, 3, 3))[0]
    assert date(2025, 3, 3) + timedelta(days=30) == date(2025, 4, 2)


def test_ssp_is_inside_full_pay_tops_up_half_pay_to_at_most_full_and_is_all_that_nil_pay_gets(registry):
    # First year (30 full days) from Mon 3 Mar 2025, basic salary £10,000: a working
    # day's pay is 10000 / 52.1428 / 5 = £38.356, half of it £19.178 - less than the
    # £23.75 SSP, so on half pay SSP adds only £19.18; on nil pay all £23.75.
    cal = calendar(registry, "2025-06-10", *absence("A1", "2025-03-03"),
                   service_start="2025-01-06", basic_salary=10000)
    assert cal.day(date(2025, 3, 31)).ssp_on_top == 0                      # full pay (Mon)
    assert cal.day(date(2025, 4, 7)).ssp_on_top == Decimal("19.1781")     # half pay (Mon): 10000 / 52.1428 / 5 / 2
    assert cal.day(date(2025, 6, 2)).ssp_on_top == Decimal("23.7500")     # nil pay (Mon)
