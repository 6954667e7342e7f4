"""The console's session cookie and CSRF tokens."""

from __future__ import annotations

from starlette.responses import Response

from api.console.session import (
    NONCE_COOKIE,
    SESSION_COOKIE,
    csrf_token,
    csrf_valid,
    end_session,
    keep_nonce,
    keep_session,
    new_nonce,
)

KEY = "test-signing-key-of-a-decent-length-0123456789"


def cookie_header(response: Response) -> str:
    return "\n".join(v.decode() for k, v in response.raw_headers if k == b"set-cookie")


def test_the_session_cookie_is_http_only_and_same_site_strict():
    response = Response()
    keep_session(response, "a.jwt.token", secure=False)
    header = cookie_header(response)
    assert header.startswith(f"{SESSION_COOKIE}=a.jwt.token;")
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Max-Age" not in header, "it ends with the browser session"
    assert "Secure" not in header


def test_the_cookies_are_secure_when_the_console_is_reached_over_https():
    response = Response()
    keep_session(response, "t", secure=True)
    keep_nonce(response, "n", secure=True)
    assert cookie_header(response).count("Secure") == 2


def test_signing_out_expires_the_session_cookie():
    response = Response()
    end_session(response)
    header = cookie_header(response)
    assert header.startswith(f'{SESSION_COOKIE}="";') and "Max-Age=0" in header


def test_a_csrf_token_is_accepted_with_its_nonce_and_session():
    nonce = new_nonce()
    assert csrf_valid(nonce, "session-1", csrf_token(nonce, "session-1", KEY), KEY)
    assert csrf_valid(nonce, None, csrf_token(nonce, None, KEY), KEY)


def test_a_csrf_token_is_refused_with_another_nonce_session_or_key():
    nonce = new_nonce()
    token = csrf_token(nonce, "session-1", KEY)
    assert not csrf_valid(new_nonce(), "session-1", token, KEY)
    assert not csrf_valid(nonce, "session-2", token, KEY)
    assert not csrf_valid(nonce, None, token, KEY)
    assert not csrf_valid(nonce, "session-1", token, KEY + "x")


def test_a_missing_nonce_or_token_is_never_valid():
    assert not csrf_valid(None, None, csrf_token("", None, KEY), KEY)
    assert not csrf_valid(new_nonce(), None, None, KEY)
    assert not csrf_valid(new_nonce(), None, "", KEY)


def test_nonces_are_long_and_fresh():
    nonces = {new_nonce() for _ in range(100)}
    assert len(nonces) == 100 and all(len(n) >= 40 for n in nonces)
    assert NONCE_COOKIE != SESSION_COOKIE
