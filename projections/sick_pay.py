"""Occupational sick pay bands (SPEC 7.1, AfC section 14).

Every sickness day is paid full, half or nil. At an absence's first day the
entitlement for the employee's completed service is reduced by the sickness
days paid in the look-back period before it (full-pay entitlement first);
the absence then uses full-pay days, then half-pay days. `SickPayExtended`
overrides the band for its dates; entitlement ends with employment.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from domain.calendar import add_months
from domain.events import SickPayExtended
from domain.rulebook import SickPayTerms
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SickPay:
    band: str
    full_pay_days_remaining: int
    half_pay_days_remaining: int
    half_pay_from: date | None
    nil_pay_from: date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "band": self.band,
            "full_pay_days_remaining": self.full_pay_days_remaining,
            "half_pay_days_remaining": self.half_pay_days_remaining,
            "half_pay_from": self.half_pay_from.isoformat() if self.half_pay_from else None,
            "nil_pay_from": self.nil_pay_from.isoformat() if self.nil_pay_from else None,
        }


def _allowance(view: EmployeeView, terms: SickPayTerms, first_day: date,
               paid_days: list[date]) -> tuple[int, int]:
    """Full and half days left at `first_day` after the look-back deduction;
    `paid_days` are the sickness days paid so far, in order."""
    years = relativedelta(first_day, view.registration.service_start).years
    full, half = terms.entitlement_days(max(0, years))
    since = add_months(first_day, -terms.lookback_months)
    paid = bisect_left(paid_days, first_day) - bisect_left(paid_days, since)
    used_full = min(full, paid)
    return full - used_full, max(0, half - (paid - used_full))


def sick_pay(view: EmployeeView, terms: SickPayTerms) -> SickPay:
    extensions = view.of_type(SickPayExtended)
    ended = view.employment_ended
    bands: dict[date, str] = {}
    paid_days: list[date] = []
    full_left = half_left = 0
    current = None
    for absence in view.absences:
        full_left, half_left = _allowance(view, terms, absence.first_day, paid_days)
        day, last = absence.first_day, absence.last_day_by(view.as_of)
        half_from = nil_from = None
        while day <= last:
            extended = [e.band for e in extensions if e.from_ <= day <= e.until]
            if ended is not None and day > ended:
                band = "nil"
            elif extended:
                band = extended[-1]
            elif full_left > 0:
                band, full_left = "full", full_left - 1
            elif half_left > 0:
                band, half_left = "half", half_left - 1
            else:
                band = "nil"
            if band == "half" and half_from is None:
                half_from = day
            if band == "nil" and nil_from is None:
                nil_from = day
            bands[day] = band
            if band != "nil":
                paid_days.append(day)
            day += ONE_DAY
        if absence.ongoing_on(view.as_of):
            current = (bands[view.as_of], half_from, nil_from)
    if current is None:
        full_left, half_left = _allowance(view, terms, view.as_of, paid_days)
        band = "full" if full_left else "half" if half_left else "nil"
        return SickPay(band, full_left, half_left, None, None)
    band, half_from, nil_from = current
    # Project the ongoing absence forward, as if it continues.
    tomorrow = view.as_of + ONE_DAY
    if nil_from is None:
        if band == "full" and half_from is None and half_left:
            half_from = tomorrow + timedelta(days=full_left)
        remaining = half_left + (full_left if band == "full" else 0)
        nil_from = tomorrow + timedelta(days=remaining)
        if ended is not None and ended < nil_from:
            nil_from = ended + ONE_DAY
    return SickPay(band, full_left, half_left, half_from, nil_from)
