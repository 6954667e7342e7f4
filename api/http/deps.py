"""Who is calling, what they may see, and the access log of health-data reads."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import Caller, Denied, Role, caller
from domain.events import Fact
from domain.exceptions import EmployeeNotFound, InvalidEvent
from domain.history import parse_known_at
from projections.view import EmployeeView
from service import privacy, records
from service.bootstrap import Services

#: the days the API evaluates: a century either side of now is every real question
Day = Annotated[date, Query(ge=date(1900, 1, 1), le=date(2199, 12, 31))]


def get_services(request: Request) -> Services:
    return request.app.state.services


Wired = Annotated[Services, Depends(get_services)]


#: the security scheme the OpenAPI document names; a missing or malformed
#: header is answered by `caller` (401 problem+json), not by FastAPI
bearer = HTTPBearer(auto_error=False, bearerFormat="JWT",
                    description="A token from `attendance token`, or from the single sign-on in front of the API.")


def authenticated(request: Request,
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
    may_read(who, what)
    # refused alike whether or not the id exists: no one learns who is held
    if who.role is Role.employee and who.employee_id != employee_id:
        raise Denied("employees may see only their own record")
    try:
        history = records.history(services, employee_id)
    except EmployeeNotFound:
        if who.role is Role.manager:
            raise Denied("managers may see only their own reports") from None
        raise
    if who.role is Role.manager:
        view = EmployeeView.of(history, date.today())
        if view.manager_id != who.subject:
            raise Denied("managers may see only their own reports")
    access_log(services, who, employee_id, what)
    return history


def read_organisation(services: Services, who: Caller, what: str) -> None:
    """An organisation-wide read (worklist, priority cases, statistics,
    reports): allowed by the privacy table, and written to the access log."""
    may_read(who, what)
    access_log(services, who, "*", what)


def access_log(services: Services, who: Caller, employee_id: str, what: str) -> None:
    entry = {"at": datetime.now(timezone.utc).isoformat(), "who": who.who, "employee": employee_id, "read": what}
    with services.settings.access_log.open("a") as file:
        file.write(json.dumps(entry, sort_keys=True) + "\n")
