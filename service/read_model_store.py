"""The read model's tables and queries, in SQLite or PostgreSQL, kept with
the library's tracking records. (A Kafka consumer's own bookkeeping - its
inbox, offsets and outbox - is service.consumer_store.)

Each write replaces the rows of some employees and records how far through
the ledger (or which daily tick) it has got - in one transaction, so a
crash at any point leaves either both or neither, and no event is applied
twice. The stores are the `eventsourcing` library's tracking recorders with
the read-model tables added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.read_model import PROJECTIONS, EmployeeRows
from service.ledger import store_environment
from service.status_document import status_document

#: one table per projection: the employee's key, the columns queries sort
#: and filter on, and the row as a JSON document
TABLES = {
    "employee_status": "employee_id TEXT PRIMARY KEY, manager_id TEXT, open_case INTEGER, "
                       "working_days_lost_12m INTEGER, episodes_12m INTEGER, triggers_hit INTEGER, document TEXT",
    # the SPEC 8 document a status read answers with, and the version of the
    # employee's history it was evaluated from
    "status_document": "employee_id TEXT PRIMARY KEY, version INTEGER, document TEXT",
    "worklist": "employee_id TEXT, manager_id TEXT, due TEXT, item TEXT, document TEXT",
    "leave_balance": "employee_id TEXT PRIMARY KEY, document TEXT",
    "sick_pay_status": "employee_id TEXT PRIMARY KEY, document TEXT",
    "absence_stats": "employee_id TEXT, month TEXT, department TEXT, reason_group TEXT, fte_days_lost REAL, "
                     "fte_days_available REAL, episodes INTEGER, returns_count INTEGER, "
                     "returns_discussed_72h INTEGER",
}
LEDGER = "attendance"     # tracking: the last ledger notification applied
DAILY_TICK = "daily-tick"  # tracking: the day (ordinal) time-dependent rows were refreshed for


def _table_rows(rows: EmployeeRows) -> dict[str, list[tuple]]:
    status = rows.status
    return {
        "employee_status": [(rows.employee_id, status["manager_id"], int(status["open_case"]),
                             # the sort column: all sickness days, long-term included (SPEC 10)
                             status["sickness_days_lost_12m"], status["episodes_12m"], status["triggers_hit"],
                             json.dumps(status, sort_keys=True))],
        "status_document": [(rows.employee_id, rows.version, json.dumps(status_document(rows.evaluated)))]
        if rows.evaluated else [],
        "worklist": [(rows.employee_id, i["manager_id"], i["date"], i["item"], json.dumps(i, sort_keys=True))
                     for i in rows.worklist],
        "leave_balance": [(rows.employee_id, json.dumps(rows.leave, sort_keys=True))] if rows.leave else [],
        "sick_pay_status": [(rows.employee_id, json.dumps(rows.sick_pay, sort_keys=True))] if rows.sick_pay else [],
        "absence_stats": [(rows.employee_id, s["month"], s["department"], s["reason_group"], s["fte_days_lost"],
                           s["fte_days_available"], s["episodes"], s["returns"], s["returns_discussed_72h"])
                          for s in rows.stats],
    }


class ReadModelQueries:
    """What the read model answers, over a DB-API cursor; the placeholder
    style is the store's."""

    placeholder = "?"

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder)

    @contextmanager
    def _cursor(self, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:  # type: ignore[attr-defined]
            yield cursor

    def _create_tables(self) -> list[str]:
        tables = {**TABLES, **self.own_tables}
        return [f"CREATE TABLE IF NOT EXISTS {name} ({columns})" for name, columns in tables.items()] + [
            "CREATE INDEX IF NOT EXISTS worklist_employee ON worklist (employee_id)",
            "CREATE INDEX IF NOT EXISTS absence_stats_employee ON absence_stats (employee_id)",
        ]

    def save(self, employees: Iterable[EmployeeRows], tracking: Tracking,
             projections: tuple[str, ...] = PROJECTIONS) -> None:
        """Replace these employees' rows and record `tracking`, atomically."""
        with self._cursor(commit=True) as cursor:
            for rows in employees:
                for table in projections:
                    cursor.execute(self._sql(f"DELETE FROM {table} WHERE employee_id = ?"), (rows.employee_id,))
                self._insert_rows(cursor, rows, projections)
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    def replace_all(self, employees: Iterable[EmployeeRows], trackings: list[Tracking],
                    projections: tuple[str, ...] = PROJECTIONS) -> None:
        """Rebuild: these tables hold exactly `employees`' rows, and the
        tracking records are `trackings` - all in one transaction."""
        with self._cursor(commit=True) as cursor:
            for table in projections:
                cursor.execute(f"DELETE FROM {table}")
            for name in {t.application_name for t in trackings}:
                cursor.execute(self._sql(f"DELETE FROM {self.tracking_table} WHERE application_name = ?"), (name,))
            for rows in employees:
                self._insert_rows(cursor, rows, projections)
            for tracking in trackings:
                self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    #: tables holding rows about one employee (a subclass's own are added)
    employee_tables: tuple[str, ...] = tuple(TABLES)
    #: tables beside the read model's (a subclass's own)
    own_tables: dict[str, str] = {}

    def forget(self, employee_id: str) -> None:
        """Remove an erased employee from every table."""
        with self._cursor(commit=True) as cursor:
            for table in self.employee_tables:
                cursor.execute(self._sql(f"DELETE FROM {table} WHERE employee_id = ?"), (employee_id,))

    def _insert_rows(self, cursor: Any, rows: EmployeeRows, projections: tuple[str, ...]) -> None:
        for table, values in _table_rows(rows).items():
            if table in projections:
                for value in values:
                    marks = ", ".join("?" * len(value))
                    cursor.execute(self._sql(f"INSERT INTO {table} VALUES ({marks})"), value)

    def _all(self, statement: str, *params: Any) -> list[Any]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(self._sql(statement), params)
            return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]

    def status(self, employee_id: str) -> dict[str, Any] | None:
        rows = self._all("SELECT document FROM employee_status WHERE employee_id = ?", employee_id)
        return json.loads(rows[0][0]) if rows else None

    def status_document(self, employee_id: str) -> tuple[int, dict[str, Any]] | None:
        """The employee's status document for the day the read model holds,
        and the version of their history it was evaluated from."""
        rows = self._all("SELECT version, document FROM status_document WHERE employee_id = ?", employee_id)
        return (int(rows[0][0]), json.loads(rows[0][1])) if rows else None

    def worklist(self, manager_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE manager_id = ?", (manager_id,)) if manager_id else ("", ())
        rows = self._all(f"SELECT document FROM worklist {where} ORDER BY due, employee_id, item", *params)
        return [json.loads(r[0]) for r in rows]

    def priority_cases(self, limit: int = 100) -> list[dict[str, Any]]:
        """Open cases by working days lost in 12 months, then episodes, then
        triggers hit (seed 002's top-100 list)."""
        rows = self._all("SELECT document FROM employee_status WHERE open_case = 1 ORDER BY "
                         "working_days_lost_12m DESC, episodes_12m DESC, triggers_hit DESC, employee_id "
                         "LIMIT ?", limit)
        return [json.loads(r[0]) for r in rows]

    def stats(self, month: str | None = None) -> list[dict[str, Any]]:
        """Month x department x reason group: FTE days lost and available, the
        rate, episodes, and returns discussed within 72 hours."""
        where, params = ("WHERE month = ?", (month,)) if month else ("", ())
        available = {(m, d): a for m, d, a in self._all(
            f"SELECT month, department, SUM(fte_days_available) AS available FROM absence_stats {where} "
            "GROUP BY month, department", *params)}
        rows = self._all(
            "SELECT month, department, reason_group, SUM(fte_days_lost) AS lost, SUM(episodes) AS episodes, "
            "SUM(returns_count) AS returns_count, SUM(returns_discussed_72h) AS discussed "
            f"FROM absence_stats {where + (' AND' if where else 'WHERE')} "
            "reason_group <> '' GROUP BY month, department, reason_group ORDER BY month, department, reason_group",
            *params)
        result = []
        for m, d, g, lost, episodes, returns, discussed in rows:
            # PostgreSQL sums integers as numeric: back to plain numbers
            lost, total, returns, discussed = float(lost), float(available.get((m, d)) or 0), int(returns), int(discussed)
            result.append({"month": m, "department": d, "reason_group": g, "fte_days_lost": round(lost, 2),
                           "fte_days_available": round(total, 2), "rate": round(lost / total, 4) if total else None,
                           "episodes": int(episodes), "returns": returns,
                           "returns_discussed_within_72h": round(discussed / returns, 4) if returns else None})
        return result

    def counts(self) -> dict[str, int]:
        return {table: int(self._all(f"SELECT COUNT(*) AS n FROM {table}")[0][0]) for table in TABLES}


class SQLiteReadModel(ReadModelQueries, SQLiteTrackingRecorder):
    tracking_table = "tracking"

    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + self._create_tables()


class PostgresReadModel(ReadModelQueries, PostgresTrackingRecorder):
    placeholder = "%s"

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(statement) for statement in self._create_tables())

    @property
    def tracking_table(self) -> str:
        return self.tracking_table_name


def read_model_store(database_url: str | None, sqlite_class: type = SQLiteReadModel,
                     postgres_class: type = PostgresReadModel):
    """The read model beside the ledger, in the same database (or a
    subclass's store with tables of its own)."""
    env = store_environment(database_url)
    factory = InfrastructureFactory.construct({**env, "CREATE_TABLE": "y"})
    is_postgres = env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    recorder = factory.tracking_recorder(postgres_class if is_postgres else sqlite_class)
    recorder.create_table()  # type: ignore[union-attr]
    return recorder  # type: ignore[return-value]
