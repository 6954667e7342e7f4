"""Rendering console pages: the template environment and the context every
page shares (who is signed in, the CSRF token for its forms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.auth import Caller, Denied
from api.console.session import form_csrf, is_secure, keep_nonce, session_caller

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
#: every console page: only this site's own scripts, styles and images, forms
#: posted only here, never framed (a second guard that nothing comes from a CDN)
POLICY = ("default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; "
          "base-uri 'none'; object-src 'none'")


def signed_in(request: Request) -> Caller | None:
    try:
        return session_caller(request)
    except Denied:
        return None


def render(request: Request, template: str, title: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with the shared context; keeps the CSRF nonce its forms rely on."""
    nonce, token = form_csrf(request)
    response = templates.TemplateResponse(request, template, status_code=status, context={
        "page_title": title, "csrf_token": token, "signed_in": signed_in(request), "navigation": [], **context})
    keep_nonce(response, nonce, is_secure(request))
    response.headers["Content-Security-Policy"] = POLICY
    return response
