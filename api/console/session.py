"""The console's session and CSRF protection.

Signing in hands the console a bearer token (the same JWT the API takes); it
is kept in an HttpOnly, SameSite=Strict cookie, so page scripts cannot read it
and other sites cannot send it. Every form carries a CSRF token: an HMAC,
under the token-signing key, of a random nonce (in its own HttpOnly cookie)
and the session token - the signed double-submit pattern, bound to the
session, so a token minted before sign-in is useless after it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from api.auth import Caller, Denied, caller

SESSION_COOKIE = "attendance_session"
NONCE_COOKIE = "attendance_csrf"
CSRF_FIELD = "csrf_token"


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(nonce: str, session: str | None, key: str) -> str:
    """The value a form must send back: bound to the nonce and the session."""
    message = f"csrf|{nonce}|{session or ''}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def csrf_valid(nonce: str | None, session: str | None, submitted: str | None, key: str) -> bool:
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(csrf_token(nonce, session, key), submitted)


def _cookie(response: Response, name: str, value: str, secure: bool) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure, path="/")


def keep_session(response: Response, token: str, secure: bool) -> None:
    """Store the bearer token for the browser session (no Max-Age: it ends
    with the browser, and the token's own expiry still applies)."""
    _cookie(response, SESSION_COOKIE, token, secure)


def keep_nonce(response: Response, nonce: str, secure: bool) -> None:
    _cookie(response, NONCE_COOKIE, nonce, secure)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def is_secure(request: Request) -> bool:
    """Cookies are Secure whenever the console is reached over HTTPS (as it
    is behind a trust's reverse proxy or single sign-on)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def session_caller(request: Request) -> Caller:
    """Who the session belongs to; Denied(401) without a valid token. A
    trust's single sign-on proxy in front of the console may instead send
    the bearer token in the Authorization header of every request."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return caller(f"Bearer {token}", request.app.state.jwt_key)
    if request.headers.get("authorization"):
        return caller(request.headers["authorization"], request.app.state.jwt_key)
    raise Denied("sign in first", 401)


def form_csrf(request: Request) -> tuple[str, str]:
    """(nonce, CSRF token) for a form rendered on this request: the nonce
    already held by the browser, or a new one the response must keep."""
    nonce = request.cookies.get(NONCE_COOKIE) or new_nonce()
    return nonce, csrf_token(nonce, request.cookies.get(SESSION_COOKIE), request.app.state.jwt_key)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose CSRF token does not match (403)."""
    if not csrf_valid(request.cookies.get(NONCE_COOKIE), request.cookies.get(SESSION_COOKIE), submitted,
                      request.app.state.jwt_key):
        raise Denied("the form has expired or did not come from this console: reload it and try again")
