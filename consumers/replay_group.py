"""A what-if replay as a consumer group over `attendance.events.v1` (issue
12): the population under a policy (or two compared), spread over as many
processes - on as many machines - as the topic has partitions.

The topic is keyed by employee, so each partition holds whole histories, in
ledger order. A run is named; its first member fixes what it replays (the
policies, the day, `known_at`) and which events: each partition's offsets
from its first to its end at that moment, so every member replays the same
events whenever it joins. A member reads each partition it is assigned from the beginning to
that end, then replays the partition's employees a slice at a time between
polls (staying in the group) and keeps the partition's share of the result
in its database. The partition is the unit of work: a member that stops
loses only the partitions it had not kept, which the group hands to another
member to read again. Members stay until every partition is kept, so a
rebalance never moves a partition away from the member reading it merely
because another finished; `service.population.replay_run_result` merges the
shares into the answer `attendance replay` gives over the ledger.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import structlog
from kafka import ConsumerRebalanceListener, TopicPartition

from consumers.kafka_consumers import in_ledger_order, received_event
from domain.events import Fact
from domain.rulebook import RulebookRegistry
from projections.replay import Replay, merge, replay
from service.broker import EVENTS, Broker

log = structlog.get_logger("attendance.replay_group")

#: seconds of replaying between two polls: well inside the group's poll interval
SLICE_SECONDS = 1.0
#: seconds between two looks at whether the other members have kept their partitions
DONE_EVERY = 1.0


class RunMismatch(ValueError):
    """A member was asked for something other than what its run replays."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


#: a run's name: it names its consumer group and is typed again to read the result
RUN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def checked_run_name(run: str) -> str:
    if not RUN_NAME.fullmatch(run):
        raise RunMismatch("--run", f"{run[:64]!r} is not a run name: 1 to 64 letters, digits, '.', '_' or '-', "
                                   "beginning with a letter or digit")
    return run


@dataclass
class _Partition:
    """One partition as a member reads and replays it."""

    next: int  # the offset of the next event to read
    end: int
    histories: dict[str, dict[int, Fact]] = field(default_factory=dict)
    pending: list[list[Fact]] | None = None  # read to its end: the histories left to replay
    parts: list[Replay] = field(default_factory=list)


def _bounds(broker: Broker, wait: float = 30.0) -> dict[int, tuple[int, int]]:
    """Each partition's first offset and its end now: the high watermark a
    fetch from its end reports. (Not ListOffsets alone for the end: Tansu,
    the broker the tests run, answers with its last batch's first offset.)"""
    probe = broker.consumer(EVENTS, group=None)
    try:
        partitions = [TopicPartition(EVENTS, p) for p in sorted(probe.partitions_for_topic(EVENTS))]
        probe.assign(partitions)
        starts = probe.beginning_offsets(partitions)
        probe.seek_to_end()
        deadline = time.monotonic() + wait
        while any(probe.highwater(tp) is None for tp in partitions):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the broker did not report where {EVENTS} ends within {wait:.0f} s")
            probe.poll(timeout_ms=200)
        return {tp.partition: (starts[tp], probe.highwater(tp)) for tp in partitions}
    finally:
        probe.close()


class _StartOver(ConsumerRebalanceListener):
    def __init__(self, member: "ReplayMember") -> None:
        self.member = member

    def on_partitions_revoked(self, revoked) -> None:
        self.member.partitions.clear()

    def on_partitions_assigned(self, assigned) -> None:
        self.member.take(assigned)


class ReplayMember:
    """One member of the consumer group replaying run `run`."""

    def __init__(self, store, registry: RulebookRegistry, broker: Broker, run: str,
                 policies: list[str] | None = None, as_of: date | None = None, known_at: datetime | None = None) -> None:
        self.store, self.registry, self.broker, self.run_name = store, registry, broker, checked_run_name(run)
        self.definition = self._definition(policies, as_of, known_at and known_at.astimezone(timezone.utc))
        self.bounds = {int(p): (start, end) for p, (start, end) in self.definition["partitions"].items()}
        self.policies: list[str] = self.definition["policies"]
        self.as_of = date.fromisoformat(self.definition["as_of"])
        self.known_at = datetime.fromisoformat(self.definition["known_at"]) if self.definition["known_at"] else None
        self.partitions: dict[int, _Partition] = {}
        self.kept = 0
        self.kafka = broker.consumer(EVENTS, group=f"attendance-replay-{self.run_name}")
        self.kafka.subscribe([EVENTS], listener=_StartOver(self))

    def _definition(self, policies: list[str] | None, as_of: date | None, known_at: datetime | None) -> dict[str, Any]:
        """The run as fixed by its first member; this member's options, if
        given, and its rulebooks must agree with it. Checked before the
        broker is asked anything, but for where a new run's partitions end."""
        fixed = self.store.replay_run(self.run_name)
        if fixed is None:
            if not policies:
                raise RunMismatch("--policy", f"no replay run named {self.run_name} yet: name the policy to start it")
            rulebooks = {policy: self.registry.get(policy).content_hash for policy in policies}
            self.broker.ensure_topics(EVENTS)
            fixed = self.store.begin_replay_run(self.run_name, {
                "policies": policies, "rulebooks": rulebooks, "as_of": (as_of or date.today()).isoformat(),
                "known_at": known_at.isoformat() if known_at else None,
                "partitions": {str(p): bounds for p, bounds in _bounds(self.broker).items()}})
        asked = {"--policy": policies and " compared with ".join(policies), "--as-of": as_of and as_of.isoformat(),
                 "--known-at": known_at and known_at.isoformat()}
        held = {"--policy": " compared with ".join(fixed["policies"]), "--as-of": fixed["as_of"],
                "--known-at": fixed["known_at"]}
        for option, value in asked.items():
            if value and value != held[option]:
                raise RunMismatch(option, f"run {self.run_name} replays {held[option] or f'without {option}'}, "
                                          f"not {value}")
        for policy, content_hash in fixed["rulebooks"].items():
            if self.registry.get(policy).content_hash != content_hash:
                raise RunMismatch("--policy", f"rulebook {policy} here is not the one run {self.run_name} replays "
                                              f"(SHA-256 {content_hash[:12]}...): every member needs the same "
                                              "rulebooks (ATTENDANCE_RULEBOOKS)")
        return fixed

    def take(self, assigned) -> None:
        """Read each newly assigned partition from its beginning, unless its share is kept."""
        done = self.store.replay_partitions_done(self.run_name)
        for tp in assigned:
            if tp.partition in done or tp.partition not in self.bounds:
                self.kafka.pause(tp)
            else:
                self.partitions[tp.partition] = _Partition(*self.bounds[tp.partition])
                self.kafka.resume(tp)  # paused once read to its end, kept through the rebalance: read it again
                self.kafka.seek_to_beginning(tp)
        log.info("replay_partitions_assigned", run=self.run_name, reading=sorted(self.partitions))

    def run(self) -> int:
        """Replay this member's partitions until every partition of the run
        is kept (by any member); how many this member kept."""
        looked = 0.0
        while True:
            busy = any(p.pending is not None for p in self.partitions.values())
            for tp, records in self.kafka.poll(timeout_ms=0 if busy else 500, max_records=2000).items():
                self._read(tp, records)
            self._note_read_to_end()
            if self._replay_a_slice():
                continue
            if time.monotonic() - looked >= DONE_EVERY:
                looked = time.monotonic()
                if self.store.replay_partitions_done(self.run_name) >= set(self.bounds):
                    # Not kafka.close(): its LeaveGroup left Tansu (the tests'
                    # broker) unable to seat the group's next member. Every
                    # member is done; the broker drops this one after its session.
                    return self.kept

    def _read(self, tp: TopicPartition, records: list) -> None:
        partition = self.partitions.get(tp.partition)
        if partition is None or partition.pending is not None:
            return
        for record in records:
            if record.offset < partition.end and (message := received_event(record)):
                # events after the run began are not its business; a redelivery overwrites itself
                employee_id, notification_id, _, fact = message
                partition.histories.setdefault(employee_id, {})[notification_id] = fact
            partition.next = max(partition.next, record.offset + 1)

    def _note_read_to_end(self) -> None:
        for number, partition in self.partitions.items():
            if partition.pending is None and partition.next >= partition.end:
                self.kafka.pause(TopicPartition(EVENTS, number))
                partition.pending = [in_ledger_order(h) for _, h in sorted(partition.histories.items())]
                partition.histories.clear()
                log.info("replay_partition_read", run=self.run_name, partition=number, employees=len(partition.pending))

    def _replay_a_slice(self) -> bool:
        """Replay employees of a partition read to its end for about
        SLICE_SECONDS, keeping its share when none is left; whether there
        was any to replay."""
        read = [number for number, partition in self.partitions.items() if partition.pending is not None]
        if not read:
            return False
        number = read[0]
        partition = self.partitions[number]
        assert partition.pending is not None
        started = time.monotonic()
        while partition.pending and time.monotonic() - started < SLICE_SECONDS:
            chunk = partition.pending[:50]
            del partition.pending[:50]
            partition.parts.append(replay(chunk, self.registry, self.policies, self.as_of, self.known_at))
        if not partition.pending:
            parts = partition.parts or [replay([], self.registry, self.policies, self.as_of, self.known_at)]
            self.store.keep_replay_share(self.run_name, number, merge(parts).as_share())
            del self.partitions[number]
            self.kept += 1
            log.info("replay_partition_kept", run=self.run_name, partition=number)
        return True

