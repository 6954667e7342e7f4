"""Rendering console pages: the template environment and the context every
page shares (who is signed in, the CSRF token for its forms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.auth import Caller, Denied, Role
from api.console.session import form_csrf, is_secure, keep_nonce, session_caller

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
#: every console page: only this site's own scripts, styles and images, forms
#: posted only here, never framed (a second guard that nothing comes from a CDN)
POLICY = ("default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
          "base-uri 'none'; object-src 'none'")


#: the console's pages, and who sees each in the navigation (the pages
#: themselves check again: payroll sees pay and leave only, an employee
#: their own record only)
PAGES = (
    ("Worklist", "/", {Role.manager, Role.hr, Role.auditor}),
    ("Reports", "/reports", {Role.manager, Role.hr, Role.auditor}),
    ("Policies", "/policies", {Role.hr, Role.auditor}),
    ("Audit", "/audit", {Role.hr, Role.auditor}),
    ("Pay and leave", "/pay", {Role.payroll}),
    ("My record", "/me", {Role.employee}),
)


def navigation(who: Caller | None, path: str) -> list[dict[str, object]]:
    """The pages this caller may open, the current one marked."""
    if who is None:
        return []
    return [{"label": label, "href": href, "current": path == href or (href != "/" and path.startswith(f"{href}/"))}
            for label, href, roles in PAGES if who.role in roles]


def signed_in(request: Request) -> Caller | None:
    try:
        return session_caller(request)
    except Denied:
        return None


def render(request: Request, template: str, title: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with the shared context; keeps the CSRF nonce its forms rely on."""
    nonce, token = form_csrf(request)
    who = signed_in(request)
    response = templates.TemplateResponse(request, template, status_code=status, context={
        "page_title": title, "csrf_token": token, "signed_in": who,
        "navigation": navigation(who, request.url.path), **context})
    keep_nonce(response, nonce, is_secure(request))
    response.headers["Content-Security-Policy"] = POLICY
    return response
