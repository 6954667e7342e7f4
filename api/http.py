"""The HTTP API (FastAPI): the ledger's commands and queries behind bearer
tokens and roles (api.auth), errors as RFC 9457 problem+json.

Every read of health data is written to the access log (who, what, when).
Nothing is stored when a request fails.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any
from uuid import uuid4

from eventsourcing.persistence import IntegrityError
from fastapi import Body, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Caller, Denied, Role, caller
from api.console.signin import router as console_sign_in
from api.docs_assets import mount_docs_and_probes
from consumers.projector import Projector, TickOutOfOrder
from consumers.read_model_store import read_model_store
from domain.application import AttendanceLedger
from domain.casefile import parse_case
from domain.erasure import EmployeeErased
from domain.events import EmployeeRegistered, UnknownEventType, parse_fact
from domain.exceptions import EmployeeNotFound, InvalidEvent, LedgerError
from domain.history import parse_known_at
from domain.reasons import GROUP_OF
from projections.explain import explain_view
from projections.leave import LeaveLedger
from projections.pay import PayCalendar
from projections.replay import replay
from projections.status import evaluate
from projections.view import EmployeeView
from projections.worklist import worklist

PROBLEM = "application/problem+json"
#: the days the API evaluates: a century either side of now is every real question
Day = Annotated[date, Query(ge=date(1900, 1, 1), le=date(2199, 12, 31))]
MAX_BODY_BYTES = 1_000_000   # a case file of a very long career fits in well under this
MAX_JSON_DEPTH = 32          # the deepest real document nests 4 levels
EVERYONE = frozenset(Role)
#: who may see what about an employee (before the own-record and own-report checks)
READS = {
    "status": {Role.employee, Role.manager, Role.hr, Role.auditor},
    "explain": {Role.employee, Role.manager, Role.hr, Role.auditor},
    "history": {Role.employee, Role.manager, Role.hr, Role.auditor},
    "pay": {Role.employee, Role.hr, Role.payroll, Role.auditor},
    "leave": {Role.employee, Role.manager, Role.hr, Role.payroll, Role.auditor},
    "export": {Role.employee, Role.hr, Role.auditor},
}


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
                        status_code=status, media_type=PROBLEM)


def _moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_known_at(value)
    except ValueError:
        raise InvalidEvent("known_at", f"{value!r} is not an ISO timestamp or date") from None


REGISTRATION = {"employee_id": "ESR-100231", "service_start": "2016-09-05", "contracted_hours": 37.5,
                "calendar": "england-and-wales", "policy": "sath-w22-v6", "manager_id": "MGR-WARD7"}
EVENT_EXAMPLES = [
    {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-10-20", "reason": "S13"},
    {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-10-22"},
    {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-11-03", "outcome": "monitoring"},
]
CASE_EXAMPLE = {"employee": REGISTRATION, "events": EVENT_EXAMPLES[:2]}


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests, without parsing it (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        char = chr(byte)
        if in_string:
            escaped, in_string = (not escaped and char == "\\"), in_string and (escaped or char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def authenticated(authorization: Annotated[str | None, Header()] = None) -> Caller:
    return caller(authorization)


#: the caller of a request, from its bearer token (module level: FastAPI
#: resolves the annotations of the endpoints here)
Who = Annotated[Caller, Depends(authenticated)]


def create_app(ledger: AttendanceLedger | None = None, access_log: Path | None = None) -> FastAPI:
    ledger = ledger or AttendanceLedger()
    log_path = access_log or Path(os.environ.get("ATTENDANCE_ACCESS_LOG", "access.log"))
    store = read_model_store(ledger.database_url)
    app = FastAPI(title="Attendance Ledger", version="1", docs_url=None, redoc_url=None,
                  description="Sickness absence, triggers and reviews under versioned policies.")
    mount_docs_and_probes(app, ready=ledger.recorder.max_notification_id)
    app.include_router(console_sign_in)

    jobs: dict[str, dict[str, Any]] = {}
    runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay")

    @app.middleware("http")
    async def limit_bodies(request: Request, call_next):
        """Refuse oversized or deeply nested bodies before anything reads them."""
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return problem(413, "Content Too Large", f"the body may be at most {MAX_BODY_BYTES} bytes")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return problem(413, "Content Too Large", f"the body may be at most {MAX_BODY_BYTES} bytes")
        if json_depth(body) > MAX_JSON_DEPTH:
            return problem(400, "Bad Request", f"JSON may nest at most {MAX_JSON_DEPTH} levels")
        return await call_next(request)

    # --- errors ----------------------------------------------------------------------

    @app.exception_handler(Denied)
    async def denied(_request: Request, error: Denied) -> JSONResponse:
        title = {401: "Unauthorized", 404: "Not Found"}.get(error.status, "Forbidden")
        response = problem(error.status, title, error.detail)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, HTTPStatus(error.status_code).phrase, str(error.detail))

    @app.exception_handler(EmployeeErased)
    async def gone(_request: Request, error: EmployeeErased) -> JSONResponse:
        return problem(410, "Gone", str(error))

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
        entry = {"at": datetime.now(timezone.utc).isoformat(), "who": who.who, "employee": employee_id,
                 "read": what}
        with log_path.open("a") as file:
            file.write(json.dumps(entry, sort_keys=True) + "\n")

    # --- commands ------------------------------------------------------------------------

    @app.post("/employees", status_code=201)
    def register(who: Who, registration: Annotated[dict[str, Any], Body(examples=[REGISTRATION])]) -> dict[str, Any]:
        require(who, {Role.hr})
        try:
            fact = EmployeeRegistered.model_validate({**registration, "actor": who.actor})
        except ValidationError as error:
            first = error.errors()[0]
            raise InvalidEvent(".".join(str(p) for p in first["loc"]), first["msg"]) from None
        ledger.register_employee(fact)
        return {"employee_id": fact.employee_id}

    @app.post("/employees/{employee_id}/events", status_code=201)
    def record(who: Who, employee_id: str, event: Annotated[dict[str, Any], Body(examples=EVENT_EXAMPLES)],
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

    @app.delete("/employees/{employee_id}", status_code=204)
    def erase(who: Who, employee_id: str) -> None:
        """Erase by crypto-shredding, once the retention period has passed."""
        require(who, {Role.hr})
        years = int(os.environ.get("ATTENDANCE_RETENTION_YEARS", "6"))
        ledger.erase_employee(employee_id, date.today(), years)
        store.forget(employee_id)
        _log(who, employee_id, "erase")

    @app.post("/import")
    def import_case(who: Who, case: Annotated[dict[str, Any], Body(examples=[CASE_EXAMPLE])]) -> dict[str, Any]:
        require(who, {Role.hr})
        result = ledger.import_case(parse_case(case, actor=who.actor))
        return {"employee_id": result.employee_id, "stored": result.stored, "already_held": result.already_held}

    # --- queries ----------------------------------------------------------------------------

    @app.get("/employees/{employee_id}/status")
    def status(who: Who, employee_id: str, as_of: Day, known_at: str | None = None,
               policy: str | None = None) -> dict[str, Any]:
        history = require_employee(who, employee_id, "status")
        return evaluate(history, ledger.registry, as_of, _moment(known_at), policy)

    @app.get("/employees/{employee_id}/explain")
    def explain(who: Who, employee_id: str, as_of: Day, known_at: str | None = None,
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
    def pay(who: Who, employee_id: str,
            start: Annotated[date, Query(alias="from", ge=date(1900, 1, 1), le=date(2199, 12, 31))],
            end: Annotated[date, Query(alias="to", ge=date(1900, 1, 1), le=date(2199, 12, 31))]) -> list[dict[str, Any]]:
        history = require_employee(who, employee_id, "pay")
        latest = max([end, *(f.effective_day for f in history if f.effective_day)])
        view = EmployeeView.of(history, latest)
        rulebook = ledger.registry.get(view.policy)
        if rulebook.sick_pay is None:
            raise LedgerError(f"rulebook {rulebook.id} holds no sick pay terms")
        return [d.as_dict() for d in PayCalendar(view, rulebook.sick_pay).days(start, end)]

    @app.get("/employees/{employee_id}/leave")
    def leave(who: Who, employee_id: str, year: Annotated[int, Query(ge=1900, le=2199)]) -> dict[str, Any]:
        history = require_employee(who, employee_id, "leave")
        view = EmployeeView.of(history, date(year + 1, 3, 31))
        rulebook = ledger.registry.get(view.policy)
        if rulebook.annual_leave is None:
            raise LedgerError(f"rulebook {rulebook.id} holds no annual leave terms")
        month, day = (int(p) for p in view.registration.leave_year_start.split("-"))
        leave_year = LeaveLedger(view, rulebook.annual_leave, rulebook.sick_pay).year(date(year, month, day))
        return {**leave_year.as_dict(), "entries": [e.as_dict() for e in leave_year.entries]}

    @app.get("/employees/{employee_id}/export")
    def export(who: Who, employee_id: str) -> dict[str, Any]:
        """Right of access: the employee's whole record, portable JSON."""
        require(who, {Role.employee, Role.hr, Role.auditor})
        history = require_employee(who, employee_id, "export")
        return {"employee_id": employee_id, "exported_at": datetime.now(timezone.utc).isoformat(),
                "format": "attendance-ledger case file, version 1",
                "case": {"employee": history[0].payload(), "events": [f.payload() for f in history[1:]]}}

    @app.post("/replay", status_code=202)
    def start_replay(who: Who, policy: Annotated[str, Body()],
                     as_of: Annotated[date, Body(ge=date(1900, 1, 1), le=date(2199, 12, 31))],
                     compare: Annotated[str | None, Body()] = None) -> dict[str, Any]:
        """Replay the population under a policy (and compare): a job to poll."""
        require(who, {Role.hr, Role.auditor})
        policies = [ledger.registry.get(p).id for p in filter(None, [policy, compare])]
        job_id = uuid4().hex
        jobs[job_id] = {"id": job_id, "state": "running", "done": 0, "total": None, "result": None}

        def work() -> None:
            histories = ledger.histories()
            jobs[job_id]["total"] = len(histories)

            def tick() -> None:
                jobs[job_id]["done"] += 1

            jobs[job_id]["result"] = replay(histories, ledger.registry, policies, as_of, progress=tick).as_dict()
            jobs[job_id]["state"] = "finished"

        runner.submit(work)
        return {"id": job_id, "state": "running", "poll": f"/replay/{job_id}"}

    @app.get("/replay/{job_id}")
    def replay_job(who: Who, job_id: str) -> dict[str, Any]:
        require(who, {Role.hr, Role.auditor})
        if job_id not in jobs:
            raise Denied("no such replay job", 404)
        return jobs[job_id]

    @app.get("/worklist")
    def work(who: Who, as_of: Day) -> list[dict[str, Any]]:
        require(who, {Role.manager, Role.hr, Role.auditor})
        items = worklist(ledger.histories(), ledger.registry, as_of)
        return [i for i in items if who.role is not Role.manager or i["manager_id"] == who.subject]

    @app.get("/priority-cases")
    def priority(who: Who, as_of: Day | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
        """From the read model, brought up to date in-process (default: today)."""
        require(who, {Role.hr, Role.auditor})
        Projector(ledger, store, as_of or date.today()).catch_up()
        return store.priority_cases(limit)

    @app.get("/stats")
    def stats(who: Who, as_of: Day | None = None,
              month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None) -> list[dict[str, Any]]:
        require(who, {Role.hr, Role.auditor, Role.manager})
        Projector(ledger, store, as_of or date.today()).catch_up()
        return store.stats(month)

    return app
