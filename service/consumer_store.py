"""A Kafka consumer's own bookkeeping beside the read model: its inbox (the
events it has received - its source of each employee's history), its
offsets, its outbox record of the payroll instructions sent, and the runs
of a replay consumer group with the share each partition gave.

Kept apart from the read model's tables and queries
(service.read_model_store), which the queries read; a consumer's store is
both, so what it received, the rows they produced and the offsets to resume
from are written in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.cipher import Cipher
from eventsourcing.persistence import Tracking

from projections.read_model import PROJECTIONS, EmployeeRows
from service.sql import in_chunks
from service.read_model_store import TABLES, PostgresReadModel, ReadModelQueries, SQLiteReadModel, read_model_store

#: a Kafka consumer's own tables: the events it has received (its source of
#: each employee's history), its offsets, and the payroll instructions sent
CONSUMER_TABLES = {
    "kafka_events": "consumer TEXT, employee_id TEXT, notification_id INTEGER, document TEXT, "
                    "PRIMARY KEY (consumer, employee_id, notification_id)",
    "kafka_offsets": "consumer TEXT, topic TEXT, partition_no INTEGER, next_offset INTEGER, "
                     "PRIMARY KEY (consumer, topic, partition_no)",
    "payroll_published": "id TEXT PRIMARY KEY, employee_id TEXT",
    "replay_run": "run TEXT PRIMARY KEY, document TEXT",
    "replay_share": "run TEXT, partition_no INTEGER, document TEXT, PRIMARY KEY (run, partition_no)",
}


class ConsumerBookkeeping(ReadModelQueries):
    """The inbox, offsets and outbox, over the read model store's cursor."""

    own_tables = CONSUMER_TABLES
    employee_tables = (*TABLES, "kafka_events", "payroll_published")

    def offsets(self, consumer: str, topic: str) -> dict[int, int]:
        return {int(p): int(o) for p, o in self._all(
            "SELECT partition_no, next_offset FROM kafka_offsets WHERE consumer = ? AND topic = ?", consumer, topic)}

    def histories(self, consumer: str, employees: Iterable[str] | None = None) -> dict[str, dict[int, dict[str, Any]]]:
        """What a consumer has received: by employee, each event by its
        ledger notification id - of `employees` only, when given (read by
        their key, not by scanning everyone's)."""
        select = "SELECT employee_id, notification_id, document FROM kafka_events WHERE consumer = ?"
        if employees is None:
            rows = self._all(select, consumer)
        else:
            rows = []
            for chunk, marks in in_chunks(sorted(set(employees))):
                rows += self._all(f"{select} AND employee_id IN ({marks})", consumer, *chunk)
        out: dict[str, dict[int, dict[str, Any]]] = {}
        for employee_id, notification_id, document in rows:
            out.setdefault(employee_id, {})[int(notification_id)] = self._open(document)
        return out

    def published(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        return {r[0] for r in self._all(f"SELECT id FROM payroll_published WHERE id IN ({marks})", *ids)}

    def consumed(self, consumer: str, topic: str, events: list[tuple[str, int, dict[str, Any]]],
                 offsets: dict[int, int],
                 rows: Iterable[EmployeeRows] = (), published: Iterable[tuple[str, str]] = (),
                 tracking: Tracking | None = None) -> None:
        """Record what a consumer received and did with it - the events, the
        rows they produced, the instructions sent, and the offsets to resume
        from - in one transaction: a redelivered message changes nothing."""
        conflict = "ON CONFLICT DO NOTHING"
        with self._cursor(commit=True) as cursor:
            if events:
                cursor.executemany(self._sql(f"INSERT INTO kafka_events VALUES (?, ?, ?, ?) {conflict}"),
                                   [(consumer, e, n, self._seal(event)) for e, n, event in events])
            self._replace_rows(cursor, list(rows), PROJECTIONS)
            for instruction_id, employee_id in published:
                cursor.execute(self._sql(f"INSERT INTO payroll_published VALUES (?, ?) {conflict}"),
                               (instruction_id, employee_id))
            for partition, offset in offsets.items():
                cursor.execute(self._sql(
                    "INSERT INTO kafka_offsets VALUES (?, ?, ?, ?) ON CONFLICT (consumer, topic, partition_no) "
                    "DO UPDATE SET next_offset = excluded.next_offset"), (consumer, topic, partition, offset))
            if tracking is not None:
                self._insert_tracking(cursor, tracking)  # type: ignore[attr-defined]

    def begin_replay_run(self, run: str, definition: dict[str, Any]) -> dict[str, Any]:
        """The run as its first member defined it: `definition`, unless
        another member got there first."""
        with self._cursor(commit=True) as cursor:
            cursor.execute(self._sql("INSERT INTO replay_run VALUES (?, ?) ON CONFLICT DO NOTHING"),
                           (run, self._seal(definition)))
        return self.replay_run(run)  # type: ignore[return-value]

    def replay_run(self, run: str) -> dict[str, Any] | None:
        rows = self._all("SELECT document FROM replay_run WHERE run = ?", run)
        return self._open(rows[0][0]) if rows else None

    def replay_shares(self, run: str) -> dict[int, dict[str, Any]]:
        """The shares of a run kept so far, by partition (sealed: they name
        who would be due which review)."""
        return {int(p): self._open(d) for p, d in self._all(
            "SELECT partition_no, document FROM replay_share WHERE run = ?", run)}

    def replay_partitions_done(self, run: str) -> set[int]:
        return {int(r[0]) for r in self._all("SELECT partition_no FROM replay_share WHERE run = ?", run)}

    def forget(self, employee_id: str) -> None:
        """Remove an erased employee from every table, and drop every replay
        run whose shares name them (a what-if answer: replay it again)."""
        super().forget(employee_id)
        named = set()
        for run, document in self._all("SELECT run, document FROM replay_share"):
            share = self._open(document)
            if any(row["employee_id"] == employee_id for row in [*share["employees"], *share["needing_attention"]]):
                named.add(run)
        with self._cursor(commit=True) as cursor:
            for run in named:
                for table in ("replay_share", "replay_run"):
                    cursor.execute(self._sql(f"DELETE FROM {table} WHERE run = ?"), (run,))

    def _drop_derived(self, cursor: Any) -> None:
        """Replay runs too: made from events, sealed as the documents are."""
        super()._drop_derived(cursor)  # type: ignore[misc]
        for table in ("replay_share", "replay_run"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def keep_replay_share(self, run: str, partition: int, share: dict[str, Any]) -> None:
        """A partition's share, once: a member that replayed it again after
        a rebalance changes nothing."""
        with self._cursor(commit=True) as cursor:
            cursor.execute(self._sql("INSERT INTO replay_share VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
                           (run, partition, self._seal(share, False)))


class SQLiteConsumerStore(ConsumerBookkeeping, SQLiteReadModel):
    pass


class PostgresConsumerStore(ConsumerBookkeeping, PostgresReadModel):
    pass


def consumer_store(database_url: str | None, cipher: Cipher | None = None) -> SQLiteConsumerStore | PostgresConsumerStore:
    """A consumer's database: its read model and its bookkeeping (the
    events received sealed with `cipher`, as the read model's documents)."""
    return read_model_store(database_url, SQLiteConsumerStore, PostgresConsumerStore, cipher)
