"""Small pieces of SQL the stores share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from psycopg.sql import SQL

T = TypeVar("T")

#: PostgreSQL: processes opening a store at once (replay workers, server
#: workers, a consumer group's members) make its tables one at a time. The
#: library's CREATE ... IF NOT EXISTS and CREATE OR REPLACE FUNCTION are not
#: safe side by side: one fails "tuple concurrently updated", or both create
#: a table's type. A transaction's advisory lock, released when it commits.
SCHEMA_LOCK = SQL("SELECT pg_advisory_xact_lock(7402018)")

#: values bound per statement: within every supported database's limit
PARAMETERS_PER_STATEMENT = 500


def in_chunks(values: Sequence[T]) -> Iterator[tuple[list[T], str]]:
    """`values` in chunks, each with the placeholders of its `IN (...)`."""
    for start in range(0, len(values), PARAMETERS_PER_STATEMENT):
        chunk = list(values[start:start + PARAMETERS_PER_STATEMENT])
        yield chunk, ", ".join("?" * len(chunk))
