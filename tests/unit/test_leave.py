"""The leave ledger: each situation of W22 9.4.1, sickness accrual (9.4.2),
conversion (9.4.3), carry-over (9.4.4), leave taken while sick (9.4.5, 9.4.7),
contract changes and Jersey's full accrual - each worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from service.ledger import apply_case
from domain.casefile import parse_case
from projections.leave import LeaveLedger
from projections.view import EmployeeView
from tests.cases import absence, case

YEAR_2025 = date(2025, 4, 1)


def ledger(registry, as_of: str, *events, terms=None, **employee) -> LeaveLedger:
    employee_, _, _ = apply_case(parse_case(case("LV", *events, **employee)), registry)
    view = EmployeeView.of(employee_.facts, date.fromisoformat(as_of))
    rulebook = registry.get(view.policy)
    return LeaveLedger(view, terms or rulebook.annual_leave, rulebook.sick_pay)


def entries(leave: LeaveLedger, kind: str, start: date = YEAR_2025) -> list[tuple[str, float]]:
    return [(e.day.isoformat(), round(e.hours, 2)) for e in leave.year(start).entries if e.kind == kind]


def book(leave_id, first, last, hours):
    return {"type": "AnnualLeaveBooked", "leave_id": leave_id, "from": first, "to": last, "hours": hours,
            "recorded_at": "2025-01-02T09:00:00Z"}


@pytest.mark.parametrize("service_start, hours, expected", [
    ("2024-06-03", 37.5, (27 + 8) * 7.5),    # on appointment: 262.5
    ("2019-06-03", 37.5, (29 + 8) * 7.5),    # after 5 years: 277.5
    ("2014-06-02", 37.5, (33 + 8) * 7.5),    # after 10 years: 307.5
    ("2014-06-02", 22.5, (33 + 8) * 4.5),    # part time: 184.5
])
def test_entitlement_by_service_and_contracted_hours(registry, service_start, hours, expected):
    # Service bands counted at the leave year's start, 1 Apr 2025; each of these
    # stays in its band all year (no anniversary crosses 5 or 10 years).
    leave = ledger(registry, "2025-04-30", service_start=service_start, contracted_hours=hours)
    assert entries(leave, "entitlement") == [("2025-04-01", expected)]


def test_contract_change_from_1_october_splits_the_year(registry):
    # 37.5 h for 1 Apr - 30 Sep (183 of 365 days), 22.5 h from 1 Oct (182 days);
    # after 10 years: 41 days. 41 x 7.5 x 183/365 = 154.17; 41 x 4.5 x 182/365 = 92.00.
    leave = ledger(registry, "2026-03-31", {"type": "ContractChanged", "effective": "2025-10-01",
                                            "contracted_hours": 22.5, "working_days": ["mon", "tue", "wed"]},
                   service_start="2014-06-02")
    assert entries(leave, "entitlement") == [("2025-04-01", 154.17), ("2025-10-01", 92.0)]


def test_rostered_to_work_but_sick_on_a_public_holiday_loses_a_day(registry):
    # Mon 25 Aug 2025 (Summer bank holiday), a Monday in the pattern: -7.5 h.
    leave = ledger(registry, "2025-09-30", *absence("A1", "2025-08-22", "2025-08-27"))
    assert entries(leave, "public_holiday_in_sickness") == [("2025-08-25", -7.5)]


def test_on_booked_leave_but_sick_on_a_public_holiday_loses_a_day(registry):
    # Works Tue-Thu; leave booked Fri 22 - Mon 25 Aug; sick 22-26 Aug. 25 Aug is a rest day
    # but booked as leave: -1 day = 22.5 / 5 = 4.5 h.
    leave = ledger(registry, "2025-09-30", book("L1", "2025-08-22", "2025-08-25", 4.5),
                   *absence("A1", "2025-08-22", "2025-08-27"),
                   contracted_hours=22.5, working_days=["tue", "wed", "thu"])
    assert entries(leave, "public_holiday_in_sickness") == [("2025-08-25", -4.5)]


def test_a_rest_day_public_holiday_in_short_term_absence_costs_nothing(registry):
    leave = ledger(registry, "2025-09-30", *absence("A1", "2025-08-22", "2025-08-27"),
                   contracted_hours=22.5, working_days=["tue", "wed", "thu"])
    assert entries(leave, "public_holiday_in_sickness") == [("2025-08-25", 0.0)]


def test_every_public_holiday_in_a_long_term_absence_costs_a_day(registry):
    # Works Tue-Thu; off 1 Aug - 31 Dec 2025 (long-term): 25 Aug, 25 and 26 Dec all lost.
    leave = ledger(registry, "2026-01-31", *absence("A1", "2025-08-01", "2026-01-01"),
                   contracted_hours=22.5, working_days=["tue", "wed", "thu"])
    assert entries(leave, "public_holiday_in_sickness") == [
        ("2025-08-25", -4.5), ("2025-12-25", -4.5), ("2025-12-26", -4.5)]


def test_after_twelve_weeks_of_sickness_only_statutory_leave_accrues(registry):
    # 37.5 h, after 5 years: 4.17 h/week contractual (Appendix B), 2.88 statutory.
    # Off Mon 2 Jun - Sun 21 Sep 2025 (112 days); week 12 ends 24 Aug; 25 Aug - 21 Sep
    # = 28 days = 4 weeks reduced: 4 x (217.5/52.142857 - 37.5 x 4/52) = 4 x 1.287 = 5.15 h.
    leave = ledger(registry, "2025-09-30", *absence("A1", "2025-06-02", "2025-09-22"), service_start="2019-06-03")
    assert entries(leave, "long_term_sickness_accrual") == [("2025-08-25", -5.15)]


def test_converted_leave_reported_properly_is_reinstated_but_not_its_public_holiday(registry):
    # Leave Mon 18 - Fri 29 Aug (10 working days, 75 h; Mon 25 Aug is a bank holiday within
    # it); sick from Fri 22 Aug, converted 22 - 29 Aug: 22, 26, 27, 28, 29 Aug = 5 days
    # reinstated, 25 Aug not: 75 x 5/10 = 37.5 h.
    leave = ledger(registry, "2025-09-30", book("L1", "2025-08-18", "2025-08-29", 75),
                   {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-08-22", "reason": "S13"},
                   {"type": "AnnualLeaveConvertedToSickness", "leave_id": "L1", "absence_id": "A1",
                    "from": "2025-08-22", "to": "2025-08-29"},
                   {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-09-01"})
    assert entries(leave, "leave_taken") == [("2025-08-18", -75.0)]
    assert entries(leave, "reinstated") == [("2025-08-22", 37.5)]


def test_converted_leave_not_reported_properly_is_not_reinstated(registry):
    leave = ledger(registry, "2025-09-30", book("L1", "2025-08-18", "2025-08-29", 75),
                   {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-08-22", "reason": "S13"},
                   {"type": "AnnualLeaveConvertedToSickness", "leave_id": "L1", "absence_id": "A1",
                    "from": "2025-08-22", "to": "2025-08-29", "reported_compliantly": False},
                   {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-09-01"})
    assert entries(leave, "reinstated") == [("2025-08-22", 0.0)]


def test_leave_booked_inside_sickness_is_cancelled_unless_taken(registry):
    leave = ledger(registry, "2025-09-30", book("L1", "2025-07-14", "2025-07-18", 37.5),
                   *absence("A1", "2025-07-07", "2025-07-28"))
    assert entries(leave, "leave_taken") == [("2025-07-14", -37.5)]
    assert entries(leave, "cancelled_in_sickness") == [("2025-07-14", 37.5)]


def test_leave_taken_while_sick_on_half_pay_is_deducted_and_paid_in_lieu(registry):
    # First year of service (30 full-pay days): off from Mon 3 Mar 2025, half pay from
    # 2 Apr. Leave taken while sick 14 - 18 Apr: deducted, paid in lieu.
    leave = ledger(registry, "2025-04-30", *absence("A1", "2025-03-03"),
                   {"type": "AnnualLeaveTakenWhileSick", "absence_id": "A1", "from": "2025-04-14",
                    "to": "2025-04-18", "hours": 30},
                   service_start="2025-01-06")
    [taken] = [e for e in leave.year(YEAR_2025).entries if e.kind == "taken_while_sick"]
    assert taken.hours == -30 and taken.note.endswith("paid in lieu (on half or nil pay)")


def test_reinstated_leave_not_taken_carries_over_and_expires_18_months_after_its_year(registry):
    # 2024/25: leave 3 - 7 Mar 2025 (37.5 h) converted to sickness: 37.5 h reinstated.
    # The balance at 31 Mar 2025 exceeds it, so 37.5 h carry into 2025/26, expiring
    # 31 Mar 2025 + 18 months = 30 Sep 2026.
    leave = ledger(registry, "2025-05-31", book("L1", "2025-03-03", "2025-03-07", 37.5),
                   {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-03-03", "reason": "S13"},
                   {"type": "AnnualLeaveConvertedToSickness", "leave_id": "L1", "absence_id": "A1",
                    "from": "2025-03-03", "to": "2025-03-07"},
                   {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-03-10"},
                   service_start="2019-06-03")
    [carried] = [e for e in leave.year(YEAR_2025).entries if e.kind == "carried_over"]
    assert (carried.hours, carried.expires) == (37.5, date(2026, 9, 30))


def test_jersey_style_terms_accrue_in_full_during_sickness(registry):
    jersey_like = registry.get("sath-w22-v6").annual_leave.model_copy(
        update={"full_accrual_sickness_weeks": None, "public_holidays_lost_in_sickness": False,
                "booked_leave_in_sickness": "retained_if_certificated"})
    leave = ledger(registry, "2025-12-31", *absence("A1", "2025-06-02", "2025-12-01"), terms=jersey_like)
    assert entries(leave, "long_term_sickness_accrual") == []
    assert entries(leave, "public_holiday_in_sickness") == []


def test_under_jersey_terms_leave_in_uncertificated_sickness_is_taken(registry):
    jersey_like = registry.get("sath-w22-v6").annual_leave.model_copy(
        update={"booked_leave_in_sickness": "retained_if_certificated"})
    leave = ledger(registry, "2025-09-30", book("L1", "2025-07-14", "2025-07-18", 37.5),
                   *absence("A1", "2025-07-11", "2025-07-21"), terms=jersey_like)
    assert entries(leave, "cancelled_in_sickness") == []
