"""The rows of the CQRS read model for one employee (SPEC 10), as pure data.

`employee_rows` turns what the ledger knows of an employee, on a day, into
the rows each read-model table holds for them: their status, their worklist
items, leave balance, sick pay status and their contributions to the
absence statistics. The store (service.read_model_store) replaces an
employee's rows with these in one transaction with its tracking record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby
from typing import Any

from domain.calendar import add_months
from domain.events import MeetingHeld
from domain.reasons import GROUP_OF
from domain.events import Fact
from domain.rulebook import Rulebook, RulebookRegistry
from projections.attention import NeedsAttention, each_evaluated
from projections.reports import priority_entry, sickness_days_lost
from projections.status import Status, evaluate_view
from projections.view import EmployeeView
from projections.worklist import attention_items, worklist_items

PROJECTIONS = ("employee_status", "status_document", "worklist", "leave_balance", "sick_pay_status", "absence_stats")
#: full time for FTE: the NHS standard week
FULL_TIME_HOURS = 37.5
STATS_MONTHS = 24
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class EmployeeRows:
    employee_id: str
    status: dict[str, Any]
    worklist: list[dict[str, Any]]
    leave: dict[str, Any] | None
    sick_pay: dict[str, Any] | None
    stats: list[dict[str, Any]]
    #: the status the rows came from (None: the record needs attention), and
    #: the version of the employee's history it was evaluated from
    evaluated: Status | None = None
    version: int = 0


def _status_row(view: EmployeeView, status: Status) -> dict[str, Any]:
    short, long = status.short_term, status.long_term
    return {
        "employee_id": view.employee_id, "manager_id": view.manager_id, "department": view.department,
        "policy": status.policy, "as_of": status.as_of.isoformat(),
        "short_term_level": short.level, "long_term_level": long.level,
        "working_days_lost_12m": short.working_days_lost_12m, "episodes_12m": short.episodes_12m,
        "triggers_hit": sum(len(review.rules) for review in status.reviews_due),
        # The priority list ranks on every working day lost to sickness,
        # long-term included, then on the absences that lost them (SPEC 10).
        **dict(zip(("sickness_days_lost_12m", "absences_12m"), sickness_days_lost(view), strict=True)),
        "open_case": priority_entry(view, status) is not None,
        "reviews_due": [r.as_dict() for r in status.reviews_due],
        "actions_due": [a.as_dict(status.as_of) for a in status.open_actions],
    }


@lru_cache(maxsize=1024)  # strftime is slow, and every employee names the same few months
def _month_name(year: int, month: int) -> str:
    return date(year, month, 1).strftime("%Y-%m")


@lru_cache(maxsize=256)  # every employee counts over the same months
def _months(first: date, as_of: date) -> tuple[tuple[date, date], ...]:
    """Each month from the one starting `first` to the one holding `as_of`:
    its first day and its last (no later than `as_of`)."""
    months = []
    while first <= as_of:
        following = add_months(first, 1)
        months.append((first, min(following - ONE_DAY, as_of)))
        first = following
    return tuple(months)


def _stats_rows(view: EmployeeView) -> list[dict[str, Any]]:
    """Per month, this employee's FTE days available and lost by reason
    group, episodes started, and returns with their welcome-back timing."""
    as_of, calendar, department = view.as_of, view.calendar, view.department or ""
    first_month = max(date(view.registration.starts.year, view.registration.starts.month, 1),
                      add_months(date(as_of.year, as_of.month, 1), -(STATS_MONTHS - 1)))
    meetings = [m.date for m in view.of_type(MeetingHeld) if m.kind == "welcome_back"]
    rows: dict[tuple[int, int, str], dict[str, Any]] = {}

    def row(day: date, group: str) -> dict[str, Any]:
        """The row of the month `day` is in (keyed by numbers: sorts as the month's name does)."""
        key = (day.year, day.month, group)
        if key not in rows:
            rows[key] = {"month": _month_name(day.year, day.month), "department": department, "reason_group": group,
                         "fte_days_lost": 0.0, "fte_days_available": 0.0, "episodes": 0,
                         "returns": 0, "returns_discussed_72h": 0}
        return rows[key]

    ended, starts = view.employment_ended, view.registration.starts
    for month, month_end in _months(first_month, as_of):
        last = min(month_end, ended or as_of)
        fte = view.contract_on(month, "contracted_hours") / FULL_TIME_HOURS
        available = calendar.count_working_days(max(month, starts), last) if last >= month else 0
        row(month, "")["fte_days_available"] += available * fte
    for absence in view.absences:
        group = GROUP_OF.get(absence.reason or "", "unknown")
        if absence.first_day >= first_month:
            row(absence.first_day, group)["episodes"] += 1
        lost = calendar.working_days(max(absence.first_day, first_month), absence.last_day_by(as_of))
        # A month's row once, then its days added one by one (the same sum, in the same order, as day by day)
        for _, month_days in groupby(lost, key=lambda day: (day.year, day.month)):
            days = list(month_days)
            record = row(days[0], group)
            fte_days_lost = record["fte_days_lost"]
            for hours in view.contract_on_days(days, "contracted_hours"):
                fte_days_lost += hours / FULL_TIME_HOURS
            record["fte_days_lost"] = fte_days_lost
        if absence.last_day is not None and absence.last_day < as_of and absence.last_day >= first_month:
            back = absence.last_day + ONE_DAY
            record = row(back, group)
            record["returns"] += 1
            record["returns_discussed_72h"] += any(back <= m <= back + timedelta(days=3) for m in meetings)
    for record in rows.values():
        record["fte_days_lost"] = round(record["fte_days_lost"], 4)
        record["fte_days_available"] = round(record["fte_days_available"], 4)
    return [record for _, record in sorted(rows.items())]


def employee_rows(view: EmployeeView, rulebook: Rulebook) -> EmployeeRows:
    status = evaluate_view(view, rulebook)
    leave = status.annual_leave.as_dict() if status.annual_leave else None
    pay = {**status.sick_pay.as_dict(), "ssp": status.ssp} if status.sick_pay else None
    return EmployeeRows(
        view.employee_id, _status_row(view, status), worklist_items(view, status),
        {"employee_id": view.employee_id, **leave} if leave else None,
        {"employee_id": view.employee_id, **pay} if pay else None,
        _stats_rows(view), status,
    )


def attention_rows(attention: NeedsAttention, as_of: date) -> EmployeeRows:
    """An employee whose record could not be evaluated: no case, no pay or
    leave rows, and a worklist item saying so, with the error."""
    status: dict[str, Any] = {"employee_id": attention.employee_id, "manager_id": attention.manager_id, "department": None,
              "policy": None, "as_of": as_of.isoformat(), "short_term_level": 0, "long_term_level": 0,
              "working_days_lost_12m": 0, "sickness_days_lost_12m": 0, "absences_12m": 0, "episodes_12m": 0,
              "triggers_hit": 0, "open_case": False,
              "reviews_due": [], "actions_due": [], "needs_attention": attention.error}
    return EmployeeRows(attention.employee_id, status, attention_items(attention, as_of), None, None, [])


def read_model_rows(history: list[Fact], registry: RulebookRegistry, as_of: date) -> EmployeeRows:
    """The employee's rows on `as_of`, or - when their record cannot be
    evaluated - rows saying it needs attention (never an error that would
    stop the rows of everyone else)."""
    [each] = each_evaluated([history], as_of, None, lambda view: employee_rows(view, registry.get(view.policy)))
    return attention_rows(each, as_of) if isinstance(each, NeedsAttention) else replace(each[1], version=len(history))
