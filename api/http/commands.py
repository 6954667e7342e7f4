"""Commands: register, record, import, erase."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from pydantic import ValidationError

from api.auth import Caller, Role
from api.http import errors
from api.http.deps import Who, Wired, access_log, require, require_employee, require_may_record
from api.http.writes import Writer
from api.http.schemas import EVENT_BODY, EVENT_EXAMPLES, REGISTRATION_BODY, Imported, Recorded, Registered
from domain.casefile import parse_case
from domain.events import EmployeeRegistered, UnknownEventType, parse_fact
from domain.exceptions import InvalidEvent
from service import records
from service.bootstrap import Services
from service.idempotency import Claim
from service.ledger import ImportResult

router = APIRouter()

REGISTRATION = {"employee_id": "ESR-100231", "service_start": "2016-09-05", "contracted_hours": 37.5,
                "calendar": "england-and-wales", "policy": "sath-w22-v6", "manager_id": "MGR-WARD7"}
EXAMPLES = [
    {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-10-20", "reason": "S13"},
    {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-10-22"},
    {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-11-03", "outcome": "monitoring"},
]
CASE_EXAMPLE = {"employee": REGISTRATION, "events": EXAMPLES[:2]}


@router.post("/employees", status_code=201, response_model=Registered,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": REGISTRATION_BODY}}}})
async def register(who: Who, services: Wired, writes: Writer,
                   registration: Annotated[dict[str, Any], Body(examples=[REGISTRATION])]) -> dict[str, Any]:
    """Register an employee; the ledger sets `recorded_at` and `actor` (a body holding either is refused)."""
    require(who, {Role.hr})
    try:
        fact = EmployeeRegistered.model_validate(registration)
    except ValidationError as error:
        raise errors.invalid(error) from None
    return {"employee_id": await writes.run(records.register, services, fact, actor=who.actor)}


# The body is read as data and validated by parse_fact, for its field-naming
# errors; the OpenAPI document gives its schema: the union of event types.
@router.post("/employees/{employee_id}/events", status_code=201, response_model=Recorded,
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": EVENT_BODY}}}})
async def record(who: Who, services: Wired, writes: Writer, employee_id: str,
                 event: Annotated[dict[str, Any], Body(examples=EXAMPLES, openapi_examples=EVENT_EXAMPLES)],
                 idempotency_key: Annotated[str | None, Header(max_length=128)] = None) -> dict[str, Any]:
    """Record one event, now, as the signed-in caller (a body holding `recorded_at`, `actor` or a
    review's decision stamps is refused). An Idempotency-Key, the caller's own, makes a retry of the
    same request return the first result (`replayed: true`); the same key with another body is refused."""
    require(who, {Role.hr, Role.manager})
    recorded = await writes.run(_record, services, who, employee_id, event, idempotency_key)
    return {"event_id": recorded.event_id, "replayed": recorded.replayed}


def _record(services: Services, who: Caller, employee_id: str, event: dict[str, Any],
            idempotency_key: str | None) -> records.Recorded:
    if who.role is Role.manager:
        require_employee(services, who, employee_id, "status")
    try:
        fact = parse_fact({**event, "correlation_id": idempotency_key} if idempotency_key else event)
    except UnknownEventType as error:
        raise InvalidEvent("type", str(error)) from None
    except ValidationError as error:
        raise errors.invalid(error) from None
    require_may_record(who, fact.type)
    claim = Claim(who.who, idempotency_key, Claim.request_hash(employee_id, event), employee_id) \
        if idempotency_key else None
    return records.record(services, employee_id, fact, actor=who.actor, claim=claim)


@router.delete("/employees/{employee_id}", status_code=204)
async def erase(who: Who, services: Wired, writes: Writer, employee_id: str) -> None:
    """Erase by crypto-shredding, once the retention period has passed."""
    require(who, {Role.hr})
    await writes.run(records.erase, services, employee_id)
    access_log(services, who, employee_id, "erase")


@router.post("/import", response_model=Imported)
async def import_case(who: Who, services: Wired, writes: Writer,
                      case: Annotated[dict[str, Any], Body(examples=[CASE_EXAMPLE])]) -> dict[str, Any]:
    """Import an employee's case file (HR): events may carry their historical `recorded_at`; the
    ledger records the importer as their `actor` and stamps reviews itself (a file setting either
    is refused)."""
    require(who, {Role.hr})
    [result] = await writes.run(_import, services, case, who.actor)
    return {"employee_id": result.employee_id, "stored": result.stored, "already_held": result.already_held}


def _import(services: Services, case: dict[str, Any], actor: str) -> list[ImportResult]:
    return records.import_cases(services, [parse_case(case, actor=actor)])
