"""The employee page: the timeline, where they stand on each track (the
rule, its citation and the numbers counted), actions, sick pay, leave and
the history - each an answer of the service layer, shown to the roles the
API shows it to (a manager: reasons by group, no pay)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.auth import Caller, Role
from api.console import timeline
from api.console.access import PageRoute, day, viewer
from api.console.pages import render
from api.console.recording import FORMS
from api.console.pay_periods import current_leave_year, pay_periods
from api.http.deps import require, require_employee
from api.render import LEVELS
from domain.events import MeetingHeld
from domain.exceptions import LedgerError
from projections.view import EmployeeView
from projections.worklist import LABELS
from service import evaluation, pay, privacy

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: who may record events from the console: as the API's POST /employees/{id}/events
RECORDERS = {Role.manager, Role.hr}


@router.get("/me")
def my_record(request: Request) -> Response:
    who = viewer(request)
    require(who, {Role.employee})
    return RedirectResponse(f"/people/{who.employee_id}", status_code=303)


@router.get("/people/{employee_id}")
def employee_page(request: Request, employee_id: str, as_of: str | None = None, recorded: str | None = None
                  ) -> Response:
    who = viewer(request)
    services = request.app.state.services
    history = require_employee(services, who, employee_id, "status")
    on = day(as_of)
    try:
        view = EmployeeView.of(history, on)
        status = evaluation.status_of_history(services, history, on)
        explanation = privacy.for_role(who.role.value, evaluation.explain(services, employee_id, on))
    except Exception as error:  # noqa: BLE001 - as the worklist lists it: needing attention, with why
        return render(request, "refused.html", "This record needs attention", status=500,
                      reason=f"It could not be evaluated: {type(error).__name__}: {error}")
    start, end = timeline.last_year(on)
    full_reason = privacy.shown("sickness reason (ESR code)", who.role.value) is privacy.Shown.yes
    items = (timeline.absence_items(view.absences, on, full_reason) + timeline.meeting_items(view.of_type(MeetingHeld))
             + timeline.monitoring_items(status) + timeline.stage_items(status, view.of_type(MeetingHeld)))
    chart = timeline.chart(f"Absence timeline of {employee_id}", items, start, end, today=on)
    return render(request, "employee.html", f"Employee {employee_id}", employee_id=employee_id, as_of=on,
                  view=view, standing=status, explanation=explanation, levels=LEVELS, chart=chart,
                  sick_pay=_sick_pay(services, who, employee_id, start, end),
                  leave=_leave(services, employee_id, view, on),
                  history=privacy.for_role(who.role.value, [f.payload() for f in history]),
                  may_record=who.role in RECORDERS,
                  may_audit=who.role in {Role.hr, Role.auditor}, labels=LABELS,
                  record_forms=FORMS, recorded=recorded)


def _sick_pay(services, who: Caller, employee_id: str, start: date, end: date) -> dict | None:
    """The bands over the timeline's year, for the roles that may see pay."""
    if who.role.value not in privacy.readers("pay"):
        return None
    try:
        return {"periods": pay_periods(pay.pay_days(services, employee_id, start, end)), "note": None}
    except LedgerError as error:  # a rulebook without the organisation's sick pay terms
        return {"periods": [], "note": str(error)}


def _leave(services, employee_id: str, view: EmployeeView, on: date) -> dict:
    try:
        return current_leave_year(services, employee_id, view.registration.leave_year_start, on)
    except LedgerError as error:
        return {"note": str(error)}

