"""Who is calling, what they may see, and the access log of health-data reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Caller, Denied, Role, caller
from domain.events import Fact
from domain.exceptions import EmployeeNotFound, InvalidEvent
from domain.history import parse_known_at
from projections.view import EmployeeView
from service import evaluation, privacy, records
from service.bootstrap import Services

#: the days the API evaluates: a century either side of now is every real question
Day = Annotated[date, Query(ge=date(1900, 1, 1), le=date(2199, 12, 31))]


# The dependencies every request solves are coroutines: run on the event
# loop, not handed to the thread pool and back (a few microseconds of work each).
async def get_services(request: Request) -> Services:
    return request.app.state.services


Wired = Annotated[Services, Depends(get_services)]


#: the security scheme the OpenAPI document names; a missing or malformed
#: header is answered by `caller` (401 problem+json), not by FastAPI
bearer = HTTPBearer(auto_error=False, bearerFormat="JWT",
                    description="A token from `attendance token`, or from the single sign-on in front of the API.")


async def authenticated(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
    return caller(f"Bearer {credentials.credentials}" if credentials else None, request.app.state.jwt_key)


#: the caller of a request, from its bearer token
Who = Annotated[Caller, Depends(authenticated)]


def moment(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_known_at(value)
    except ValueError:
        raise InvalidEvent("known_at", f"{value!r} is not an ISO timestamp or date") from None


def require(who: Caller, roles: set[Role] | frozenset[Role]) -> None:
    if who.role not in roles:
        raise Denied(f"the {who.role.value} role may not do this")


def may_read(who: Caller, what: str) -> None:
    """Refused unless the privacy table lets this role read `what` at all."""
    require(who, {Role(role) for role in privacy.readers(what)})


def require_may_record(who: Caller, kind: str) -> None:
    """HR records anything; a line manager only what managers record
    (service.records.MANAGER_RECORDS)."""
    if who.role is Role.manager and kind not in records.MANAGER_RECORDS:
        raise Denied(f"a line manager does not record {kind}: HR records it")


def require_employee(services: Services, who: Caller, employee_id: str, what: str) -> list[Fact]:
    """The employee's history, if this caller may see `what` of it."""
    _may_see(who, employee_id, what)
    try:
        history = records.history(services, employee_id)
    except EmployeeNotFound:
        if who.role is Role.manager:
            raise Denied("managers may see only their own reports") from None
        raise
    if who.role is Role.manager:
        _require_report(who, EmployeeView.of(history, date.today()).manager_id)
    access_log(services, who, employee_id, what)
    return history


def held_status(services: Services, who: Caller, employee_id: str, as_of: date, known_at: str | None,
                policy: str | None) -> evaluation.HeldStatus | None:
    """The employee's status document (SPEC 8) as the read model holds it,
    if this caller may see it - without loading the history, when the read
    model holds that day for the history as it stands (and, for a manager's
    check, is on today: its manager is the one in force today). None: the
    document is to be evaluated (`live_status`). The same checks, refusals
    and access-log entry either way."""
    _may_see(who, employee_id, "status")
    if known_at is not None or policy is not None:
        return None
    held = evaluation.held_status(services, employee_id, as_of)
    # a manager's check needs today's manager: the row's, only when the read model is on today and has one
    if held is None or (who.role is Role.manager and (held.as_of != date.today() or held.manager_id is None)):
        return None
    if who.role is Role.manager:
        _require_report(who, held.manager_id)
    access_log(services, who, employee_id, "status")
    return held


def live_status(services: Services, who: Caller, employee_id: str, as_of: date, known_at: str | None,
                policy: str | None) -> dict[str, Any]:
    """The employee's status document evaluated from their history, if this caller may see it."""
    history = require_employee(services, who, employee_id, "status")
    return evaluation.status_document_of(services, history, as_of, moment(known_at), policy)


def _may_see(who: Caller, employee_id: str, what: str) -> None:
    may_read(who, what)
    # refused alike whether or not the id exists: no one learns who is held
    if who.role is Role.employee and who.employee_id != employee_id:
        raise Denied("employees may see only their own record")


def _require_report(who: Caller, manager_id: str | None) -> None:
    if manager_id != who.subject:
        raise Denied("managers may see only their own reports")


def read_organisation(services: Services, who: Caller, what: str) -> None:
    """An organisation-wide read (worklist, priority cases, statistics,
    reports): allowed by the privacy table, and written to the access log."""
    may_read(who, what)
    access_log(services, who, "*", what)


def access_log(services: Services, who: Caller, employee_id: str, what: str) -> None:
    services.access_log.append(who.who, employee_id, what)
