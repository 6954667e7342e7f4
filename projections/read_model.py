"""The rows of the CQRS read model for one employee (SPEC 10), as pure data.

`employee_rows` turns what the ledger knows of an employee, on a day, into
the rows each read-model table holds for them: their status, their worklist
items, leave balance, sick pay status and their contributions to the
absence statistics. The store (consumers.read_model_store) replaces an
employee's rows with these in one transaction with its tracking record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from domain.events import MeetingHeld
from domain.reasons import GROUP_OF
from domain.rulebook import Rulebook
from projections.reports import priority_entry, sickness_days_lost
from projections.status import evaluate_view
from projections.view import EmployeeView
from projections.worklist import worklist_items

PROJECTIONS = ("employee_status", "worklist", "leave_balance", "sick_pay_status", "absence_stats")
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


def _status_row(view: EmployeeView, status: dict[str, Any]) -> dict[str, Any]:
    short, long = status["tracks"]["short_term"], status["tracks"]["long_term"]
    triggers_hit = sum(1 for review in status["reviews_due"] for rule in review["rules"])
    return {
        "employee_id": view.employee_id, "manager_id": view.manager_id, "department": view.department,
        "policy": status["policy"], "as_of": status["as_of"],
        "short_term_level": short["level"], "long_term_level": long["level"],
        "working_days_lost_12m": short["working_days_lost_12m"], "episodes_12m": short["episodes_12m"],
        "triggers_hit": triggers_hit,
        # The priority list ranks on every working day lost to sickness,
        # long-term included (SPEC 10 corrected).
        "sickness_days_lost_12m": sickness_days_lost(view)[0],
        "open_case": priority_entry(view, status) is not None,
        "reviews_due": status["reviews_due"],
        "actions_due": [a for a in status["actions"] if not a["done"]],
    }


def _stats_rows(view: EmployeeView) -> list[dict[str, Any]]:
    """Per month, this employee's FTE days available and lost by reason
    group, episodes started, and returns with their welcome-back timing."""
    as_of, calendar = view.as_of, view.calendar
    first_month = max(date(view.registration.starts.year, view.registration.starts.month, 1),
                      date(as_of.year, as_of.month, 1) - relativedelta(months=STATS_MONTHS - 1))
    meetings = [m.date for m in view.of_type(MeetingHeld) if m.kind == "welcome_back"]
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(month: date, group: str) -> dict[str, Any]:
        key = (month.strftime("%Y-%m"), group)
        if key not in rows:
            rows[key] = {"month": key[0], "department": view.department or "", "reason_group": group,
                         "fte_days_lost": 0.0, "fte_days_available": 0.0, "episodes": 0,
                         "returns": 0, "returns_discussed_72h": 0}
        return rows[key]

    month = first_month
    ended = view.employment_ended
    while month <= as_of:
        last = min(month + relativedelta(months=1) - ONE_DAY, as_of, ended or as_of)
        fte = view.contract_on(month, "contracted_hours") / FULL_TIME_HOURS
        available = len(calendar.working_days(max(month, view.registration.starts), last)) if last >= month else 0
        row(month, "")["fte_days_available"] += available * fte
        month += relativedelta(months=1)
    for absence in view.absences:
        group = GROUP_OF.get(absence.reason or "", "unknown")
        if absence.first_day >= first_month:
            row(date(absence.first_day.year, absence.first_day.month, 1), group)["episodes"] += 1
        for day in calendar.working_days(max(absence.first_day, first_month), absence.last_day_by(as_of)):
            fte = view.contract_on(day, "contracted_hours") / FULL_TIME_HOURS
            row(date(day.year, day.month, 1), group)["fte_days_lost"] += fte
        if absence.last_day is not None and absence.last_day < as_of and absence.last_day >= first_month:
            back = absence.last_day + ONE_DAY
            record = row(date(back.year, back.month, 1), group)
            record["returns"] += 1
            record["returns_discussed_72h"] += any(back <= m <= back + timedelta(days=3) for m in meetings)
    return [{**r, "fte_days_lost": round(r["fte_days_lost"], 4),
             "fte_days_available": round(r["fte_days_available"], 4)} for _, r in sorted(rows.items())]


def employee_rows(view: EmployeeView, rulebook: Rulebook) -> EmployeeRows:
    status = evaluate_view(view, rulebook)
    leave = status["annual_leave"] if rulebook.annual_leave else None
    pay = {**status["sick_pay"], "ssp": status["ssp"]} if rulebook.sick_pay else None
    return EmployeeRows(
        view.employee_id, _status_row(view, status), worklist_items(view, status),
        {"employee_id": view.employee_id, **leave} if leave else None,
        {"employee_id": view.employee_id, **pay} if pay else None,
        _stats_rows(view),
    )
