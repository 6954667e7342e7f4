"""The policies page: the workforce replayed under two rulebooks side by
side (totals, a chart, the employees who differ), and HR's transition
review of cases under an old policy, with its apply step."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.auth import Denied, Role
from api.console.access import PageRoute, day, viewer
from api.console.pages import render
from api.console.session import check_csrf
from api.http.deps import require
from service import population

router = APIRouter(route_class=PageRoute, include_in_schema=False)
READERS = {Role.hr, Role.auditor}  # as the API's POST /replay


def _policy(request: Request, policy: str, field: str) -> str:
    if policy and policy not in request.app.state.services.registry:
        raise Denied(f"{field}: there is no policy {policy!r}", 400)
    return policy


def _choices(request: Request) -> list[dict[str, str]]:
    registry = request.app.state.services.registry
    return [{"id": p, "title": registry.get(p).title} for p in registry.ids]


@router.get("/policies")
def compare(request: Request, first: str = "", second: str = "", as_of: str | None = None) -> Response:
    who = viewer(request)
    require(who, READERS)
    on = day(as_of)
    first, second = _policy(request, first, "first"), _policy(request, second, "second")
    result = None
    if first and second:
        result = population.replay_ledger(request.app.state.services, [first, second], on).as_dict()
    chart = _chart(result) if result else None
    return render(request, "policies.html", "Policies", policies=_choices(request), first=first, second=second,
                  as_of=on, result=result, chart=chart, may_transition=who.role is Role.hr)


def _chart(result: dict[str, Any]) -> dict[str, Any]:
    """The totals of each policy as chart series."""
    measures = (("with_review_due", "Employees with a review due"), ("formal_processes", "Formal processes started"))
    return {"labels": [label for _, label in measures],
            "series": [{"label": p, "data": [result["totals"][p][key] for key, _ in measures]}
                       for p in result["policies"]]}


@router.get("/policies/transition")
def transition(request: Request, old: str = "", new: str = "", as_of: str | None = None, applied: int | None = None
               ) -> Response:
    who = viewer(request)
    require(who, {Role.hr})
    on = day(as_of)
    old, new = _policy(request, old, "old"), _policy(request, new, "new")
    candidates = population.transition_review(request.app.state.services, old, new, on) if old and new else None
    return render(request, "transition.html", "Policy transition review", policies=_choices(request), old=old,
                  new=new, as_of=on, candidates=candidates, applied=applied)


@router.post("/policies/transition")
async def apply(request: Request) -> Response:
    submitted = await request.form()
    check_csrf(request, str(submitted.get("csrf_token", "")))
    who = viewer(request)
    require(who, {Role.hr})
    old, new = _policy(request, str(submitted.get("old", "")), "old"), _policy(request, str(submitted.get("new", "")), "new")
    on = day(str(submitted.get("as_of", "")))
    chosen = set(submitted.getlist("employee_id"))
    services = request.app.state.services
    candidates = [c for c in population.transition_review(services, old, new, on) if c.employee_id in chosen]
    population.apply_transition(services, candidates, old, new, on, actor=who.actor)
    return RedirectResponse(f"/policies/transition?old={old}&new={new}&as_of={on}&applied={len(candidates)}",
                            status_code=303)
