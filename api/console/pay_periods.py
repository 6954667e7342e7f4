"""Sick pay over time as a reader takes it in: runs of days on one band
(the pay calendar's own answers, grouped; nothing recomputed), and the
leave year that holds a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service import pay
from service.bootstrap import Services


def pay_periods(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive days off work on the same band, status and rule, as one period."""
    periods: list[dict[str, Any]] = []
    for each in days:
        if each["band"] is None:
            continue
        on = date.fromisoformat(each["date"])
        last = periods[-1] if periods else None
        if (last and last["to"] == on - timedelta(days=1) and
                (last["band"], last["status"], last["citation"]) == (each["band"], each["status"], each["citation"])):
            last["to"], last["days"] = on, last["days"] + 1
        else:
            periods.append({"from": on, "to": on, "days": 1, "band": each["band"], "status": each["status"],
                            "pay_percent": each["pay_percent"], "rule": each["rule"], "citation": each["citation"]})
    return periods


def current_leave_year(services: Services, employee_id: str, leave_year_start: str, on: date) -> dict[str, Any]:
    """The leave year holding `on`, as of `on`."""
    start, _ = pay.leave_year_bounds(leave_year_start, on.year)
    year = on.year if start <= on else on.year - 1
    return pay.leave_year(services, employee_id, year, as_of=on)
