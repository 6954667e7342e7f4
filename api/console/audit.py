"""The audit page: an employee as the ledger knew them at a chosen
`known_at`, beside what it knows now, what changed between the two, what it
learned in between, and the decisions stamped on review meetings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.auth import Role
from api.console.access import PageRoute, day, viewer
from api.console.pages import render
from api.http.deps import moment, require, require_employee
from api.render import status_document
from domain.exceptions import InvalidEvent
from projections.view import NotYetKnown
from service import evaluation, privacy

router = APIRouter(route_class=PageRoute, include_in_schema=False)
AUDITORS = {Role.hr, Role.auditor}


def flattened(document: Any, path: str = "") -> dict[str, Any]:
    """A document as {"tracks.short_term.level": 1, ...}: lists kept whole."""
    if isinstance(document, dict):
        return {k: v for key, value in document.items()
                for k, v in flattened(value, f"{path}.{key}" if path else key).items()}
    return {path: document}


def changes(then: dict[str, Any], now: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field whose value differs between two status documents."""
    before, after = flattened(then), flattened(now)
    return [{"field": key, "then": before.get(key), "now": after.get(key)}
            for key in sorted(before.keys() | after.keys()) if key != "known_at" and before.get(key) != after.get(key)]


@router.get("/audit")
def audit(request: Request, employee_id: str = "", known_at: str = "", as_of: str | None = None) -> Response:
    who = viewer(request)
    require(who, AUDITORS)
    on = day(as_of)
    page: dict[str, Any] = {"employee_id": employee_id, "known_at": known_at, "as_of": on, "errors": [], "audit": None}
    if employee_id:
        try:
            page["audit"] = _audit(request, who, employee_id, known_at, on)
        except (InvalidEvent, NotYetKnown) as error:
            field = getattr(error, "field", "known_at")
            page["errors"] = [{"field": field, "message": f"Known at: {getattr(error, 'message', error)}"}]
    title = f"Audit of {employee_id}" if employee_id else "Audit"
    return render(request, "audit.html", title, status=422 if page["errors"] else 200, **page)


def _audit(request: Request, who, employee_id: str, known_at: str, on) -> dict[str, Any]:
    services = request.app.state.services
    history = require_employee(services, who, employee_id, "explain")
    if not known_at:
        raise InvalidEvent("known_at", "enter the date or time to look back to")
    moment_then: datetime = moment(known_at)  # type: ignore[assignment]
    role = who.role.value
    then = privacy.for_role(role, status_document(evaluation.status_of_history(services, history, on, moment_then)))
    now = privacy.for_role(role, status_document(evaluation.status_of_history(services, history, on)))
    learned = privacy.for_role(role, [f.payload() for f in history
                                      if f.recorded_at is not None and f.recorded_at > moment_then])
    return {"then": then, "now": now, "changes": changes(then, now), "learned": learned,
            "decisions": privacy.for_role(role, evaluation.explain(services, employee_id, on)["decisions"]),
            "moment": moment_then}
