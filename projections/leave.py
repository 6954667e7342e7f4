"""Annual leave for the leave year containing `as_of` (SPEC 7.3).

This is the entitlement and the leave booked against it. Accrual during
long-term sickness, public-holiday deductions (W22 9.4.1), reinstatement of
converted leave and carry-over are not yet applied: see the README's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from domain.events import (
    AnnualLeaveBooked,
    AnnualLeaveCancelled,
    AnnualLeaveConvertedToSickness,
)
from domain.rulebook import AnnualLeaveTerms
from projections.view import EmployeeView


@dataclass(frozen=True)
class AnnualLeave:
    year_start: date
    entitlement_hours: float
    accrued_hours: float
    taken_hours: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "leave_year_start": self.year_start.isoformat(),
            "entitlement_hours": round(self.entitlement_hours, 2),
            "accrued_hours": round(self.accrued_hours, 2),
            "taken_hours": round(self.taken_hours, 2),
            "balance_hours": round(self.entitlement_hours - self.taken_hours, 2),
            "carried_over": [],
        }


def leave_year_start(view: EmployeeView) -> date:
    month, day = (int(part) for part in view.registration.leave_year_start.split("-"))
    start = date(view.as_of.year, month, day)
    return start if start <= view.as_of else date(view.as_of.year - 1, month, day)


def annual_leave(view: EmployeeView, terms: AnnualLeaveTerms) -> AnnualLeave:
    start = leave_year_start(view)
    end = start + relativedelta(years=1)
    years = relativedelta(start, view.registration.service_start).years
    day_hours = view.contracted_hours / terms.days_per_week
    entitlement = (terms.days(max(0, years)) + terms.public_holidays) * day_hours
    elapsed = (view.as_of - start).days + 1
    accrued = entitlement * elapsed / (end - start).days
    withdrawn = {f.leave_id for f in view.of_type(AnnualLeaveCancelled, AnnualLeaveConvertedToSickness)}
    taken = sum(b.hours for b in view.of_type(AnnualLeaveBooked)
                if b.leave_id not in withdrawn and start <= b.from_ <= view.as_of)
    return AnnualLeave(start, entitlement, accrued, taken)
