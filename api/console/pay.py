"""The pay and leave page, for payroll (and whoever the API lets read pay):
sick pay bands day by day grouped into periods, and the leave year's ledger.
Never a reason, a note or a meeting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.console.access import PageRoute, day, viewer
from api.console.pages import render
from api.console.pay_periods import current_leave_year, pay_periods
from api.http.deps import may_read, require_employee
from domain.exceptions import LedgerError
from projections.view import EmployeeView
from service import pay

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/pay")
def pay_page(request: Request, employee_id: str = "", start: str | None = None, end: str | None = None) -> Response:
    who = viewer(request)
    may_read(who, "pay")
    last = day(end, "end")
    first = day(start, "start") if start else last - timedelta(days=364)
    page: dict[str, Any] = {"employee_id": employee_id, "start": first, "end": last, "sick_pay": None, "leave": None}
    if employee_id:
        services = request.app.state.services
        history = require_employee(services, who, employee_id, "pay")
        require_employee(services, who, employee_id, "leave")
        try:
            page["sick_pay"] = {"periods": pay_periods(pay.pay_days(services, employee_id, first, last)), "note": None}
        except LedgerError as error:
            page["sick_pay"] = {"periods": [], "note": str(error)}
        try:
            page["leave"] = current_leave_year(services, employee_id,
                                               EmployeeView.of(history, last).registration.leave_year_start, last)
        except LedgerError as error:
            page["leave"] = {"note": str(error)}
    return render(request, "pay.html", f"Pay and leave of {employee_id}" if employee_id else "Pay and leave", **page)
