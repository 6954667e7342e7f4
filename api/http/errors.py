"""Every error as RFC 9457 problem+json, with the status it deserves."""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

import structlog
from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Denied
from domain.erasure import EmployeeErased
from domain.exceptions import EmployeeAlreadyRegistered, EmployeeNotFound, InvalidEvent, LedgerError
from service.projector import TickOutOfOrder
from service.read_views import ReadModelNotOnDay
from service.settings import SettingsError

PROBLEM = "application/problem+json"
#: how pydantic opens the message of an error a validator raised
PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")
#: where FastAPI found a request parameter (the first part of an error's `loc`)
PARAMETER_PLACES = ("query", "path", "header", "cookie")

log = structlog.get_logger("attendance.http")


def field_name(loc: Sequence[int | str]) -> str:
    """A field as the client wrote it: `first_day`, `as_of`, `Idempotency-Key`,
    `working_days.2` - without FastAPI's `body.` / `query.` prefix."""
    place, *rest = [str(part) for part in loc] or ["body"]
    if place == "header" and rest:
        return "-".join(word.capitalize() for word in rest[0].split("-"))
    if place in (*PARAMETER_PLACES, "body") and rest:
        return ".".join(rest)
    return ".".join([place, *rest])


def plain_message(message: str) -> str:
    """pydantic's message without its "Value error, " prefix."""
    for prefix in PYDANTIC_PREFIXES:
        message = message.removeprefix(prefix)
    return message


def field_errors(errors: Sequence[Any]) -> list[dict[str, str]]:
    return [_field_error(e) for e in errors]


def _field_error(error: Any) -> dict[str, str]:
    if error.get("type") == "json_invalid":  # FastAPI puts the character where the field would be
        reason = error.get("ctx", {}).get("error", error["msg"])
        return {"field": "body", "message": f"is not JSON: {reason} at character {error['loc'][-1]}"}
    return {"field": field_name(error["loc"]), "message": plain_message(error["msg"])}


def invalid(error: ValidationError) -> InvalidEvent:
    """A body that failed its model, as the field-naming error of the ledger."""
    first = field_errors(error.errors())[0]
    return InvalidEvent(first["field"], first["message"])


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
        errors = field_errors(error.errors())
        return problem(422, "Invalid request", errors[0]["field"] + ": " + errors[0]["message"], errors=errors)

    @app.exception_handler(SettingsError)
    async def misconfigured(_request: Request, error: SettingsError) -> JSONResponse:
        return problem(503, "Service Unavailable", str(error))

    @app.exception_handler(Exception)
    async def crashed(_request: Request, error: Exception) -> JSONResponse:
        """Even a fault of ours answers as problem+json (details in the log only)."""
        log.error("request_failed", error_type=type(error).__name__)
        return problem(500, "Internal Server Error", "the request failed on the server (its log says why)")

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
