"""The reports page: priority cases (HR); over the twelve months to the
chosen day, the monthly absence rate by department and the days lost by
reason group (from the read model, for the day it holds); and returns
discussed within 72 hours."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.auth import Role
from api.console.access import PageRoute, day, viewer
from api.console.pages import render
from api.http.deps import require
from service import read_views, reports

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PRIORITY_READERS = {Role.hr, Role.auditor}  # as the API's GET /priority-cases


def monthly(rows: list[dict[str, Any]], by: str, measure: str) -> dict[str, Any]:
    """Read-model rows as chart series: one per `by` value, one point per month.
    `measure` "rate": FTE days lost over FTE days available, in per cent;
    "lost": FTE days lost."""
    months = sorted({r["month"] for r in rows})
    lost: dict[tuple[str, str], float] = defaultdict(float)
    available: dict[tuple[str, str], float] = {}
    for r in rows:
        key = (r[by] or "-", r["month"])
        lost[key] += r["fte_days_lost"]
        available[key] = r["fte_days_available"]  # the same on every row of a department's month
    names = sorted({k[0] for k in lost})

    def point(name: str, month: str) -> float:
        if measure == "lost":
            return round(lost.get((name, month), 0.0), 2)
        total = available.get((name, month))
        return round(100 * lost[(name, month)] / total, 2) if total else 0.0

    return {"labels": months, "series": [{"label": n, "data": [point(n, m) for m in months]} for n in names]}


def _year_to(on: date) -> str:
    """The first of the twelve months ending with `on`'s, as YYYY-MM."""
    month = on.year * 12 + on.month - 12
    return f"{month // 12}-{month % 12 + 1:02d}"


@router.get("/reports")
def reports_page(request: Request, as_of: str | None = None) -> Response:
    who = viewer(request)
    require(who, {Role.manager, Role.hr, Role.auditor})
    services = request.app.state.services
    on = day(as_of)
    priority = reports.priority_snapshot(services, on.strftime("%Y-%m")) if who.role in PRIORITY_READERS else None
    try:
        rows, held, stats_note = read_views.stats(services), read_views.held_day(services), None
    except read_views.ReadModelNotOnDay as error:
        rows, held, stats_note = [], None, str(error)
    rows = [r for r in rows if _year_to(on) <= r["month"] <= on.strftime("%Y-%m")]
    rtw = [r for r in reports.return_to_work(services, on) if r["by"] == "department"]
    return render(request, "reports.html", "Reports", as_of=on, priority=priority, held=held, stats_note=stats_note,
                  rate=monthly(rows, "department", "rate") if rows else None,
                  by_reason=monthly(rows, "reason_group", "lost") if rows else None,
                  rtw_overall=[r for r in rtw if r["period"] == "overall"],
                  rtw_months=[r for r in rtw if r["period"] == "month"])
