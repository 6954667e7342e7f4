"""Idempotency keys that hold (issue 9): a key is claimed in the same
database transaction that stores the event it answers for.

The claim is a row of `idempotency_keys`, primary key (caller, key), written
by the ledger's own recorder inside the transaction of the event insert (the
library hands `save(..., idempotency=claim)` through to `_insert_events`).
So of many concurrent requests with one key exactly one stores its event;
every other one fails that transaction's unique constraint and then finds
the winner's claim. A key is scoped to its caller (role and subject), and it
answers only the request it was first used for (the body's hash).

The same recorders read one worker's share of the notification log, for a
replay shared among processes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from service.sql import SCHEMA_LOCK, in_chunks

TABLE = "idempotency_keys"
COLUMNS = "caller, key, request, employee_id, event_id"


@dataclass(frozen=True)
class Claim:
    """A caller's key, the request it was used for and the event it stored."""

    caller: str
    key: str
    request: str
    employee_id: str
    event_id: str = ""

    @staticmethod
    def request_hash(employee_id: str, body: dict[str, Any]) -> str:
        """What makes two requests the same: the employee and the body as sent."""
        canonical = json.dumps([employee_id, body], sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def row(self) -> tuple[str, str, str, str, str]:
        return self.caller, self.key, self.request, self.employee_id, self.event_id


class SQLiteIdempotentRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder, with claims in the event's transaction."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {TABLE} (caller TEXT, key TEXT, request TEXT, "
                "employee_id TEXT, event_id TEXT, PRIMARY KEY (caller, key))"]

    def _insert_events(self, c, stored_events, **kwargs):  # type: ignore[no-untyped-def]
        claim: Claim | None = kwargs.get("idempotency")
        if claim is not None:  # first: a second claim fails before any event is written
            c.execute(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)", claim.row())
        return super()._insert_events(c, stored_events, **kwargs)

    def claimed(self, caller: str, key: str) -> Claim | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {COLUMNS} FROM {TABLE} WHERE caller = ? AND key = ?", (caller, key))
            row = c.fetchone()
        return Claim(*row) if row else None

    def forget_claims(self, employee_id: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {TABLE} WHERE employee_id = ?", (employee_id,))

    def started(self, originator_ids: list[UUID]) -> set[UUID]:
        """Which of these aggregates have a first event: an import asks once
        for a whole batch of case files, not once per employee."""
        found: set[UUID] = set()
        with self.datastore.transaction(commit=False) as c:
            for chunk, marks in in_chunks([i.hex for i in originator_ids]):
                c.execute(f"SELECT originator_id FROM {self.events_table_name} "  # noqa: S608 - the library's table
                          f"WHERE originator_version = 1 AND originator_id IN ({marks})", chunk)
                found.update(UUID(row[0]) for row in c.fetchall())
        return found

    def select_share(self, start: int, limit: int, suffixes: list[str]) -> list[Notification]:
        """`select_notifications`, of only the aggregates whose id ends in one
        of `suffixes` (`service.ledger.share_suffixes`): a replay worker's
        share, without reading every other worker's events to pass them over
        (the library makes a Notification of a row at several times the
        cost of reading it)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT rowid, * FROM {self.events_table_name} "  # noqa: S608 - the library's table
                      f"WHERE rowid >= ? AND substr(originator_id, -2) IN ({', '.join('?' * len(suffixes))}) "
                      "ORDER BY rowid LIMIT ?", [start, *suffixes, limit])
            return [Notification(id=row["rowid"], originator_id=self.convert_originator_id(row["originator_id"]),
                                 originator_version=row["originator_version"], topic=row["topic"], state=row["state"])
                    for row in c.fetchall()]


class PostgresIdempotentRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder, with claims in the event's transaction."""

    def __init__(self, datastore, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(datastore, **kwargs)
        self.claims = Identifier(self.datastore.schema, TABLE)
        self.sql_create_statements.insert(0, SCHEMA_LOCK)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} (caller text, key text, request text, employee_id text, "
            "event_id text, PRIMARY KEY (caller, key))").format(self.claims))

    def insert_events(self, stored_events, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("idempotency") is not None and self.datastore.enable_db_functions:
            raise RuntimeError("idempotency claims need POSTGRES_ENABLE_DB_FUNCTIONS off")
        return super().insert_events(stored_events, **kwargs)

    def _insert_events(self, curs, stored_events, **kwargs):  # type: ignore[no-untyped-def]
        # runs in the insert's transaction, before the events table is locked
        claim: Claim | None = kwargs.get("idempotency")
        if claim is not None:
            # A nested pipeline block syncs on exit: a claim another request
            # holds fails here as an IntegrityError, not later as "pipeline
            # aborted" on the events' insert (which the library retries).
            with curs.connection.pipeline():
                curs.execute(SQL("INSERT INTO {} (" + COLUMNS + ") VALUES (%s, %s, %s, %s, %s)").format(self.claims),
                             claim.row())
        super()._insert_events(curs, stored_events, **kwargs)

    def claimed(self, caller: str, key: str) -> Claim | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT " + COLUMNS + " FROM {} WHERE caller = %s AND key = %s").format(self.claims),
                         (caller, key))
            row = curs.fetchone()
        return Claim(**row) if row else None

    def forget_claims(self, employee_id: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("DELETE FROM {} WHERE employee_id = %s").format(self.claims), (employee_id,))

    def started(self, originator_ids: list[UUID]) -> set[UUID]:
        """Which of these aggregates have a first event: an import asks once
        for a whole batch of case files, not once per employee."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT originator_id FROM {}.{} WHERE originator_version = 1 AND originator_id = ANY(%s)")
                         .format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                         (originator_ids,))
            return {row["originator_id"] for row in curs.fetchall()}

    def select_share(self, start: int, limit: int, suffixes: list[str]) -> list[Notification]:
        """As `SQLiteIdempotentRecorder.select_share`."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT * FROM {}.{} WHERE notification_id >= %s AND right(originator_id::text, 2) = ANY(%s) "
                             "ORDER BY notification_id LIMIT %s")
                         .format(Identifier(self.datastore.schema), Identifier(self.events_table_name)),
                         (start, suffixes, limit))
            return [Notification(id=row["notification_id"], originator_id=row["originator_id"],
                                 originator_version=row["originator_version"], topic=row["topic"], state=row["state"])
                    for row in curs.fetchall()]
