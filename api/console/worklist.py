"""The start page: a manager's or HR's worklist (overdue, due, coming up,
done late, to consider) in plain English with dates, each item one click
from the employee. Payroll and employees start on their own pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from api.auth import Role
from api.console.access import PageRoute, day, viewer
from api.console.pages import render
from api.http.deps import may_read
from service import population

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: the worklist's sections, in the order a manager works through them
SECTIONS = (("overdue", "Overdue"), ("due", "Due now"), ("upcoming", "Coming up"),
            ("done_late", "Done late"), ("to_consider", "To consider"))
START = {Role.payroll: "/pay", Role.employee: "/me"}


@router.get("/")
def worklist(request: Request, as_of: str | None = None, manager: str = "", department: str = "") -> Response:
    who = viewer(request)
    if who.role in START:
        return RedirectResponse(START[who.role], status_code=303)
    may_read(who, "worklist")
    on = day(as_of)
    own = who.role is Role.manager  # their own reports only, never filtered further
    items = population.worklist(request.app.state.services, on, manager_id=who.subject if own else None)
    manager, department = ("", "") if own else (manager, department)
    managers = sorted({i["manager_id"] for i in items if i["manager_id"]})
    departments = sorted({i["department"] for i in items if i.get("department")})
    chosen = [i for i in items if (not manager or i["manager_id"] == manager)
              and (not department or i.get("department") == department)]
    sections = [(key, title, [i for i in chosen if i["section"] == key]) for key, title in SECTIONS]
    return render(request, "worklist.html", "Worklist", as_of=on, sections=sections, count=len(chosen),
                  filters=not own, managers=managers, departments=departments,
                  manager=manager, department=department)
