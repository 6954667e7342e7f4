"""Annual leave: the leave ledger of a leave year, every adjustment with its
citation (SPEC 7.3; W22 9.4 and Appendix B; soj-ma-1.5 18).

* Entitlement: contractual days by completed service plus public holidays,
  a day being contracted hours / 5; pro rata through the year as the
  contract or the service band changes, and to the days employed.
* Long-term sickness: full contractual accrual for the first 12 weeks of an
  absence, statutory accrual (4 weeks a year) after; the difference is
  taken off (Appendix B's weekly figures).
* Public holidays during sickness: one day off the entitlement when
  rostered or on booked leave, and for every public holiday inside a
  long-term absence; none for a rest-day holiday in a short-term absence.
* Leave booked inside sickness is cancelled unless taken (deducted, and paid
  in lieu when on half or nil pay); converted leave is reinstated (not its
  public holidays); reinstated leave not taken carries over, expiring 18
  months after the end of its leave year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.calendar import add_months, add_years, completed_years, days_between
from domain.events import (
    AnnualLeaveBooked,
    ContractChanged,
    AnnualLeaveCancelled,
    AnnualLeaveConvertedToSickness,
    AnnualLeaveTakenWhileSick,
)
from domain.history import Absence
from domain.rulebook import AnnualLeaveTerms, SickPayTerms
from projections.pay import PayCalendar
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
WEEK_OF_YEAR = 365 / 7  # Appendix B: weekly accrual = annual hours / (365/7)
LONG_TERM_DAYS = 28     # "long term absence (more than 4 weeks)", W22 9.4.1


def weekly_contractual_accrual(terms: AnnualLeaveTerms, contracted_hours: float, completed_years: int) -> float:
    """Contractual leave accrued a week, public holidays excluded (Appendix B
    columns 2-4): annual days x day hours / (365/7)."""
    return terms.days(max(0, completed_years)) * contracted_hours / terms.days_per_week / WEEK_OF_YEAR


def weekly_statutory_accrual(terms: AnnualLeaveTerms, contracted_hours: float) -> float:
    """Statutory leave accrued a week after the full-accrual weeks (Appendix B
    column 5): the statutory weeks a year over 52 weeks."""
    return contracted_hours * terms.statutory_weeks_per_year / 52


def public_holiday_hours(terms: AnnualLeaveTerms, contracted_hours: float) -> float:
    """One day's leave, the value of a public holiday (Appendix B column 6)."""
    return contracted_hours / terms.days_per_week


def _r(hours: float) -> float:
    return round(hours + 0.0, 2)


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str
    hours: float  # + adds to what the employee may take, - takes away
    citation: str
    note: str
    expires: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "kind": self.kind, "hours": _r(self.hours),
                "citation": self.citation, "note": self.note,
                "expires": self.expires.isoformat() if self.expires else None}


@dataclass
class LeaveYear:
    start: date
    end: date  # the last day
    as_of: date
    entries: list[Entry] = field(default_factory=list)

    def total(self, *kinds: str) -> float:
        return sum(e.hours for e in self.entries if e.kind in kinds)

    @property
    def balance(self) -> float:
        return sum(e.hours for e in self.entries)

    def as_dict(self) -> dict[str, Any]:
        """The SPEC 8 `annual_leave` summary."""
        entitlement = self.total("entitlement")
        elapsed = (min(self.as_of, self.end) - self.start).days + 1
        adjustments = sum(e.hours for e in self.entries
                          if e.kind in ("public_holiday_in_sickness", "long_term_sickness_accrual")
                          and e.day <= self.as_of)
        # Leave booked and then cancelled in sickness was never taken.
        taken = -sum(e.hours for e in self.entries
                     if e.kind in ("leave_taken", "taken_while_sick", "cancelled_in_sickness")
                     and e.day <= self.as_of)
        return {
            "leave_year_start": self.start.isoformat(),
            "entitlement_hours": _r(entitlement),
            "accrued_hours": _r(entitlement * max(0, elapsed) / ((self.end - self.start).days + 1) + adjustments),
            "adjustments_hours": _r(adjustments),
            "taken_hours": _r(taken),
            "booked_hours": _r(-sum(e.hours for e in self.entries if e.kind == "leave_taken" and e.day > self.as_of)),
            "reinstated_hours": _r(self.total("reinstated")),
            "balance_hours": _r(self.balance),
            "carried_over": [{"hours": _r(e.hours), "note": e.note,
                              "expires": e.expires.isoformat() if e.expires else None}
                             for e in self.entries if e.kind == "carried_over"],
        }


def year_start_for(view: EmployeeView, day: date) -> date:
    month, dom = (int(part) for part in view.registration.leave_year_start.split("-"))
    start = date(day.year, month, dom)
    return start if start <= day else date(day.year - 1, month, dom)


class LeaveLedger:
    """The leave years of one employee, as known in `view`."""

    def __init__(self, view: EmployeeView, terms: AnnualLeaveTerms, pay_terms: SickPayTerms | None,
                 pay: PayCalendar | None = None) -> None:
        self.view, self.terms = view, terms
        self.pay = pay or (PayCalendar(view, pay_terms) if pay_terms else None)
        withdrawn = {c.leave_id for c in view.of_type(AnnualLeaveCancelled)}
        self.bookings = [b for b in view.of_type(AnnualLeaveBooked) if b.leave_id not in withdrawn]
        self.conversions = {c.leave_id: c for c in view.of_type(AnnualLeaveConvertedToSickness)}
        self.absences = {a.absence_id: a for a in view.absences}

    def day_hours(self, day: date) -> float:
        return public_holiday_hours(self.terms, self.view.contract_on(day, "contracted_hours"))

    def year(self, start: date, depth: int = 2) -> LeaveYear:
        end = add_years(start, 1) - ONE_DAY
        year = LeaveYear(start, end, self.view.as_of)
        year.entries += self._entitlement(start, end)
        year.entries += self._carried_over(start, depth)
        year.entries += self._public_holidays(start, end)
        year.entries += self._long_term_accrual(start, end)
        year.entries += self._bookings(start, end)
        year.entries += self._taken_while_sick(start, end)
        year.entries.sort(key=lambda e: (e.day, e.kind))
        return year

    # --- entitlement -------------------------------------------------------------

    def _entitlement(self, start: date, end: date) -> list[Entry]:
        """Pro rata over the stretches of the year with one contract and one
        service band, and to the days employed."""
        registration, view = self.view.registration, self.view
        first = max(start, registration.starts)
        last = min(end, view.employment_ended or end)
        if first > last:
            return []
        year_days = (end - start).days + 1
        # The entitlement changes only when the contract's hours change or a
        # service band is reached: stretches between those days.
        changes = {c.effective for c in view.of_type(ContractChanged) if c.contracted_hours is not None}
        changes |= {add_years(registration.service_start, band.completed_years)
                    for band in self.terms.bands}
        starts = sorted({first} | {d for d in changes if first < d <= last})
        entries = []
        for day, following in zip(starts, [*starts[1:], last + ONE_DAY], strict=True):
            service = completed_years(day, registration.service_start)
            hours, days = view.contract_on(day, "contracted_hours"), self.terms.days(max(0, service))
            span = (following - day).days
            annual = (days + self.terms.public_holidays) * hours / self.terms.days_per_week
            entries.append(Entry(day, "entitlement", annual * span / year_days, self.terms.citation,
                                 f"{days:g} days + {self.terms.public_holidays:g} public holidays at "
                                 f"{hours / self.terms.days_per_week:g} h, for {span} of {year_days} days"))
        return entries

    # --- sickness -----------------------------------------------------------------

    def _long_term(self, absence: Absence) -> bool:
        return (absence.last_day_by(self.view.as_of) - absence.first_day).days + 1 > LONG_TERM_DAYS

    def _public_holidays(self, start: date, end: date) -> list[Entry]:
        terms, calendar = self.terms, self.view.calendar
        if not terms.public_holidays_lost_in_sickness or not calendar.public_holidays_off:
            return []
        entries = []
        for absence in self.absences.values():
            for day in calendar.public_holidays_between(max(start, absence.first_day),
                                                        min(end, absence.last_day_by(self.view.as_of))):
                entries.append(self._holiday_in_sickness(day, absence))
        return entries

    def _holiday_in_sickness(self, day: date, absence: Absence) -> Entry:
        citation = self.terms.public_holiday_citation or ""
        on_leave = any(b.from_ <= day <= b.to for b in self.bookings)
        if self.view.calendar.works_on(day):
            why, hours = "rostered to work but off sick on a public holiday", -self.day_hours(day)
        elif on_leave:
            why, hours = "on booked leave but off sick on a public holiday", -self.day_hours(day)
        elif self._long_term(absence):
            why, hours = "a public holiday during long-term absence", -self.day_hours(day)
        else:
            why, hours = "a rest-day public holiday in short-term absence: no reduction", 0.0
        return Entry(day, "public_holiday_in_sickness", hours, citation, f"{why} ({absence.absence_id})")

    def _long_term_accrual(self, start: date, end: date) -> list[Entry]:
        """After the full-accrual weeks of an absence, only statutory leave
        accrues: the difference between Appendix B's weekly figures."""
        weeks = self.terms.full_accrual_sickness_weeks
        if weeks is None:
            return []
        entries, full_accrual = [], timedelta(weeks=weeks)
        for absence in self.absences.values():
            reduced_from = max(start, absence.first_day + full_accrual)
            reduced_to = min(end, absence.last_day_by(self.view.as_of))
            if reduced_from > reduced_to:
                continue
            hours = self.view.contract_on(reduced_from, "contracted_hours")
            service = completed_years(reduced_from, self.view.registration.service_start)
            contractual = weekly_contractual_accrual(self.terms, hours, service)
            statutory = weekly_statutory_accrual(self.terms, hours)
            days = (reduced_to - reduced_from).days + 1
            entries.append(Entry(reduced_from, "long_term_sickness_accrual", -(contractual - statutory) * days / 7,
                                 self.terms.accrual_citation or "",
                                 f"{days} days after week {weeks} of {absence.absence_id}: statutory "
                                 f"{statutory:.2f} h/week accrues instead of {contractual:.2f}"))
        return entries

    # --- leave booked and taken ------------------------------------------------------

    def _sick_during(self, day: date) -> Absence | None:
        return next((a for a in self.absences.values() if a.ongoing_on(day) and day <= self.view.as_of), None)

    def _bookings(self, start: date, end: date) -> list[Entry]:
        entries = []
        for booking in self.bookings:
            if not start <= booking.from_ <= end:
                continue
            conversion = self.conversions.get(booking.leave_id)
            sick = self._sick_during(booking.from_)
            if sick is not None and conversion is None and self._chosen_while_sick(booking, sick):
                # The employee chose to take it (W22 9.4.3): the leave taken
                # while sick is its one deduction (`taken_while_sick`).
                continue
            entries.append(Entry(booking.from_, "leave_taken", -booking.hours, self.terms.citation,
                                 f"{booking.leave_id} {booking.from_} to {booking.to}"))
            if conversion is not None:
                entries.append(self._reinstated(booking, conversion))
            elif sick is not None and self._given_back_in_sickness(sick):
                entries.append(Entry(booking.from_, "cancelled_in_sickness", booking.hours,
                                     self.terms.conversion_citation or self.terms.citation,
                                     f"{booking.leave_id} falls inside sickness {sick.absence_id}: not taken"))
        return entries

    def _chosen_while_sick(self, booking: AnnualLeaveBooked, absence: Absence) -> bool:
        """A booking the employee takes while sick: leave taken while sick
        in the same absence overlaps its dates. Other bookings in the
        absence are still cancelled."""
        return any(t.absence_id == absence.absence_id and t.from_ <= booking.to and booking.from_ <= t.to
                   for t in self.view.of_type(AnnualLeaveTakenWhileSick))

    def _given_back_in_sickness(self, absence: Absence) -> bool:
        """A booking inside sickness and not taken is cancelled (W22 9.4.3),
        or kept only when the sickness is certificated (soj-ma-1.5 18.4)."""
        return self.terms.booked_leave_in_sickness == "cancelled" or bool(absence.fit_notes)

    def _reinstated(self, booking: AnnualLeaveBooked, conversion: AnnualLeaveConvertedToSickness) -> Entry:
        calendar, citation = self.view.calendar, self.terms.conversion_citation or ""
        absence = self.absences.get(conversion.absence_id)
        if self.terms.reinstate_converted_leave_if == "certificated":
            allowed = absence is not None and bool(absence.fit_notes)
        else:
            allowed = conversion.reported_compliantly
        booked = [d for d in days_between(booking.from_, booking.to) if calendar.works_on(d)]
        converted = [d for d in booked if conversion.from_ <= d <= conversion.to and not calendar.is_public_holiday(d)]
        hours = booking.hours * len(converted) / len(booked) if booked and allowed else 0.0
        why = (f"{len(converted)} of {len(booked)} booked days converted to sickness (public holidays not reinstated)"
               if allowed else "not reinstated: sickness not reported as the procedure requires")
        return Entry(conversion.from_, "reinstated", hours, citation, f"{booking.leave_id}: {why}")

    def _taken_while_sick(self, start: date, end: date) -> list[Entry]:
        entries = []
        for taken in self.view.of_type(AnnualLeaveTakenWhileSick):
            if not start <= taken.from_ <= end:
                continue
            band = self.pay.day(taken.from_).band if self.pay and taken.from_ <= self.view.as_of else None
            in_lieu = band in ("half", "nil")
            entries.append(Entry(taken.from_, "taken_while_sick", -taken.hours,
                                 self.terms.taken_while_sick_citation or "",
                                 f"{taken.from_} to {taken.to} during {taken.absence_id}"
                                 + ("; paid in lieu (on half or nil pay)" if in_lieu else "")))
        return entries

    # --- carry-over ---------------------------------------------------------------------

    def _carried_over(self, start: date, depth: int) -> list[Entry]:
        """Reinstated leave not taken by the end of the previous leave year,
        and what that year had carried in and not yet lost, each until 18
        months after the end of the year it accrued in. Leave taken goes
        against the oldest carried leave first."""
        months = self.terms.carry_over_expiry_months
        previous_start = add_years(start, -1)
        if months is None or depth == 0 or previous_start < year_start_for(self.view, self.view.registration.starts):
            return []
        if not self.conversions:
            # Only reinstated leave starts a carry-over, and only leave converted
            # to sickness is reinstated: none, so no earlier year need be made.
            return []
        previous = self.year(previous_start, depth - 1)
        unused = max(0.0, previous.balance)
        reinstated = previous.total("reinstated")
        older = [e for e in previous.entries if e.kind == "carried_over" and e.expires and e.expires >= start]
        older_hours = sum(e.hours for e in older) + previous.total("carry_over_expired")
        carried = min(unused, reinstated + max(0.0, older_hours))
        own = min(carried, reinstated)
        entries = []
        if own > 0:
            entries.append(Entry(start, "carried_over", own, self.terms.carry_over_citation or "",
                                 f"reinstated leave not taken in the leave year starting {previous_start}",
                                 add_months(previous.end, months)))
        if carried - own > 0:
            expires = min(e.expires for e in older if e.expires)
            entries.append(Entry(start, "carried_over", carried - own, self.terms.carry_over_citation or "",
                                 f"carried into the leave year starting {previous_start}", expires))
            taken_before = -sum(e.hours for e in self._bookings(start, expires) if e.kind == "leave_taken")
            lost = max(0.0, carried - own - taken_before)
            if lost > 0 and expires < self.view.as_of:
                entries.append(Entry(expires + ONE_DAY, "carry_over_expired", -lost,
                                     self.terms.carry_over_citation or "", "carried leave not taken in time"))
        return entries


def annual_leave(view: EmployeeView, terms: AnnualLeaveTerms, pay_terms: SickPayTerms | None,
                 pay: PayCalendar | None = None) -> LeaveYear:
    """The leave year containing `as_of` (`pay`: the pay calendar, if made already)."""
    return LeaveLedger(view, terms, pay_terms, pay).year(year_start_for(view, view.as_of))
