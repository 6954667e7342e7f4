"""The HTTP API (FastAPI): routers for commands, queries, replay jobs and
administration over the service layer; errors as RFC 9457 problem+json."""

from api.http.app import create_app

__all__ = ["create_app"]
