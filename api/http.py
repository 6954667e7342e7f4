"""The HTTP API (FastAPI): the ledger's commands and queries behind bearer
tokens and roles (api.auth), errors as RFC 9457 problem+json.

Every read of health data is written to the access log (who, what, when).
Nothing is stored when a request fails.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Annotated, Any

from eventsourcing.persistence import IntegrityError
from fastapi import Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from api.auth import Caller, Denied, Role, caller
from consumers.projector import Projector, TickOutOfOrder
from consumers.read_model_store import read_model_store
from domain.application import AttendanceLedger
from domain.casefile import parse_case
from domain.events import EmployeeRegistered, UnknownEventType, parse_fact
from domain.exceptions import EmployeeNotFound, InvalidEvent, LedgerError
from domain.reasons import GROUP_OF
from projections.explain import explain_view
from projections.leave import LeaveLedger
from projections.pay import PayCalendar
from projections.status import evaluate
from projections.view import EmployeeView
from projections.worklist import worklist

PROBLEM = "application/problem+json"
EVERYONE = frozenset(Role)
#: who may see what about an employee (before the own-record and own-report checks)
READS = {
    "status": {Role.employee, Role.manager, Role.hr, Role.auditor},
    "explain": {Role.employee, Role.manager, Role.hr, Role.auditor},
    "history": {Role.employee, Role.manager, Role.hr, Role.auditor},
    "pay": {Role.employee, Role.hr, Role.payroll, Role.auditor},
    "leave": {Role.employee, Role.manager, Role.hr, Role.payroll, Role.auditor},
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
                        status_code=status, media_type=PROBLEM)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), time(23, 59, 59), tzinfo=timezone.utc)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def authenticated(authorization: Annotated[str | None, Header()] = None) -> Caller:
    return caller(authorization)


#: the caller of a request, from its bearer token (module level: FastAPI
#: resolves the annotations of the endpoints here)
Who = Annotated[Caller, Depends(authenticated)]


def create_app(ledger: AttendanceLedger | None = None, access_log: Path | None = None) -> FastAPI:
    ledger = ledger or AttendanceLedger()
    log_path = access_log or Path(os.environ.get("ATTENDANCE_ACCESS_LOG", "access.log"))
    store = read_model_store(ledger.database_url)
    app = FastAPI(title="Attendance Ledger", version="1",
                  description="Sickness absence, triggers and reviews under versioned policies.")

    # --- errors ----------------------------------------------------------------------

    @app.exception_handler(Denied)
    async def denied(_request: Request, error: Denied) -> JSONResponse:
        title = "Unauthorized" if error.status == 401 else "Forbidden"
        response = problem(error.status, title, error.detail)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(EmployeeNotFound)
    async def not_found(_request: Request, error: EmployeeNotFound) -> JSONResponse:
        return problem(404, "Not Found", str(error))

    @app.exception_handler(InvalidEvent)
    async def invalid(_request: Request, error: InvalidEvent) -> JSONResponse:
        return problem(422, "Invalid event", str(error), errors=[{"field": error.field, "message": error.message}])

    @app.exception_handler(LedgerError)
    async def ledger_error(_request: Request, error: LedgerError) -> JSONResponse:
        return problem(422, "Unprocessable", str(error))

    @app.exception_handler(RequestValidationError)
    async def unreadable(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in error.errors()]
        return problem(422, "Invalid request", errors[0]["field"] + ": " + errors[0]["message"], errors=errors)

    @app.exception_handler(TickOutOfOrder)
    async def read_model_ahead(_request: Request, error: TickOutOfOrder) -> JSONResponse:
        return problem(409, "Conflict", str(error))

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, _error: IntegrityError) -> JSONResponse:
        response = problem(409, "Conflict", "another change to this employee was recorded first: retry")
        response.headers["Retry-After"] = "1"
        return response

    # --- who may do what ---------------------------------------------------------------

    def require(who: Caller, roles: set[Role] | frozenset[Role]) -> None:
        if who.role not in roles:
            raise Denied(f"the {who.role.value} role may not do this")

    def require_employee(who: Caller, employee_id: str, what: str) -> list:
        """The employee's history, if this caller may see `what` of it."""
        require(who, READS[what])
        history = ledger.history(employee_id)
        if who.role is Role.employee and who.employee_id != employee_id:
            raise Denied("employees may see only their own record")
        if who.role is Role.manager:
            view = EmployeeView.of(history, date.today())
            if view.manager_id != who.subject:
                raise Denied("managers may see only their own reports")
        if what != "pay":
            _log(who, employee_id, what)
        return history

    def _log(who: Caller, employee_id: str, what: str) -> None:
        entry = {"at": datetime.now(timezone.utc).isoformat(), "who": who.actor, "employee": employee_id,
                 "read": what}
        with log_path.open("a") as file:
            file.write(json.dumps(entry, sort_keys=True) + "\n")

    # --- commands ------------------------------------------------------------------------

    @app.post("/employees", status_code=201)
    def register(who: Who, registration: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        require(who, {Role.hr})
        try:
            fact = EmployeeRegistered.model_validate({**registration, "actor": who.actor})
        except ValidationError as error:
            first = error.errors()[0]
            raise InvalidEvent(".".join(str(p) for p in first["loc"]), first["msg"]) from None
        ledger.register_employee(fact)
        return {"employee_id": fact.employee_id}

    @app.post("/employees/{employee_id}/events", status_code=201)
    def record(who: Who, employee_id: str, event: Annotated[dict[str, Any], Body()],
               idempotency_key: Annotated[str | None, Header(max_length=128)] = None) -> dict[str, Any]:
        """Record one event; an Idempotency-Key makes a retry return the first result."""
        require(who, {Role.hr, Role.manager})
        if who.role is Role.manager:
            require_employee(who, employee_id, "status")
        if idempotency_key:
            done = [f for f in ledger.history(employee_id) if f.correlation_id == idempotency_key]
            if done:
                return {"event_id": done[0].event_id, "replayed": True}
        try:
            fact = parse_fact({**event, "actor": who.actor, "correlation_id": idempotency_key})
        except UnknownEventType as error:
            raise InvalidEvent("type", str(error)) from None
        except ValidationError as error:
            first = error.errors()[0]
            raise InvalidEvent(".".join(str(p) for p in first["loc"]), first["msg"]) from None
        return {"event_id": ledger.record_event(employee_id, fact), "replayed": False}

    @app.post("/import")
    def import_case(who: Who, case: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        require(who, {Role.hr})
        result = ledger.import_case(parse_case(case, actor=who.actor))
        return {"employee_id": result.employee_id, "stored": result.stored, "already_held": result.already_held}

    # --- queries ----------------------------------------------------------------------------

    @app.get("/employees/{employee_id}/status")
    def status(who: Who, employee_id: str, as_of: date, known_at: str | None = None,
               policy: str | None = None) -> dict[str, Any]:
        history = require_employee(who, employee_id, "status")
        return evaluate(history, ledger.registry, as_of, _moment(known_at), policy)

    @app.get("/employees/{employee_id}/explain")
    def explain(who: Who, employee_id: str, as_of: date, known_at: str | None = None,
                policy: str | None = None) -> dict[str, Any]:
        history = require_employee(who, employee_id, "explain")
        view = EmployeeView.of(history, as_of, _moment(known_at))
        return explain_view(view, ledger.registry.get(policy or view.policy), ledger.registry)

    @app.get("/employees/{employee_id}/history")
    def history(who: Who, employee_id: str) -> list[dict[str, Any]]:
        facts = [f.payload() for f in require_employee(who, employee_id, "history")]
        if who.role is Role.manager:  # a manager sees the reason's group, never the code or a note
            facts = [{k: (GROUP_OF.get(v, v) if k == "reason" and f["type"] != "EventRetracted" else v)
                      for k, v in f.items() if k not in ("note", "description")} for f in facts]
        return facts

    @app.get("/employees/{employee_id}/pay")
    def pay(who: Who, employee_id: str, start: Annotated[date, Query(alias="from")],
            end: Annotated[date, Query(alias="to")]) -> list[dict[str, Any]]:
        history = require_employee(who, employee_id, "pay")
        latest = max([end, *(f.effective_day for f in history if f.effective_day)])
        view = EmployeeView.of(history, latest)
        rulebook = ledger.registry.get(view.policy)
        if rulebook.sick_pay is None:
            raise LedgerError(f"rulebook {rulebook.id} holds no sick pay terms")
        return [d.as_dict() for d in PayCalendar(view, rulebook.sick_pay).days(start, end)]

    @app.get("/employees/{employee_id}/leave")
    def leave(who: Who, employee_id: str, year: int) -> dict[str, Any]:
        history = require_employee(who, employee_id, "leave")
        view = EmployeeView.of(history, date(year + 1, 3, 31))
        rulebook = ledger.registry.get(view.policy)
        if rulebook.annual_leave is None:
            raise LedgerError(f"rulebook {rulebook.id} holds no annual leave terms")
        month, day = (int(p) for p in view.registration.leave_year_start.split("-"))
        leave_year = LeaveLedger(view, rulebook.annual_leave, rulebook.sick_pay).year(date(year, month, day))
        return {**leave_year.as_dict(), "entries": [e.as_dict() for e in leave_year.entries]}

    @app.get("/worklist")
    def work(who: Who, as_of: date) -> list[dict[str, Any]]:
        require(who, {Role.manager, Role.hr, Role.auditor})
        items = worklist(ledger.histories(), ledger.registry, as_of)
        return [i for i in items if who.role is not Role.manager or i["manager_id"] == who.subject]

    @app.get("/priority-cases")
    def priority(who: Who, as_of: date | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        """From the read model, brought up to date in-process (default: today)."""
        require(who, {Role.hr, Role.auditor})
        Projector(ledger, store, as_of or date.today()).catch_up()
        return store.priority_cases(limit)

    @app.get("/stats")
    def stats(who: Who, as_of: date | None = None,
              month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None) -> list[dict[str, Any]]:
        require(who, {Role.hr, Role.auditor, Role.manager})
        Projector(ledger, store, as_of or date.today()).catch_up()
        return store.stats(month)

    return app
