"""Who is looking at a console page, and what a page shows when they may
not: the same checks as the API (api.http.deps), answered as pages. Not
signed in: to the sign-in page and back; refused: a page saying why; an
unknown employee: a page saying so."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.auth import Caller, Denied
from api.console.pages import render
from api.console.session import session_caller
from domain.erasure import EmployeeErased
from domain.exceptions import EmployeeNotFound

TITLES = {400: "There is a problem with the address", 403: "You cannot see this page", 404: "Not found"}


class PageRoute(APIRoute):
    """A console route: a refusal is a page, never problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except Denied as error:
                if error.status == 401:
                    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                    return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)
                return render(request, "refused.html", TITLES.get(error.status, TITLES[403]), status=error.status,
                              reason=error.detail)
            except (EmployeeNotFound, EmployeeErased) as error:
                return render(request, "refused.html", TITLES[404], status=404, reason=str(error))

        return page


def viewer(request: Request) -> Caller:
    """The signed-in caller (Denied 401 sends them to sign in)."""
    return session_caller(request)


def day(value: str | None, field: str = "as_of") -> date:
    """A day from a query string, default today; a bad one is refused naming the field."""
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Denied(f"{field}: {value!r} is not a date (YYYY-MM-DD)", 400) from None
