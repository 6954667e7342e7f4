"""Every error as RFC 9457 problem+json, with the status it deserves."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Denied
from domain.erasure import EmployeeErased
from domain.exceptions import EmployeeAlreadyRegistered, EmployeeNotFound, InvalidEvent, LedgerError
from service.projector import TickOutOfOrder
from service.read_views import ReadModelNotOnDay

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
                        status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    """The exception handlers of every router."""

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

    @app.exception_handler(EmployeeAlreadyRegistered)
    async def registered(_request: Request, error: EmployeeAlreadyRegistered) -> JSONResponse:
        return problem(409, "Conflict", str(error))

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

    @app.exception_handler(ReadModelNotOnDay)
    async def read_model_elsewhere(_request: Request, error: ReadModelNotOnDay) -> JSONResponse:
        return problem(409, "Conflict", str(error), read_model_as_of=error.held.isoformat() if error.held else None)

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, _error: IntegrityError) -> JSONResponse:
        response = problem(409, "Conflict", "another change to this employee was recorded first: retry")
        response.headers["Retry-After"] = "1"
        return response
