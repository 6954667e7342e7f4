"""What `attendance serve` offers besides the API: local docs, probes and sign-in."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.console.session import NONCE_COOKIE, SESSION_COOKIE
from api.docs_assets import mount_docs_and_probes
from api.http import create_app
from service.ledger import AttendanceLedger


@pytest.fixture
def client(tmp_path, monkeypatch) -> TestClient:
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    return TestClient(create_app(ledger, access_log=tmp_path / "access.log"), follow_redirects=False)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_load_every_script_and_stylesheet_from_the_product_itself(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "fonts.googleapis" not in response.text and "cdn." not in response.text


def test_healthz_says_the_process_is_up_and_readyz_that_the_store_answers(client):
    assert client.get("/healthz").json() == {"status": "up"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_readyz_answers_503_problem_json_when_the_store_cannot_be_reached():
    def unreachable() -> None:
        raise ConnectionRefusedError("postgresql://user:secret@db/ledger")

    app = FastAPI(docs_url=None, redoc_url=None)
    mount_docs_and_probes(app, ready=unreachable)
    response = TestClient(app).get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text, "the store's address and credentials are not disclosed"
    assert TestClient(app).get("/healthz").status_code == 200


def sign_in_form(client: TestClient) -> str:
    page = client.get("/sign-in")
    assert page.status_code == 200 and NONCE_COOKIE in page.cookies
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)


def test_signing_in_with_a_valid_token_keeps_it_in_an_http_only_strict_cookie(client):
    csrf = sign_in_form(client)
    token = issue(Role.manager, "MGR1")
    response = client.post("/sign-in", data={"token": token, "csrf_token": csrf, "next": "/worklist"})
    assert response.status_code == 303 and response.headers["location"] == "/worklist"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE))
    assert f"{SESSION_COOKIE}={token};" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_sign_in_without_the_form_s_csrf_token_is_refused(client):
    sign_in_form(client)
    response = client.post("/sign-in", data={"token": issue(Role.hr, "HR1"), "csrf_token": "0" * 64})
    assert response.status_code == 403
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_a_bad_token_shows_the_form_again_with_the_error_linked_to_the_field(client):
    csrf = sign_in_form(client)
    response = client.post("/sign-in", data={"token": "not-a-token", "csrf_token": csrf})
    assert response.status_code == 401
    assert '<a href="#token">The token was not accepted' in response.text
    assert 'aria-invalid="true"' in response.text and "<title>Error: Sign in" in response.text


def test_sign_in_never_redirects_off_the_site(client):
    csrf = sign_in_form(client)
    response = client.post("/sign-in", data={"token": issue(Role.hr, "HR1"), "csrf_token": csrf,
                                             "next": "//evil.example/"})
    assert response.headers["location"] == "/"


def test_signing_out_ends_the_session(client):
    csrf = sign_in_form(client)
    client.post("/sign-in", data={"token": issue(Role.hr, "HR1"), "csrf_token": csrf})
    page = client.get("/sign-in")
    assert "Signed in as HR1 (hr)" in page.text
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    response = client.post("/sign-out", data={"csrf_token": csrf})
    assert response.status_code == 303 and 'Max-Age=0' in response.headers["set-cookie"]


def test_behind_a_single_sign_on_proxy_the_authorization_header_signs_the_console_in(client):
    page = client.get("/sign-in", headers={"Authorization": f"Bearer {issue(Role.auditor, 'AUD1')}"})
    assert "Signed in as AUD1 (auditor)" in page.text


def test_console_pages_allow_only_the_site_s_own_assets_and_are_never_framed(client):
    policy = client.get("/sign-in").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
