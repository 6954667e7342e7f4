"""Record forms for the common events, so nobody writes JSON: each form is
a list of fields of one event type, checked by the same models as the API
(domain.events.parse_fact) and stored by the same use case
(service.records.record); an error names its field on the form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from api.auth import Denied, Role
from api.console.access import PageRoute, viewer
from api.console.forms import form_errors
from api.console.pages import render
from api.console.session import check_csrf
from api.http.deps import require, require_employee, require_may_record
from domain.events import AnnualLeaveBooked, parse_fact
from domain.exceptions import InvalidEvent, LedgerError
from domain.reasons import GROUP_OF, REASONS
from projections.view import EmployeeView
from service import records

router = APIRouter(route_class=PageRoute, include_in_schema=False)
OUTCOMES = ("no_further_action", "monitoring", "escalate", "redeployment", "dismissal", "ill_health_retirement")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "date"  # date, text, textarea, select, checkbox, number, absence, open_absence
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class Form:
    slug: str
    title: str
    type: str
    fields: tuple[Field, ...]
    fixed: dict[str, Any] = field(default_factory=dict)
    intro: str = ""


def _choices(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((v, v.replace("_", " ")) for v in values)


NOTE = Field("note", "Note", "textarea", "Health information: write only what managing the absence needs.", optional=True)
FORMS = (
    Form("sickness", "Report sickness", "SicknessReported", (
        Field("absence_id", "Absence reference", "text", "A short reference for this absence, unique for the employee."),
        Field("first_day", "First day of sickness"),
        Field("reason", "Reason", "select", "The ESR reason code.",
              tuple((code, f"{code} {text} ({GROUP_OF[code].replace('_', ' ')})") for code, text in REASONS.items())),
        Field("expected_return", "Expected return", hint="If known.", optional=True),
        Field("work_related", "The sickness is related to work", "checkbox", optional=True),
    )),
    Form("return", "Record a return to work", "ReturnedToWork", (
        Field("absence_id", "Absence", "open_absence"),
        Field("first_day_back", "First day back at work"),
    )),
    Form("fit-note", "Record a fit note", "FitNoteReceived", (
        Field("absence_id", "Absence", "absence"),
        Field("issued_on", "Issued on"),
        Field("covers_from", "Covers from"),
        Field("covers_to", "Covers to"),
        Field("received_on", "Received on"),
        Field("may_be_fit", "The note says the employee may be fit for work", "checkbox", optional=True),
    )),
    Form("welcome-back", "Record a welcome-back discussion", "MeetingHeld", (
        Field("date", "Date of the discussion"),
        Field("outcome", "Outcome", "select", options=_choices(OUTCOMES[:2])),
        NOTE,
    ), fixed={"kind": "welcome_back"}, intro="The return-to-work discussion held after an absence."),
    Form("review", "Record a review meeting", "MeetingHeld", (
        Field("kind", "Review", "select", options=_choices(("informal_review", "formal_review", "final_review"))),
        Field("date", "Date of the meeting"),
        Field("outcome", "Outcome", "select", options=_choices(OUTCOMES)),
        Field("track", "Track", "select", "Leave as the review that was due, unless it was for the other track.",
              (("", "the review that was due"), ("short_term", "short-term"), ("long_term", "long-term")), optional=True),
        Field("monitoring_months", "Monitoring period in months", "number", "If the outcome sets one.", optional=True),
        NOTE,
    ), intro="The decision is stamped with the policy and the status shown, for audit."),
    Form("oh-referral", "Record an occupational health referral", "OccupationalHealthReferred", (
        Field("date", "Referred on"), NOTE)),
    Form("oh-report", "Record an occupational health report", "OccupationalHealthReported", (
        Field("date", "Report received on"),
        Field("outcome", "Advice", "select",
              options=(("", "not stated"),) + _choices(("fit", "fit_with_adjustments", "unfit", "disability_likely")),
              optional=True),
        NOTE)),
    Form("annual-leave", "Book annual leave", "AnnualLeaveBooked", (
        Field("leave_id", "Leave reference", "text", "A short reference for this booking, unique for the employee."),
        Field("from", "From"),
        Field("to", "To"),
        Field("hours", "Hours", "number", "The hours of leave this booking uses."),
    )),
)
BY_SLUG = {f.slug: f for f in FORMS}


def _form(slug: str) -> Form:
    if slug not in BY_SLUG:
        raise Denied(f"there is no form {slug!r}", 404)
    return BY_SLUG[slug]


def _next_id(prefix: str, taken: set[str]) -> str:
    number = len(taken) + 1
    while f"{prefix}{number}" in taken:
        number += 1
    return f"{prefix}{number}"


def _defaults(view: EmployeeView) -> dict[str, str]:
    """Suggested references that are free for this employee."""
    return {"absence_id": _next_id("A", {a.absence_id for a in view.absences}),
            "leave_id": _next_id("L", {b.leave_id for b in view.of_type(AnnualLeaveBooked)})}


def _absences(view: EmployeeView, open_only: bool) -> tuple[tuple[str, str], ...]:
    return tuple((a.absence_id, f"{a.absence_id}, from {a.first_day}" + (f" to {a.last_day}" if a.last_day else ", ongoing"))
                 for a in reversed(view.absences) if not open_only or a.last_day is None)


def _allowed(request: Request, employee_id: str) -> tuple[Any, EmployeeView]:
    """As the API's POST /employees/{id}/events: HR, or the employee's manager."""
    who = viewer(request)
    require(who, {Role.hr, Role.manager})
    history = require_employee(request.app.state.services, who, employee_id, "status")
    return who, EmployeeView.of(history, date.today())


def _show(request: Request, form: Form, employee_id: str, view: EmployeeView, values: dict[str, str],
          errors: list[dict[str, str]], status: int = 200) -> Response:
    options = {"absence": _absences(view, False), "open_absence": _absences(view, True)}
    return render(request, "record.html", f"{form.title} for {employee_id}", status=status, form=form,
                  employee_id=employee_id, values=values, errors=errors, absence_options=options,
                  error_of={e["field"]: e["message"] for e in errors})


@router.get("/people/{employee_id}/record/{slug}")
def record_form(request: Request, employee_id: str, slug: str) -> Response:
    form = _form(slug)
    _, view = _allowed(request, employee_id)
    return _show(request, form, employee_id, view, _defaults(view), [])


@router.post("/people/{employee_id}/record/{slug}")
async def record(request: Request, employee_id: str, slug: str) -> Response:
    form = _form(slug)
    submitted = await request.form()
    check_csrf(request, str(submitted.get("csrf_token", "")))
    who, view = _allowed(request, employee_id)
    values = {f.name: str(submitted.get(f.name, "")).strip() for f in form.fields}
    event: dict[str, Any] = {"type": form.type, **form.fixed}
    for each in form.fields:
        if each.kind == "checkbox":
            event[each.name] = values[each.name] == "yes"
        elif values[each.name]:
            event[each.name] = values[each.name]
    require_may_record(who, form.type)
    try:
        recorded = records.record(request.app.state.services, employee_id, parse_fact(event), actor=who.actor)
    except (ValidationError, InvalidEvent) as error:
        return _show(request, form, employee_id, view, values, form_errors(error), status=422)
    except LedgerError as error:
        return _show(request, form, employee_id, view, values, [{"field": "form", "message": str(error)}], 422)
    return RedirectResponse(f"/people/{employee_id}?recorded={recorded.event_id}", status_code=303)
