"""The reports page: priority cases (HR); over the twelve months to the
chosen day, the monthly absence rate by department and the days lost by
reason group (from the read model, for the day it holds, as published:
small counts suppressed, a manager's own departments only); and returns
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
from api.http.deps import may_read
from service import privacy, read_views, reports

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def monthly(rows: list[dict[str, Any]], by: str, measure: str) -> dict[str, Any]:
    """Published statistics cells as chart series: one per `by` value, one
    point per month, summing that month's cells of the value. `measure`
    "rate": FTE days lost over FTE days available, in per cent; "lost": FTE
    days lost. A point with any suppressed cell in it is None (shown as
    suppressed): a sum beside a suppressed cell would give it away."""
    months = sorted({r["month"] for r in rows})
    lost: dict[tuple[str, str], float] = defaultdict(float)
    available: dict[tuple[str, str], float] = {}
    hidden: set[tuple[str, str]] = set()
    for r in rows:
        key = (r[by] or "-", r["month"])
        if r.get("suppressed"):
            hidden.add(key)
            continue
        lost[key] += r["fte_days_lost"]
        available[key] = r["fte_days_available"]  # the same on every row of a department's month
    names = sorted({k[0] for k in lost} | {k[0] for k in hidden})

    def point(name: str, month: str) -> float | None:
        key = (name, month)
        if key in hidden:
            return None
        if measure == "lost":
            return round(lost.get(key, 0.0), 2)
        total = available.get(key)
        return round(100 * lost[key] / total, 2) if total else 0.0

    return {"labels": months, "series": [{"label": n, "data": [point(n, m) for m in months]} for n in names]}


def _year_to(on: date) -> str:
    """The first of the twelve months ending with `on`'s, as YYYY-MM."""
    month = on.year * 12 + on.month - 12
    return f"{month // 12}-{month % 12 + 1:02d}"


@router.get("/reports")
def reports_page(request: Request, as_of: str | None = None) -> Response:
    who = viewer(request)
    may_read(who, "stats")
    services = request.app.state.services
    on = day(as_of)
    # the priority list names people, and the return-to-work figures count a
    # handful in a department: both for the roles that may read priority cases
    whole = who.role.value in privacy.readers("priority cases")
    priority = reports.priority_snapshot(services, on.strftime("%Y-%m")) if whole else None
    try:
        rows = read_views.stats(services, manager_id=who.subject if who.role is Role.manager else None)
        held, stats_note = read_views.held_day(services), None
    except read_views.ReadModelNotOnDay as error:
        rows, held, stats_note = [], None, str(error)
    rows = [r for r in rows if _year_to(on) <= r["month"] <= on.strftime("%Y-%m")]
    rtw = [r for r in reports.return_to_work(services, on) if r["by"] == "department"] if whole else []
    return render(request, "reports.html", "Reports", as_of=on, priority=priority, held=held, stats_note=stats_note,
                  rate=monthly(rows, "department", "rate") if rows else None,
                  by_reason=monthly(rows, "reason_group", "lost") if rows else None,
                  rtw_shown=whole, rtw_overall=[r for r in rtw if r["period"] == "overall"],
                  rtw_months=[r for r in rtw if r["period"] == "month"])
