"""The HTTP API's app factory: the service layer behind bearer tokens and
roles (api.auth), errors as RFC 9457 problem+json.

Every read of health data is written to the access log (who, what, when).
Nothing is stored when a request fails.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI

from api.auth import signing_key
from api.docs_assets import mount_docs_and_probes
from api.http import admin, commands, errors, queries, replay, reports, schemas
from api.http.limits import LimitBodies
from api.http.writes import Writes
from api.logging import configure_logging
from service.bootstrap import Services, bootstrap
from service.ledger import AttendanceLedger


def create_app(services: Services | AttendanceLedger | None = None, access_log: Path | None = None) -> FastAPI:
    """The API over these services (or over a ledger, with the environment's
    other settings; default: everything from the environment)."""
    if not isinstance(services, Services):
        services = bootstrap(ledger=services)
    if access_log is not None:
        services.settings = replace(services.settings, access_log=access_log)
    app = FastAPI(title="Attendance Ledger", version="1", docs_url=None, redoc_url=None,
                  description="Sickness absence, triggers and reviews under versioned policies.")
    mount_docs_and_probes(app, ready=services.ledger.recorder.max_notification_id)
    app.state.services = services
    app.state.jwt_key = signing_key(services.settings)
    app.state.writes = Writes(services)

    app.add_middleware(LimitBodies)
    errors.install(app)
    # imported here: the console's pages use api.http.deps, whose package imports this module
    from api.console.routes import ROUTERS as CONSOLE

    for router in (commands.router, queries.router, reports.router, replay.router, admin.router):
        app.include_router(router, responses=schemas.PROBLEMS)
    for router in CONSOLE:
        app.include_router(router)
    _document_events(app)
    return app


def worker_app() -> FastAPI:
    """The app of one `attendance serve --workers N` process: services and
    logging from the environment, as the CLI makes them."""
    services = bootstrap()
    configure_logging(services.settings.log_level)
    return create_app(services)


def _document_events(app: FastAPI) -> None:
    """Add the event types and Problem to the OpenAPI document's components
    (the paths refer to them; FastAPI sees only a JSON object body)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            generate().setdefault("components", {}).setdefault("schemas", {}).update(schemas.components())
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
