"""Consumers of `attendance.events.v1` (the scale-out deployment, SPEC 10).

Each runs in a consumer group: the topic is partitioned by employee, so an
employee's events reach one instance, in order. A consumer keeps the events
it receives (an employee's history, for recomputing them), what it made of
them and the offsets to resume from in its database, in one transaction per
polled batch - each employee the batch touched is recomputed once, however
many of its events the batch holds; on (re)assignment it seeks to those
offsets. Redelivered messages are recognised by their ledger notification id
and change nothing.

* `ReadModelConsumer` builds the read model, the same rows the projector
  builds from the ledger;
* `PayrollProjector` derives pay instructions and publishes the new ones to
  `attendance.payroll.v1` (acks=all) before recording them: a crash in
  between republishes the same stable ids, which payroll de-duplicates.
"""

from __future__ import annotations

import csv
import json
import sys
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date
from typing import Any, TextIO

import structlog
from eventsourcing.persistence import IntegrityError, Tracking
from kafka import ConsumerRebalanceListener
from pydantic import ValidationError

from service.read_model_store import DAILY_TICK
from service.broker import EVENTS, PAYROLL, Broker
from domain.events import Fact, UnknownEventType, parse_fact
from domain.rulebook import RulebookRegistry
from projections.payroll import payroll_instructions
from projections.attention import NeedsAttention, each_evaluated
from projections.read_model import read_model_rows

log = structlog.get_logger("attendance.consumers")


class _SeekToStored(ConsumerRebalanceListener):
    def __init__(self, owner: "EventsConsumer") -> None:
        self.owner = owner

    def on_partitions_revoked(self, revoked) -> None:
        self.owner.inbox.forget()

    def on_partitions_assigned(self, assigned) -> None:
        self.owner.inbox.forget()  # another instance may have added to any employee's history meanwhile
        stored = self.owner.store.offsets(self.owner.name, EVENTS)
        for partition in assigned:
            if partition.partition in stored:
                self.owner.kafka.seek(partition, stored[partition.partition])
            else:
                self.owner.kafka.seek_to_beginning(partition)


class Inbox:
    """The histories of the employees this instance's partitions hold, parsed
    once and kept between batches: a batch reads from the store only the
    employees not seen since the partitions were assigned. Kept only once the
    batch's transaction has committed; forgotten on every rebalance, and the
    least recently touched beyond `limit` employees."""

    def __init__(self, store, consumer: str, limit: int = 100_000) -> None:
        self.store, self.consumer, self.limit = store, consumer, limit
        self.kept: OrderedDict[str, dict[int, Fact]] = OrderedDict()

    def with_batch(self, received: list[tuple[str, int, Fact]]) -> dict[str, dict[int, Fact]]:
        """The histories of the employees `received` touches, with its events
        added (a redelivered one is already there, by its notification id)."""
        touched = {employee_id for employee_id, _, _ in received}
        missing = touched - self.kept.keys()
        stored = self.store.histories(self.consumer, missing) if missing else {}
        histories = {e: dict(self.kept[e]) if e in self.kept else
                     {n: parse_fact(event) for n, event in stored.get(e, {}).items()} for e in touched}
        for employee_id, notification_id, fact in received:
            histories[employee_id][notification_id] = fact
        return histories

    def keep(self, histories: dict[str, dict[int, Fact]]) -> None:
        for employee_id, history in histories.items():
            self.kept[employee_id] = history
            self.kept.move_to_end(employee_id)
        while len(self.kept) > self.limit:
            self.kept.popitem(last=False)

    def forget(self) -> None:
        self.kept.clear()


class EventsConsumer(ABC):
    name = "events"

    def __init__(self, store, registry: RulebookRegistry, as_of: date, broker: Broker) -> None:
        self.store, self.registry, self.as_of = store, registry, as_of
        self.inbox = Inbox(store, self.name)
        broker.ensure_topics(EVENTS, PAYROLL)
        self.kafka = broker.consumer(EVENTS, group=f"attendance-{self.name}")
        self.kafka.subscribe([EVENTS], listener=_SeekToStored(self))

    def run(self, once: bool = False, idle_polls: int = 3, batch: int = 500) -> int:
        """Consume until stopped, or - with `once` - until this instance owns
        every partition and has read them all (a catch-up run alone). Each
        poll's records, up to `batch`, are one transaction."""
        self._tick()
        handled, idle = 0, 0
        while True:
            batches = self.kafka.poll(timeout_ms=500, max_records=batch)
            records = [r for batch in batches.values() for r in batch]
            if records:
                self._handle(records)
                handled += len(records)
                idle = 0
            elif once and _caught_up(self.kafka):
                idle += 1
                if idle >= idle_polls:
                    return handled

    def _handle(self, records: list) -> None:
        offsets: dict[int, int] = {}
        for record in records:
            offsets[record.partition] = max(offsets.get(record.partition, 0), record.offset + 1)
        messages = [message for message in map(received_event, records) if message]
        histories = self.inbox.with_batch([(e, n, fact) for e, n, _, fact in messages])
        events = [(e, n, event) for e, n, event, _ in messages]
        self.apply(events, offsets, {e: in_ledger_order(h) for e, h in histories.items()})
        self.inbox.keep(histories)
        log.info("consumed", consumer=self.name, messages=len(records), employees=len(histories))

    @abstractmethod
    def apply(self, events: list[tuple[str, int, dict[str, Any]]], offsets: dict[int, int],
              histories: dict[str, list[Fact]], tracking: Tracking | None = None) -> None:
        """Act on the employees' histories and record it all, atomically."""

    def _tick(self) -> None:
        """Once a day, redo every employee for the new day (time alone can
        make a review due or a band change)."""
        name = f"{DAILY_TICK}:{self.name}"
        ticked = self.store.max_tracking_id(name)
        if ticked is not None and ticked >= self.as_of.toordinal():
            return
        try:
            histories = {e: in_ledger_order({n: parse_fact(event) for n, event in h.items()})
                         for e, h in self.store.histories(self.name).items()}
            self.apply([], {}, histories, Tracking(name, self.as_of.toordinal()))
        except IntegrityError:  # another instance of the group ticked first
            pass


class ReadModelConsumer(EventsConsumer):
    name = "read-model"

    def apply(self, events, offsets, histories, tracking: Tracking | None = None) -> None:
        rows = [read_model_rows(history, self.registry, self.as_of) for history in histories.values()]
        self.store.consumed(self.name, EVENTS, events, offsets, rows=rows, tracking=tracking)


class PayrollProjector(EventsConsumer):
    name = "payroll"

    def __init__(self, store, registry: RulebookRegistry, as_of: date, broker: Broker) -> None:
        super().__init__(store, registry, as_of, broker)
        self.producer = broker.producer()

    def apply(self, events, offsets, histories, tracking: Tracking | None = None) -> None:
        instructions = []
        for facts in histories.values():
            for each in each_evaluated([facts], self.as_of, None,
                                       lambda view: payroll_instructions(view, self.registry.get(view.policy))):
                instructions += [] if isinstance(each, NeedsAttention) else each[1]
        sent = self.store.published(i.id for i in instructions)
        new = [i for i in instructions if i.id not in sent]
        futures = [self.producer.send(PAYROLL, key=i.employee_id.encode(), value=i.model_dump_json().encode())
                   for i in new]
        self.producer.flush()
        for future in futures:
            future.get(timeout=30)  # acknowledged before it is recorded as sent
        self.store.consumed(self.name, EVENTS, events, offsets, published=[(i.id, i.employee_id) for i in new],
                            tracking=tracking)
        if new:
            log.info("payroll_instructions_published", count=len(new))


def received_event(record) -> tuple[str, int, dict[str, Any], Fact] | None:
    """A message of attendance.events.v1 as the relay writes it (employee,
    notification id, the event as sent and as a fact), or None - logged and
    passed over - when it is not one: a message the ledger never wrote must
    not stop every event behind it. The log names what is wrong, never a
    value (it may be health data)."""
    try:
        message = json.loads(record.value)
        employee_id, notification_id, event = message["employee_id"], message["notification_id"], message["event"]
        if not isinstance(employee_id, str) or type(notification_id) is not int or not isinstance(event, dict):
            raise TypeError("not an event message")
        return employee_id, notification_id, event, parse_fact(event)
    except ValidationError as error:
        problem = "; ".join("an unexpected field" if e["type"] == "extra_forbidden"
                            else f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in error.errors())
    except UnknownEventType:
        problem = "an unknown event type"
    except (ValueError, KeyError, TypeError):  # not JSON, not UTF-8, not the relay's message
        problem = "not an event message (employee_id, notification_id, event)"
    log.error("message_refused", topic=record.topic, partition=record.partition, offset=record.offset,
              problem=problem)
    return None


def in_ledger_order(history: dict[int, Fact]) -> list[Fact]:
    """An employee's events as received, keyed by ledger notification id, in ledger order."""
    return [history[n] for n in sorted(history)]


def _caught_up(reader) -> bool:
    """Whether a consumer owns every partition of its topics and has read
    each to its end. (Owning them all matters after a crash: the dead member
    keeps its partitions until its session times out.)"""
    assignment = list(reader.assignment())
    topics = {p.topic for p in assignment}
    partitions = sum(len(reader.partitions_for_topic(t) or ()) for t in topics)
    if not assignment or len(assignment) < partitions:
        return False
    ends = reader.end_offsets(assignment)
    return all(reader.position(p) >= ends[p] for p in assignment)


CSV_COLUMNS = ["id", "employee_id", "type", "effective", "band", "until", "full_pay_until", "excess_until",
               "hours", "percent", "ssp_daily_rate", "enhancements_included"]


def payroll_tail(broker: Broker, output: TextIO = sys.stdout, seen: Iterable[str] = (), once: bool = False,
                 group: str = "payroll-tail") -> int:
    """A reference payroll client: reads `attendance.payroll.v1`, writes each
    instruction once as a CSV row (de-duplicating by id), commits its offsets
    after writing - at least once, and the id makes it exactly once."""
    broker.ensure_topics(PAYROLL)
    reader = broker.consumer(PAYROLL, group=group)
    reader.subscribe([PAYROLL])
    writer = csv.DictWriter(output, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    known = set(seen)
    written, idle = 0, 0
    while True:
        batches = reader.poll(timeout_ms=500, max_records=500)
        records = [r for batch in batches.values() for r in batch]
        for record in records:
            instruction = json.loads(record.value)
            if instruction["id"] not in known:
                writer.writerow(instruction)
                known.add(instruction["id"])
                written += 1
        if records:
            output.flush()
            reader.commit()
            idle = 0
        elif once and _caught_up(reader):
            idle += 1
            if idle >= 3:
                reader.close()
                return written

