"""Pay and leave for one employee: the day-by-day pay table and the leave
year's ledger, each computed here once for the CLI and the HTTP API."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.exceptions import InvalidEvent, LedgerError
from projections.leave import LeaveLedger
from projections.pay import PayCalendar
from projections.view import EmployeeView
from service.bootstrap import Services


#: a day-by-day table longer than ten years is a request to refuse, not a
#: question payroll asks (centuries of days would tie up a worker)
MAX_PAY_WINDOW_DAYS = 3653


def pay_days(services: Services, employee_id: str, first: date, last: date, known_at: datetime | None = None,
             policy: str | None = None) -> list[dict[str, Any]]:
    """Day by day from `first` to `last`: status, band, SSP and the rule that set each."""
    if last < first:
        raise InvalidEvent("to", f"the pay window ends ({last}) before it starts ({first})")
    if (last - first).days >= MAX_PAY_WINDOW_DAYS:
        raise InvalidEvent("to", f"a pay window is at most {MAX_PAY_WINDOW_DAYS} days (ten years): ask in parts")
    history = services.ledger.history(employee_id)
    # Each day's pay depends on what came after it (a return makes a period
    # of incapacity), so read everything known, not only up to the last day.
    latest = max([last, *(f.effective_day for f in history if f.effective_day)])
    view = EmployeeView.of(history, latest, known_at)
    rulebook = services.registry.get(policy or view.policy)
    if rulebook.sick_pay is None:
        raise LedgerError(f"rulebook {rulebook.id} holds no sick pay terms (see the employee's terms and conditions)")
    return [d.as_dict() for d in PayCalendar(view, rulebook.sick_pay).days(first, last)]


def leave_year_bounds(leave_year_start: str, year: int) -> tuple[date, date]:
    """The leave year starting in `year` on the contract's "MM-DD", and its last day."""
    month, day = (int(p) for p in leave_year_start.split("-"))
    return date(year, month, day), date(year + 1, month, day) - timedelta(days=1)


def leave_year(services: Services, employee_id: str, year: int, as_of: date | None = None,
               known_at: datetime | None = None, policy: str | None = None) -> dict[str, Any]:
    """The leave year starting in `year` (on the employee's own leave-year
    start): entitlement and every adjustment, as of its last day by default."""
    history = services.ledger.history(employee_id)
    registration = EmployeeView.of(history, date(year, 12, 31), known_at).registration
    start, end = leave_year_bounds(registration.leave_year_start, year)
    view = EmployeeView.of(history, as_of or end, known_at)
    rulebook = services.registry.get(policy or view.policy)
    if rulebook.annual_leave is None:
        raise LedgerError(f"rulebook {rulebook.id} holds no annual leave terms (see the employee's terms and conditions)")
    ledger = LeaveLedger(view, rulebook.annual_leave, rulebook.sick_pay).year(start)
    return {"employee_id": employee_id, "policy": rulebook.id, "as_of": view.as_of.isoformat(),
            **ledger.as_dict(), "entries": [e.as_dict() for e in ledger.entries]}
