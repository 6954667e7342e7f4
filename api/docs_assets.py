"""The product's own assets and probes, mounted on an app by one call.

Swagger UI and ReDoc load their scripts from `api/console/static/vendor`
(vendored from npm by tools/vendor-assets.sh), never from a CDN, so the docs
work with no network. `/healthz` says the process is up; `/readyz` says the
ledger's store answers. Create the app with `docs_url=None, redoc_url=None`
so these routes are the only docs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "console" / "static"
STATIC_URL = "/static"
VENDOR = f"{STATIC_URL}/vendor"
FAVICON = f"{STATIC_URL}/favicon.svg"
REDOC_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "worker-src 'self' blob:; object-src 'none'; base-uri 'none'")


def mount_docs_and_probes(app: FastAPI, ready: Callable[[], object]) -> None:
    """Serve /static, the API docs at /docs and /redoc, and the two probes.
    `ready` raises if the store cannot be reached."""
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="static")
    redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API",
                                   swagger_js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url=FAVICON, oauth2_redirect_url=redirect)

    @app.get(redirect, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        page = get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API reference",
                              redoc_js_url=f"{VENDOR}/redoc/redoc.standalone.js",
                              redoc_favicon_url=FAVICON, with_google_fonts=False)
        # ReDoc's footer always fetches its maker's logo from their CDN: the
        # policy stops it (ReDoc then hides the image), and anything else off-site.
        page.headers["Content-Security-Policy"] = REDOC_POLICY
        return page

    @app.get("/healthz", tags=["probes"], summary="The process is up")
    def healthz() -> dict[str, str]:
        return {"status": "up"}

    @app.get("/readyz", tags=["probes"], summary="The ledger's store can be reached",
             responses={503: {"description": "the store cannot be reached"}})
    def readyz() -> JSONResponse:
        try:
            ready()
        except Exception as error:  # any failure to reach the store means not ready
            return JSONResponse({"type": "about:blank", "title": "Service Unavailable", "status": 503,
                                 "detail": f"the ledger's store cannot be reached: {type(error).__name__}"},
                                status_code=503, media_type="application/problem+json")
        return JSONResponse({"status": "ready"})
