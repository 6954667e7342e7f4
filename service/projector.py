"""The projector: keeps the read model up to date with the ledger.

It reads the ledger's notification log from the position its tracking
record holds (SQLite has no subscription, so it polls), recomputes the rows
of every employee a batch of events touched, and writes them with the new
position in one transaction: each event is applied exactly once, and a
crash at any point loses nothing. Rows that change with time alone (a review
falls due on a date with no new event) are refreshed by a daily tick, itself
a tracking record.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import date
from uuid import UUID

import structlog
from eventsourcing.persistence import Tracking

from service.read_model_store import DAILY_TICK, LEDGER
from service.ledger import AttendanceLedger
from domain.events import Fact
from projections.read_model import PROJECTIONS, EmployeeRows, read_model_rows

log = structlog.get_logger("attendance.projector")


class TickOutOfOrder(RuntimeError):
    """The read model was refreshed for a later day; rebuild to go back."""


class Projector:
    def __init__(self, ledger: AttendanceLedger, store, as_of: date, batch: int = 500) -> None:
        self.ledger, self.store, self.as_of, self.batch = ledger, store, as_of, batch

    def rows(self, history: list[Fact]) -> EmployeeRows:
        return read_model_rows(history, self.ledger.registry, self.as_of)

    def _employee_rows(self, originator_id: UUID) -> EmployeeRows:
        return self.rows(list(self.ledger.repository.get(originator_id).facts))

    def catch_up(self) -> int:
        """Apply every ledger event not yet applied (after the daily tick's
        refresh, if due); returns how many events were applied one by one."""
        self._tick()
        applied = 0
        position = self.store.max_tracking_id(LEDGER) or 0
        while page := self.ledger.recorder.select_notifications(position + 1, self.batch):
            employees = {n.originator_id for n in page}
            self.store.save([self._employee_rows(e) for e in sorted(employees)],  # type: ignore[arg-type]
                            Tracking(LEDGER, page[-1].id))
            position = page[-1].id
            applied += len(page)
            log.info("read_model_caught_up", position=position, employees=len(employees))
        return applied

    def _tick(self) -> None:
        """Once a day, refresh every employee's rows for the new day."""
        ticked = self.store.max_tracking_id(DAILY_TICK)
        if ticked is not None and ticked > self.as_of.toordinal():
            raise TickOutOfOrder(f"the read model holds {date.fromordinal(ticked)}, a later day: going back "
                                 f"to {self.as_of} needs a rebuild (attendance rebuild --as-of {self.as_of})")
        if ticked is None or ticked < self.as_of.toordinal():
            self.rebuild()

    def rebuild(self, projections: tuple[str, ...] = PROJECTIONS,
                progress: Callable[[Iterable], Iterable] = lambda items: items) -> int:
        """Every employee's rows from the ledger, replacing the tables'
        contents and the tracking records in one transaction."""
        position = self.ledger.recorder.max_notification_id() or 0
        histories = self.ledger.histories()
        rows = [self.rows(history) for history in progress(histories)]
        # A whole rebuild moves the tracking on; rebuilding one table leaves it.
        trackings = ([Tracking(DAILY_TICK, self.as_of.toordinal()), Tracking(LEDGER, position)]
                     if projections == PROJECTIONS else [])
        self.store.replace_all(rows, trackings, projections)
        log.info("read_model_rebuilt", employees=len(rows), position=position, projections=list(projections))
        return len(rows)

    def run_forever(self, interval: float = 1.0) -> None:
        while True:
            self.catch_up()
            time.sleep(interval)
