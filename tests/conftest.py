"""Shared fixtures. The PostgreSQL server is real: the test session starts a
throwaway cluster on a free loopback port and removes it afterwards."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from domain.rulebook import RulebookRegistry
from tests.postgres import PostgresServer


@pytest.fixture(scope="session")
def registry() -> RulebookRegistry:
    return RulebookRegistry.load()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


_databases = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A fresh, empty ledger database: an SQLite file, or a new database on
    the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "attendance.db")
    server = request.getfixturevalue("postgres")
    return server.create_database(f"ledger_{next(_databases)}")
