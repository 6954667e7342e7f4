"""What an employee should be paid each day of absence, and why (SPEC 7.1, 7.2).

A day-by-day pay calendar, folded from the history through `as_of`:

* occupational sick pay (AfC 14): at each absence's first day the entitlement
  for completed service, less the sickness days paid in the look-back
  period (full-pay entitlement first); the absence uses full-pay days, then
  half-pay days, then nil. `SickPayExtended` overrides the band for its
  dates; entitlement ends with employment;
* medical suspension is full pay and not sickness (W22 7.2); unauthorised
  absence is unpaid and uses no entitlement (W22 7.1); a phased return is at
  full pay for up to 4 weeks, the excess flagged (W22 10.3.1);
* injury allowance tops pay up to 85% while on reduced pay, for up to 12
  months per episode (AfC 22); enhancements are included at or below the
  salary threshold and for injury allowance cases (W22 9.3);
* statutory sick pay (GOV.UK): periods of incapacity, linking, waiting
  days, the 28-week maximum and the lower earnings limit before 6 April 2026,
  payable from the first day after it, at the tax year's rates.

Every day names the rule that set it and its citation, which is what a
payroll clerk checks.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from domain.calendar import add_months, completed_years, days_between
from domain.events import (
    InjuryAllowanceGranted,
    MedicalSuspensionEnded,
    MedicalSuspensionStarted,
    PhasedReturnAgreed,
    SickPayExtended,
    SickPayWithheld,
    UnauthorisedAbsenceDeclared,
    UnauthorisedAbsenceRescinded,
)
from domain.history import Absence
from domain.rulebook import SickPayTerms
from domain.statutory.ssp import SspRules, TaxYear, daily_rate, ssp_rules
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
PERCENT = {"full": 100, "half": 50, "nil": 0}
WITHHELD = "nil pay: sick pay withheld"


@dataclass(frozen=True)
class DayPay:
    day: date
    status: str  # at_work, sick, disability_leave, medical_suspension, unauthorised_absence, phased_return, employment_ended
    band: str | None  # full, half, nil; None at work
    rule: str
    citation: str
    absence_id: str | None = None
    pay_percent: float | None = None
    injury_allowance: bool = False
    enhancements_included: bool = False
    ssp: Decimal = Decimal(0)
    ssp_rule: str = ""
    #: SSP paid on top of occupational pay: none on full pay (which includes
    #: it), on half pay no more than takes pay to full pay, all of it on nil
    ssp_on_top: Decimal = Decimal(0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(), "status": self.status, "band": self.band,
            "pay_percent": self.pay_percent, "rule": self.rule, "citation": self.citation,
            "absence_id": self.absence_id, "injury_allowance": self.injury_allowance,
            "enhancements_included": self.enhancements_included,
            "ssp": f"{self.ssp:.4f}", "ssp_rule": self.ssp_rule, "ssp_on_top": f"{self.ssp_on_top:.4f}",
        }


class SspDay(NamedTuple):
    """One day's statutory sick pay, the rule that set it, and whether it
    was a waiting day (what the next day's waiting count depends on)."""

    amount: Decimal
    rule: str
    waiting_day: bool = False


NOT_PIW = SspDay(Decimal(0), "no SSP: not a period of incapacity for work (fewer than 4 days)")
NOT_QUALIFYING = SspDay(Decimal(0), "no SSP: not a qualifying day")


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


def _ranges(starts: list[tuple[date, date | None]], until: date) -> set[date]:
    return {day for start, end in starts for day in days_between(start, min(end or until, until))}


@lru_cache(maxsize=4096, typed=True)  # every day of incapacity asks, of a few figures
def _exact(earnings: float | None) -> Decimal | None:
    """Earnings as the decimal written, not the float's binary value."""
    return Decimal(str(earnings)) if earnings is not None else None


@dataclass
class _Allowance:
    full: int
    half: int
    full_entitlement: int
    half_entitlement: int


@dataclass
class PayCalendar:
    """The pay of every day up to `view.as_of`."""

    view: EmployeeView
    terms: SickPayTerms
    ssp: SspRules = field(default_factory=ssp_rules)

    def __post_init__(self) -> None:
        view, as_of = self.view, self.view.as_of
        self.ended = view.employment_ended
        self.suspended = _ranges(self.suspensions(), as_of)
        self.unauthorised = _ranges(self.unauthorised_spans(), as_of)
        self.phased = self._phased_returns()
        self.extensions = view.of_type(SickPayExtended)
        self.injury = {g.absence_id: g.from_ for g in view.of_type(InjuryAllowanceGranted)}
        self.withheld = _ranges([(w.from_, w.to) for w in view.of_type(SickPayWithheld)], as_of)
        self.sick: dict[date, Absence] = {}
        self.disability_leave: set[date] = set()
        #: the absences that are sickness for pay
        self.sickness = [a for a in view.absences if not self._disability_leave(a)]
        for absence in view.absences:
            if self._disability_leave(absence):
                self.disability_leave |= _ranges([(absence.first_day, absence.last_day)], as_of)
                continue
            self.sick.update(dict.fromkeys(days_between(absence.first_day, absence.last_day_by(as_of)), absence))
        self.osp: dict[date, tuple[str, str]] = {}
        self.extended: set[date] = set()  # days paid under a SickPayExtended decision
        self.allowance: dict[str, _Allowance] = {}
        self._rates: dict[tuple[date, Decimal | None, int], SspDay] = {}
        self._allocate()
        self.ssp_days = self._statutory()

    def _disability_leave(self, absence: Absence) -> bool:
        """Disability leave is not sickness where the policy says so
        (nw-wam-2024 Disability Leave): full pay, no entitlement used."""
        return self.terms.disability_leave_is_not_sickness and absence.discounted == "disability"

    # --- facts to date sets ------------------------------------------------

    def suspensions(self) -> list[tuple[date, date | None]]:
        """Suspended from each start to the day before it ended."""
        ends = sorted(e.date for e in self.view.of_type(MedicalSuspensionEnded))
        spans = []
        for start in sorted(s.date for s in self.view.of_type(MedicalSuspensionStarted)):
            later = [e for e in ends if e > start]
            spans.append((start, later[0] - ONE_DAY if later else None))
        return spans

    def unauthorised_spans(self) -> list[tuple[date, date | None]]:
        rescinded = {r.from_ for r in self.view.of_type(UnauthorisedAbsenceRescinded)}
        return [(u.from_, u.to) for u in self.view.of_type(UnauthorisedAbsenceDeclared) if u.from_ not in rescinded]

    def _phased_returns(self) -> dict[date, bool]:
        """Days of phased return, True while within the full-pay weeks."""
        limit = self.terms.phased_return_full_pay_weeks
        days: dict[date, bool] = {}
        for agreed in self.view.of_type(PhasedReturnAgreed):
            total = int(agreed.weeks * 7)
            for offset in range(total):
                days[agreed.start + timedelta(days=offset)] = limit is not None and offset < limit * 7
        return days

    # --- occupational sick pay -------------------------------------------------

    def _entitlement(self, first_day: date, paid_days: list[date]) -> _Allowance:
        years = completed_years(first_day, self.view.registration.service_start)
        full, half = self.terms.entitlement_days(max(0, years))
        since = add_months(first_day, -self.terms.lookback_months)
        paid = bisect_left(paid_days, first_day) - bisect_left(paid_days, since)
        used_full = min(full, paid)
        return _Allowance(full - used_full, max(0, half - (paid - used_full)), full, half)

    def _allocate(self) -> None:
        paid_days: list[date] = []
        for absence in self.sickness:
            allowance = self._entitlement(absence.first_day, paid_days)
            self.allowance[absence.absence_id] = allowance
            last = absence.last_day_by(self.view.as_of)
            if self.ended and self.ended < last:
                last = self.ended  # nothing is paid after employment ends
            for day in days_between(absence.first_day, last):
                if day in self.unauthorised:
                    continue
                self.osp[day] = self._band(day, allowance)
                if self.osp[day][0] != "nil":
                    paid_days.append(day)

    def _band(self, day: date, allowance: _Allowance) -> tuple[str, str]:
        """A day of sickness's band and rule, using the allowance's days."""
        if day in self.withheld:
            # Not payable (W22 9.2): nil, and no entitlement used.
            return "nil", WITHHELD
        extended = [e for e in self.extensions if e.from_ <= day <= e.until] if self.extensions else None
        if extended:
            self.extended.add(day)
            return extended[-1].band, f"{extended[-1].band} pay: sick pay extended to {extended[-1].until}"
        if allowance.full > 0:
            used = allowance.full_entitlement - allowance.full + 1
            allowance.full -= 1
            return "full", f"full pay: day {used} of {allowance.full_entitlement} full-pay days"
        if allowance.half > 0:
            used = allowance.half_entitlement - allowance.half + 1
            allowance.half -= 1
            return "half", f"half pay: day {used} of {allowance.half_entitlement} half-pay days"
        return "nil", "nil pay: full- and half-pay entitlement used"

    # --- statutory sick pay -----------------------------------------------------

    def _qualifying(self, day: date) -> bool:
        """Qualifying days are the days the employee works (SSP)."""
        return self.view.calendar.works_on(day)

    def _statutory(self) -> dict[date, SspDay]:
        incapacity = sorted(d for d in self.sick if d not in self.unauthorised and not (self.ended and d > self.ended))
        runs: list[list[date]] = []
        for day in incapacity:
            if runs and runs[-1][-1] + ONE_DAY == day:
                runs[-1].append(day)
            else:
                runs.append([day])
        result: dict[date, SspDay] = {}
        self.paid_in_series: dict[date, int] = {}
        series_end: date | None = None
        waiting = paid = 0
        years = {day: self.ssp.year(day) for day in incapacity}
        for run in runs:
            piw = [d for d in run if (y := years[d]) is not None and len(run) >= y.minimum_piw_days]
            in_piw = set(piw)
            if not piw:
                for day in run:
                    result[day] = NOT_PIW
                continue
            if series_end is None or piw[0] > series_end + timedelta(days=self.ssp.link_within_days):
                waiting = paid = 0  # a new PIW series: waiting days and the 28 weeks start again
            series_end = piw[-1]
            for day in run:
                result[day] = ssp_day = self._ssp_day(day, years[day], day in in_piw, waiting, paid)
                waiting += ssp_day.waiting_day
                paid += ssp_day.amount > 0
                self.paid_in_series[day] = paid
        return result

    def _ssp_day(self, day: date, year: TaxYear | None, in_piw: bool, waiting: int, paid: int) -> SspDay:
        if year is None or not in_piw:
            return NOT_PIW
        if not self._qualifying(day):
            return NOT_QUALIFYING
        awe = _exact(self.view.contract_on(day, "average_weekly_earnings"))
        if year.lower_earnings_limit is not None and awe is not None and awe < year.lower_earnings_limit:
            return SspDay(Decimal(0), f"no SSP: average weekly earnings below the lower earnings limit £{year.lower_earnings_limit}")
        if waiting < year.waiting_days:
            return SspDay(Decimal(0), f"no SSP: waiting day {waiting + 1} of {year.waiting_days}", waiting_day=True)
        per_week = self.view.calendar.days_per_week(day)
        if paid >= self.ssp.maximum_weeks * per_week:
            return SspDay(Decimal(0), f"no SSP: {self.ssp.maximum_weeks}-week maximum reached")
        return self._payable(year, awe, per_week)

    def _payable(self, year: TaxYear, awe: Decimal | None, per_week: int) -> SspDay:
        """A day's SSP at a rate: the same for every day of a tax year with
        the same earnings and qualifying days, so worked out once for each."""
        key = (year.from_, awe, per_week)
        if key not in self._rates:
            weekly = year.weekly(awe)
            basis = (f"lower of {year.earnings_percent}% of average weekly earnings and £{year.weekly_rate}"
                     if year.earnings_percent is not None else f"£{year.weekly_rate} a week")
            self._rates[key] = SspDay(daily_rate(weekly, per_week),
                                      f"SSP: {basis}, over {per_week} qualifying days (tax year from {year.from_})")
        return self._rates[key]

    # --- reading the calendar -------------------------------------------------

    def day(self, day: date) -> DayPay:
        terms = self.terms
        absence = self.sick.get(day)
        ssp, ssp_rule, _ = self.ssp_days.get(day, SspDay(Decimal(0), ""))
        enhanced = self._enhanced(day)
        if self.ended and day > self.ended:
            return DayPay(day, "employment_ended", "nil", "no pay: employment ended", terms.citation, pay_percent=0)
        if day in self.unauthorised:
            return DayPay(day, "unauthorised_absence", "nil", "no pay: unauthorised absence",
                          terms.unauthorised_absence_citation or "", pay_percent=0, ssp_rule=ssp_rule)
        if day in self.disability_leave:
            return DayPay(day, "disability_leave", "full", "full pay: disability leave is not sickness",
                          terms.disability_leave_citation or "", pay_percent=100)
        if day in self.suspended:
            return DayPay(day, "medical_suspension", "full", "full pay: medical suspension is not sickness",
                          terms.medical_suspension_citation or "", pay_percent=100)
        if absence is not None and day in self.osp:
            band, rule = self.osp[day]
            injury = self._injury_allowance(absence, day, band)
            percent = max(PERCENT[band], terms.injury_allowance.percent) if injury and terms.injury_allowance \
                else PERCENT[band]
            citation = terms.extension_citation if day in self.extended else \
                terms.withholding_citation if rule == WITHHELD else terms.citation
            if injury:
                rule += f"; injury allowance tops up to {percent:g}%"
                citation = f"{citation}; {terms.injury_allowance.citation}"  # type: ignore[union-attr]
            return DayPay(day, "sick", band, rule, citation or "", absence.absence_id, percent, injury,
                          enhanced or injury, ssp, ssp_rule, self._ssp_on_top(day, band, ssp))
        if day in self.phased:
            if self.phased[day]:
                return DayPay(day, "phased_return", "full", "full pay: phased return",
                              terms.phased_return_citation or "", pay_percent=100, enhancements_included=enhanced)
            return DayPay(day, "phased_return", None, "beyond the full-pay weeks of a phased return: annual leave "
                          "or unpaid for the hours not worked", terms.phased_return_citation or "")
        return DayPay(day, "at_work", None, "at work", "")

    def _ssp_on_top(self, day: date, band: str, ssp: Decimal) -> Decimal:
        """Sick pay includes SSP; half pay plus SSP may not exceed full pay
        (SPEC 7.2): on half pay SSP tops up by at most the other half."""
        if band == "full" or ssp == 0:
            return Decimal(0)
        salary = self.view.contract_on(day, "basic_salary")
        if band == "nil" or salary is None:
            return ssp
        half_day = Decimal(str(salary)) / Decimal("52.1428") / self.view.calendar.days_per_week(day) / 2
        return min(ssp, half_day.quantize(Decimal("0.0001")))

    def _enhanced(self, day: date) -> bool:
        threshold = self.terms.enhancements_salary_threshold
        salary = self.view.contract_on(day, "basic_salary")
        return threshold is not None and salary is not None and salary <= threshold

    def _injury_allowance(self, absence: Absence, day: date, band: str) -> bool:
        rule = self.terms.injury_allowance
        granted = self.injury.get(absence.absence_id)
        return (rule is not None and granted is not None and absence.work_related and band != "full"
                and granted <= day < add_months(granted, rule.months))

    def days(self, start: date, end: date) -> list[DayPay]:
        out, day = [], start
        while day <= min(end, self.view.as_of):
            out.append(self.day(day))
            day += ONE_DAY
        return out

    def summary(self) -> SickPay:
        """The band on `as_of` and what is left (SPEC 8 `sick_pay`)."""
        as_of = self.view.as_of
        ongoing = [a for a in self.view.absences if a.ongoing_on(as_of)]
        if not ongoing or as_of not in self.osp:
            paid = sorted(d for d, (band, _) in self.osp.items() if band != "nil")
            allowance = self._entitlement(as_of, paid)
            band = "full" if allowance.full else "half" if allowance.half else "nil"
            return SickPay(band, allowance.full, allowance.half, None, None)
        absence = ongoing[-1]
        allowance = self.allowance[absence.absence_id]
        band = self.osp[as_of][0]
        days = [d for d in sorted(self.osp) if absence.first_day <= d <= as_of]
        half_from = next((d for d in days if self.osp[d][0] == "half"), None)
        # Days withheld (W22 9.2) are nil without using entitlement: not where pay drops.
        nil_from = next((d for d in days if self.osp[d][0] == "nil" and d not in self.withheld), None)
        tomorrow = as_of + ONE_DAY
        full_left = band == "full" or as_of in self.withheld
        # Project the ongoing absence forward, as if it continues.
        if nil_from is None:
            if full_left and half_from is None and allowance.half:
                half_from = tomorrow + timedelta(days=allowance.full)
            remaining = allowance.half + (allowance.full if full_left else 0)
            nil_from = tomorrow + timedelta(days=remaining)
            if self.ended is not None and self.ended < nil_from:
                nil_from = self.ended + ONE_DAY
                half_from = half_from if half_from and half_from <= self.ended else None
        return SickPay(band, allowance.full, allowance.half, half_from, nil_from)

    def ssp_summary(self) -> dict[str, Any]:
        """SSP on `as_of` (SPEC 8 `ssp`): the day's amount and rule, and the
        days paid so far in the current period of incapacity (or linked ones)."""
        as_of = self.view.as_of
        amount, rule, _ = self.ssp_days.get(as_of, SspDay(Decimal(0), "no SSP: not sick on this day"))
        paid = self.paid_in_series.get(as_of, 0)
        maximum = self.ssp.maximum_weeks * self.view.calendar.days_per_week(as_of)
        return {"daily_amount": f"{amount:.4f}", "rule": rule, "days_paid_in_period": paid,
                "days_remaining": maximum - paid if as_of in self.paid_in_series else None,
                "citation": self.ssp.citation}
