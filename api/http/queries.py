"""Queries about one employee, and the organisation-wide views."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.auth import Denied, Role
from api.http.deps import Day, Who, Wired, held_status, live_status, moment, read_organisation, require_employee
from api.http.schemas import StatusDocument
from service import evaluation, pay, population, privacy, read_views, records

router = APIRouter()


@router.get("/employees/{employee_id}/status", response_model=StatusDocument)
async def status(who: Who, services: Wired, employee_id: str, as_of: Day, known_at: str | None = None,
                 policy: str | None = None) -> dict[str, Any]:
    # On the event loop when the read model holds the answer (a few queries
    # by key); a live evaluation in the thread pool, as for a sync endpoint.
    held = held_status(services, who, employee_id, as_of, known_at, policy)
    if held is not None and who.role.value in privacy.SEES_EVERY_FIELD:
        # kept as the response carries it: sent as it is, not parsed and encoded again
        return Response(held.text, media_type="application/json")  # type: ignore[return-value]
    if held is not None:
        document = held.document
    else:
        document = await run_in_threadpool(live_status, services, who, employee_id, as_of, known_at, policy)
    # the document's own key order (FastAPI's re-encoding through the response model costs more)
    return JSONResponse(privacy.for_role(who.role.value, document))  # type: ignore[return-value]


@router.get("/employees/{employee_id}/explain")
def explain(who: Who, services: Wired, employee_id: str, as_of: Day, known_at: str | None = None,
            policy: str | None = None) -> dict[str, Any]:
    require_employee(services, who, employee_id, "explain")
    return privacy.for_role(who.role.value, evaluation.explain(services, employee_id, as_of, moment(known_at), policy))


@router.get("/employees/{employee_id}/history")
def history(who: Who, services: Wired, employee_id: str) -> list[dict[str, Any]]:
    facts = [f.payload() for f in require_employee(services, who, employee_id, "history")]
    return privacy.for_role(who.role.value, facts)


@router.get("/employees/{employee_id}/pay")
def pay_days(who: Who, services: Wired, employee_id: str,
             start: Annotated[date, Query(alias="from", ge=date(1900, 1, 1), le=date(2199, 12, 31))],
             end: Annotated[date, Query(alias="to", ge=date(1900, 1, 1), le=date(2199, 12, 31))]) -> list[dict[str, Any]]:
    require_employee(services, who, employee_id, "pay")
    return pay.pay_days(services, employee_id, start, end)


@router.get("/employees/{employee_id}/leave")
def leave(who: Who, services: Wired, employee_id: str,
          year: Annotated[int, Query(ge=1900, le=2199)]) -> dict[str, Any]:
    """The leave year starting in `year`, on the employee's own leave-year start."""
    require_employee(services, who, employee_id, "leave")
    return pay.leave_year(services, employee_id, year)


@router.get("/employees/{employee_id}/export")
def export(who: Who, services: Wired, employee_id: str) -> dict[str, Any]:
    """Right of access: the employee's whole record, a case file `POST /import` accepts."""
    require_employee(services, who, employee_id, "export")
    return privacy.for_role(who.role.value, records.export(services, employee_id))


@router.get("/worklist")
def work(who: Who, services: Wired, as_of: Day,
         horizon: Annotated[int, Query(ge=0, le=366, description="days ahead for upcoming actions")] = 14,
         manager: Annotated[str | None, Query(description="one manager's items (HR, auditor); "
                                              "a manager always sees their own")] = None,
         known_at: str | None = None) -> list[dict[str, Any]]:
    read_organisation(services, who, "worklist")
    if who.role is Role.manager:
        if manager not in (None, who.subject):
            raise Denied("managers may see only their own reports")
        manager = who.subject
    return population.worklist(services, as_of, moment(known_at), manager, horizon)


@router.get("/priority-cases")
def priority(who: Who, services: Wired, as_of: Day | None = None,
             limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    """From the read model, for the day it holds (409 naming that day for any other)."""
    read_organisation(services, who, "priority cases")
    return read_views.priority_cases(services, as_of, limit)


@router.get("/stats")
def stats(who: Who, services: Wired, as_of: Day | None = None,
          month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None) -> list[dict[str, Any]]:
    """From the read model, for the day it holds (409 naming that day for any
    other); a manager's own departments only, small counts suppressed."""
    read_organisation(services, who, "stats")
    return read_views.stats(services, as_of, month, manager_id=who.subject if who.role is Role.manager else None)
