"""The read model's tables and queries, in SQLite or PostgreSQL, kept with
the library's tracking records. (A Kafka consumer's own bookkeeping - its
inbox, offsets and outbox - is service.consumer_store.)

Each write replaces the rows of some employees and records how far through
the ledger (or which daily tick) it has got - in one transaction, so a
crash at any point leaves either both or neither, and no event is applied
twice. The stores are the `eventsourcing` library's tracking recorders with
the read-model tables added.

Health data - reasons, reason groups per employee, reviews with their
absences, days lost - lives only in the `document` columns, which are
encrypted with the ledger's cipher (the library's AES-GCM, CIPHER_KEY) when
one is set; the clear columns hold ids, months, departments and the counts
the priority list sorts on.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.cipher import Cipher
from eventsourcing.persistence import InfrastructureFactory, IntegrityError, OperationalError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from projections.read_model import PROJECTIONS, EmployeeRows
from service.ledger import store_environment
from service.sql import SCHEMA_LOCK, in_chunks
from service.status_document import as_json, status_document

#: one table per projection: the employee's key, the columns queries sort
#: and filter on, and the row as a JSON document
TABLES = {
    "employee_status": "employee_id TEXT PRIMARY KEY, manager_id TEXT, open_case INTEGER, "
                       "sickness_days_lost_12m INTEGER, absences_12m INTEGER, triggers_hit INTEGER, document TEXT",
    # the SPEC 8 document a status read answers with, the version of the
    # employee's history and the rulebook (policy, content hash) it was evaluated from
    "status_document": "employee_id TEXT PRIMARY KEY, version INTEGER, policy TEXT, policy_hash TEXT, document TEXT",
    "worklist": "employee_id TEXT, manager_id TEXT, due TEXT, item TEXT, document TEXT",
    "leave_balance": "employee_id TEXT PRIMARY KEY, document TEXT",
    "sick_pay_status": "employee_id TEXT PRIMARY KEY, document TEXT",
    "absence_stats": "employee_id TEXT, month TEXT, department TEXT, document TEXT",
}
LEDGER = "attendance"     # tracking: the last ledger notification applied
#: replay jobs (service.replay_jobs), beside the read model: any server process answers a poll
JOBS = "replay_job"
DAILY_TICK = "daily-tick"  # tracking: the day (ordinal) time-dependent rows were refreshed for
#: bump when a document's shape changes: a read model made by another
#: version is then rebuilt from the ledger rather than read wrongly
DOCUMENTS_VERSION = 4
VERSION_TABLE = "read_model_version"
#: the tracking records of the read model's rows (the ledger's position, the
#: daily tick, a consumer's daily tick)
MINE = "(application_name = ? OR application_name = ? OR application_name LIKE ?)"


def _table_rows(rows: EmployeeRows, seal: Callable[..., str], seal_text: Callable[[str], str]) -> dict[str, list[tuple]]:
    status = rows.status
    document = status_document(rows.evaluated) if rows.evaluated else None
    return {
        "employee_status": [(rows.employee_id, status["manager_id"], int(status["open_case"]),
                             # the sort column: all sickness days, long-term included (SPEC 10)
                             status["sickness_days_lost_12m"], status["absences_12m"], status["triggers_hit"],
                             seal(status))],
        # the document a status read answers with, as the response carries it
        "status_document": [(rows.employee_id, rows.version, document["policy"], document["policy_hash"],
                             seal_text(as_json(document)))] if document else [],
        "worklist": [(rows.employee_id, i["manager_id"], i["date"], i["item"], seal(i)) for i in rows.worklist],
        "leave_balance": [(rows.employee_id, seal(rows.leave))] if rows.leave else [],
        "sick_pay_status": [(rows.employee_id, seal(rows.sick_pay))] if rows.sick_pay else [],
        "absence_stats": [(rows.employee_id, s["month"], s["department"], seal(s)) for s in rows.stats],
    }


class ReadModelQueries:
    """What the read model answers, over a DB-API cursor; the placeholder
    style is the store's."""

    placeholder = "?"
    #: the ledger's cipher, when CIPHER_KEY is set: documents are sealed with it
    cipher: Cipher | None = None

    def _seal(self, document: Any, sort_keys: bool = True) -> str:
        # orjson: a consumer seals some thirty documents an employee it
        # touches, and the standard library's encoder was a tenth of its time
        return self._seal_text(orjson.dumps(document, option=orjson.OPT_SORT_KEYS if sort_keys else 0).decode())

    def _seal_text(self, text: str) -> str:
        if self.cipher is None:
            return text
        return base64.b64encode(self.cipher.encrypt(text.encode())).decode("ascii")

    def _open(self, stored: str) -> Any:
        return orjson.loads(self._text(stored))

    def _text(self, stored: str) -> str:
        return self.cipher.decrypt(base64.b64decode(stored)).decode() if self.cipher else stored

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
            f"CREATE TABLE IF NOT EXISTS {JOBS} (id TEXT PRIMARY KEY, alive_at DOUBLE PRECISION, document TEXT)",
        ]

    def save(self, employees: Iterable[EmployeeRows], tracking: Tracking,
             projections: tuple[str, ...] = PROJECTIONS) -> None:
        """Replace these employees' rows and record `tracking`, atomically."""
        with self._cursor(commit=True) as cursor:
            self._replace_rows(cursor, list(employees), projections)
            self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    def _replace_rows(self, cursor: Any, employees: list[EmployeeRows], projections: tuple[str, ...]) -> None:
        """The employees' rows in place of what the tables held for them: a
        statement per table and chunk of employees, not per employee."""
        for chunk, marks in in_chunks([rows.employee_id for rows in employees]):
            for table in projections:
                cursor.execute(self._sql(f"DELETE FROM {table} WHERE employee_id IN ({marks})"), chunk)
        self._insert_rows(cursor, employees, projections)

    def replace_all(self, employees: Iterable[EmployeeRows], trackings: list[Tracking],
                    projections: tuple[str, ...] = PROJECTIONS) -> None:
        """Rebuild: these tables hold exactly `employees`' rows, and the
        tracking records are `trackings` - all in one transaction."""
        with self._cursor(commit=True) as cursor:
            for table in projections:
                cursor.execute(f"DELETE FROM {table}")
            for name in {t.application_name for t in trackings}:
                cursor.execute(self._sql(f"DELETE FROM {self.tracking_table} WHERE application_name = ?"),  # type: ignore[attr-defined]
                               (name,))
            self._insert_rows(cursor, list(employees), projections)
            for tracking in trackings:
                self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    #: tables holding rows about one employee (a subclass's own are added)
    employee_tables: tuple[str, ...] = tuple(TABLES)
    #: tables beside the read model's (a subclass's own)
    own_tables: dict[str, str] = {}

    def fingerprint(self) -> str:
        """What the rows were made by: the tables, the documents' version and
        whether they are sealed (a key added or removed changes every row)."""
        made_by = {"tables": TABLES, "documents": DOCUMENTS_VERSION, "sealed": self.cipher is not None}
        return hashlib.sha256(json.dumps(made_by, sort_keys=True).encode()).hexdigest()

    def ensure_current(self) -> bool:
        """Make the read model's tables current; True when a read model of
        another version was dropped (its rows and its tracking), so that the
        projector builds it again from the ledger's first event."""
        with self._cursor(commit=True) as cursor:
            self._one_at_a_time(cursor)
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (fingerprint TEXT)")
            cursor.execute(f"SELECT fingerprint FROM {VERSION_TABLE}")
            held = [tuple(row.values())[0] if isinstance(row, dict) else row[0] for row in cursor.fetchall()]
            if held == [self.fingerprint()]:
                return False
            counted = self._count(cursor, f"SELECT COUNT(*) FROM {self.tracking_table} WHERE {MINE}",  # type: ignore[attr-defined]
                                  LEDGER, DAILY_TICK, f"{DAILY_TICK}:%")
            if held or counted:
                self._drop_derived(cursor)
            for statement in self._create_tables():
                cursor.execute(statement)
            cursor.execute(f"DELETE FROM {VERSION_TABLE}")
            cursor.execute(self._sql(f"INSERT INTO {VERSION_TABLE} VALUES (?)"), (self.fingerprint(),))
            return bool(held or counted)

    def _one_at_a_time(self, cursor: Any) -> None:
        """Hold off other processes making the tables until this transaction
        ends (SQLite: its write lock does)."""

    def _drop_derived(self, cursor: Any) -> None:
        """The rows made from events, and how far they had got; never the
        relay's position or a consumer's inbox and offsets (a consumer's next
        daily tick makes its rows again from its inbox)."""
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(self._sql(f"DELETE FROM {self.tracking_table} WHERE {MINE}"),  # type: ignore[attr-defined]
                       (LEDGER, DAILY_TICK, f"{DAILY_TICK}:%"))

    def _count(self, cursor: Any, statement: str, *params: Any) -> int:
        cursor.execute(self._sql(statement), params)
        row = cursor.fetchone()
        return int(tuple(row.values())[0] if isinstance(row, dict) else row[0])

    def forget(self, employee_id: str) -> None:
        """Remove an erased employee from every table."""
        with self._cursor(commit=True) as cursor:
            for table in self.employee_tables:
                cursor.execute(self._sql(f"DELETE FROM {table} WHERE employee_id = ?"), (employee_id,))

    def _insert_rows(self, cursor: Any, employees: list[EmployeeRows], projections: tuple[str, ...]) -> None:
        """Each table's rows in one statement, in the employees' order."""
        by_table: dict[str, list[tuple]] = defaultdict(list)
        for rows in employees:
            for table, values in _table_rows(rows, self._seal, self._seal_text).items():
                by_table[table] += values
        for table in projections:
            if values := by_table[table]:
                marks = ", ".join("?" * len(values[0]))
                cursor.executemany(self._sql(f"INSERT INTO {table} VALUES ({marks})"), values)

    def _all(self, statement: str, *params: Any) -> list[Any]:
        with self._cursor(commit=False) as cursor:
            cursor.execute(self._sql(statement), params)
            return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]

    def status(self, employee_id: str) -> dict[str, Any] | None:
        rows = self._all("SELECT document FROM employee_status WHERE employee_id = ?", employee_id)
        return self._open(rows[0][0]) if rows else None

    def status_document(self, employee_id: str) -> tuple[int, dict[str, Any]] | None:
        """The employee's status document for the day the read model holds,
        and the version of their history it was evaluated from."""
        rows = self._all("SELECT version, document FROM status_document WHERE employee_id = ?", employee_id)
        return (int(rows[0][0]), self._open(rows[0][1])) if rows else None

    def held_status(self, employee_id: str) -> tuple[int, int, str | None, tuple[str, str], str] | None:
        """For a status read, in one query: the day the read model holds (an
        ordinal), the version of the employee's history their document was
        evaluated from, their manager on that day (their status row), the
        rulebook it was evaluated under (policy, content hash), and the
        document as a response carries it (`status_document.as_json`)."""
        rows = self._all(f"SELECT (SELECT MAX(notification_id) FROM {self.tracking_table} "  # type: ignore[attr-defined]
                         "WHERE application_name = ?), d.version, s.manager_id, d.policy, d.policy_hash, d.document "
                         "FROM status_document d LEFT JOIN employee_status s ON s.employee_id = d.employee_id "
                         "WHERE d.employee_id = ?", DAILY_TICK, employee_id)
        if not rows:
            return None
        held_day, version, manager_id, policy, policy_hash, stored = rows[0]
        return int(held_day or 0), int(version), manager_id, (policy, policy_hash), self._text(stored)

    def rulebooks(self, manager_id: str | None = None) -> set[tuple[str, str]]:
        """The rulebooks (policy, content hash) the status documents were
        evaluated under - everyone's, or a manager's reports'."""
        where, params = ("WHERE employee_id IN (SELECT employee_id FROM employee_status WHERE manager_id = ?)",
                         (manager_id,)) if manager_id is not None else ("", ())
        return {(policy, made_under) for policy, made_under
                in self._all(f"SELECT DISTINCT policy, policy_hash FROM status_document {where}", *params)}

    def worklist(self, manager_id: str | None = None) -> list[dict[str, Any]]:
        where, params = ("WHERE manager_id = ?", (manager_id,)) if manager_id is not None else ("", ())
        rows = self._all(f"SELECT document FROM worklist {where} ORDER BY due, employee_id, item", *params)
        return [self._open(r[0]) for r in rows]

    def priority_cases(self, limit: int = 100) -> list[dict[str, Any]]:
        """Open cases by all working days lost to sickness in 12 months, then
        the absences that lost them, then triggers hit (seed 002's top-100 list)."""
        rows = self._all("SELECT document FROM employee_status WHERE open_case = 1 ORDER BY "
                         "sickness_days_lost_12m DESC, absences_12m DESC, triggers_hit DESC, employee_id "
                         "LIMIT ?", limit)
        return [self._open(r[0]) for r in rows]

    def departments_of(self, manager_id: str) -> set[str]:
        """The departments of a manager's reports."""
        rows = self._all("SELECT document FROM employee_status WHERE manager_id = ?", manager_id)
        return {department for r in rows if (department := self._open(r[0])["department"])}

    def stats(self, month: str | None = None) -> list[dict[str, Any]]:
        """Month x department x reason group: FTE days lost and available, the
        rate, episodes, returns discussed within 72 hours, and how many people
        the cell is about. Summed here, not in SQL: the rows are sealed."""
        where, params = ("WHERE month = ?", (month,)) if month else ("", ())
        available: dict[tuple[str, str], float] = defaultdict(float)
        cells: dict[tuple[str, str, str], dict[str, Any]] = {}
        for employee_id, m, d, document in self._all(
                f"SELECT employee_id, month, department, document FROM absence_stats {where}", *params):
            row = self._open(document)
            available[(m, d)] += row["fte_days_available"]
            if not row["reason_group"]:
                continue
            cell = cells.setdefault((m, d, row["reason_group"]), {"lost": 0.0, "episodes": 0, "returns": 0,
                                                                  "discussed": 0, "people": set()})
            cell["lost"] += row["fte_days_lost"]
            cell["episodes"] += row["episodes"]
            cell["returns"] += row["returns"]
            cell["discussed"] += row["returns_discussed_72h"]
            cell["people"].add(employee_id)
        result = []
        for (m, d, g), cell in sorted(cells.items()):
            lost, total, returns = cell["lost"], available[(m, d)], cell["returns"]
            result.append({"month": m, "department": d, "reason_group": g, "fte_days_lost": round(lost, 2),
                           "fte_days_available": round(total, 2), "rate": round(lost / total, 4) if total else None,
                           "episodes": cell["episodes"], "returns": returns,
                           "returns_discussed_within_72h": round(cell["discussed"] / returns, 4) if returns else None,
                           "people": len(cell["people"])})
        return result

    def keep_job(self, job: dict[str, Any], alive_at: float) -> None:
        """A replay job as it stands, marked alive at `alive_at` (seconds
        since the epoch); its result is sealed as the documents are: it
        names who is due which review."""
        with self._cursor(commit=True) as cursor:
            cursor.execute(self._sql(f"DELETE FROM {JOBS} WHERE id = ?"), (job["id"],))
            cursor.execute(self._sql(f"INSERT INTO {JOBS} VALUES (?, ?, ?)"),
                           (job["id"], alive_at, self._seal(job, False)))

    def mark_job_alive(self, job_id: str, alive_at: float) -> None:
        with self._cursor(commit=True) as cursor:
            cursor.execute(self._sql(f"UPDATE {JOBS} SET alive_at = ? WHERE id = ?"), (alive_at, job_id))

    def job(self, job_id: str) -> tuple[float, dict[str, Any]] | None:
        """A replay job as last kept, and when it was last marked alive."""
        rows = self._all(f"SELECT alive_at, document FROM {JOBS} WHERE id = ?", job_id)
        return (float(rows[0][0]), self._open(rows[0][1])) if rows else None

    def forget_jobs(self, before: float) -> None:
        """Replay jobs last marked alive before then (finished or failed long ago)."""
        with self._cursor(commit=True) as cursor:
            cursor.execute(self._sql(f"DELETE FROM {JOBS} WHERE alive_at < ?"), (before,))

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
        self.sql_create_statements.insert(0, SCHEMA_LOCK)  # type: ignore[arg-type]
        self.sql_create_statements.extend(SQL(statement) for statement in self._create_tables())  # type: ignore[misc]

    def _one_at_a_time(self, cursor: Any) -> None:
        cursor.execute(SCHEMA_LOCK)

    @property
    def tracking_table(self) -> str:
        return self.tracking_table_name


def read_model_store(database_url: str | None, sqlite_class: type = SQLiteReadModel,
                     postgres_class: type = PostgresReadModel, cipher: Cipher | None = None):
    """The read model beside the ledger, in the same database (or a
    subclass's store with tables of its own), its documents sealed with
    `cipher` when given."""
    env = store_environment(database_url)
    factory = InfrastructureFactory.construct({**env, "CREATE_TABLE": "y"})
    is_postgres = env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    attempts = 3
    while True:
        attempts -= 1
        try:
            recorder = factory.tracking_recorder(postgres_class if is_postgres else sqlite_class)
            recorder.cipher = cipher  # type: ignore[union-attr, attr-defined]
            recorder.ensure_current()  # type: ignore[union-attr, attr-defined]
            return recorder  # type: ignore[return-value]
        except (IntegrityError, OperationalError):
            # Another process (a member of the same consumer group) was making
            # the tables at that moment: the library looks whether they exist
            # before its transaction, so both may try. They exist now.
            if not attempts:
                raise
