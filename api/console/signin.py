"""Sign in with a bearer token, sign out. The token is checked exactly as the
API checks it (api.auth) and then kept in the session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse, Response

from api.auth import Denied, caller
from api.console.pages import render
from api.console.session import check_csrf, end_session, is_secure, keep_session

router = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    """Only a path on this site: never an open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    return render(request, "signin.html", "Sign in", next=_local(next), errors=[])


@router.post("/sign-in")
def sign_in(request: Request, token: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "",
            next: Annotated[str, Form()] = "/") -> Response:
    check_csrf(request, csrf_token)
    token = token.strip().removeprefix("Bearer ").strip()
    try:
        caller(f"Bearer {token}", request.app.state.jwt_key)
    except Denied as error:
        message = "Enter your bearer token" if not token else f"The token was not accepted: {error.detail}"
        return render(request, "signin.html", "Sign in", status=401, next=_local(next),
                      errors=[{"field": "token", "message": message}])
    response = RedirectResponse(_local(next), status_code=303)
    keep_session(response, token, is_secure(request))
    return response


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    response = RedirectResponse("/sign-in", status_code=303)
    end_session(response)
    return response
