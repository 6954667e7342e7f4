"""The relay: publishes every ledger event, in ledger order, to
`attendance.events.v1`, keyed by employee id (SPEC 10).

It reads the notification log from its tracking position and records a new
position only after the broker has acknowledged every message up to it
(acks=all): at-least-once, nothing lost across crashes; consumers tolerate
the duplicates a crash can cause. Free text about health is never
published: the message carries the marker of consumers.contract instead, so
it still validates as its event type in every consumer.
"""

from __future__ import annotations

import json
import time

import structlog
from eventsourcing.persistence import InfrastructureFactory, Tracking

from consumers.contract import redacted
from domain.erasure import EmployeeErased
from domain.events import stored_fact
from service.broker import EVENTS, Broker
from service.ledger import AttendanceLedger, store_environment

log = structlog.get_logger("attendance.relay")
POSITION = "relay:" + EVENTS


def message(ledger: AttendanceLedger, notification) -> tuple[bytes, bytes]:
    fact = stored_fact(ledger.mapper.to_domain_event(notification).fact)  # type: ignore[attr-defined]
    payload = redacted(fact)
    employee_id = ledger.employee_id_of(notification.originator_id)
    value = {"notification_id": notification.id, "employee_id": employee_id,
             "aggregate_version": notification.originator_version, "type": fact.type, "event": payload}
    return employee_id.encode(), json.dumps(value, sort_keys=True).encode()


def position_store(database_url: str | None):
    """The relay's tracking record lives in the ledger's database."""
    return InfrastructureFactory.construct(store_environment(database_url)).tracking_recorder()


class Relay:
    def __init__(self, ledger: AttendanceLedger, positions, broker: Broker, batch: int = 500) -> None:
        self.ledger, self.positions, self.batch = ledger, positions, batch
        broker.ensure_topics(EVENTS)
        self.producer = broker.producer()

    def publish_pending(self) -> int:
        published = 0
        position = self.positions.max_tracking_id(POSITION) or 0
        while page := self.ledger.recorder.select_notifications(position + 1, self.batch):
            futures = [self.producer.send(EVENTS, key=key, value=value)
                       for key, value in filter(None, (self._message(n) for n in page))]
            self.producer.flush()
            for future in futures:
                future.get(timeout=30)  # raises unless the broker acknowledged
            position = page[-1].id
            self.positions.insert_tracking(Tracking(POSITION, position))
            published += len(page)
            log.info("relayed", position=position, messages=len(page))
        return published

    def _message(self, notification) -> tuple[bytes, bytes] | None:
        try:
            return message(self.ledger, notification)
        except EmployeeErased:  # an erased record is never published again
            return None

    def run_forever(self, interval: float = 0.05) -> None:
        """Publish what is pending, page after page without a pause; once
        caught up, poll again after `interval` (SQLite has no notification to
        wait on, and an indexed look past the position costs little)."""
        while True:
            self.publish_pending()
            time.sleep(interval)
