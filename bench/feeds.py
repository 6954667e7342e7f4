"""`make bench` (feeds): the Kafka pipeline ledger -> relay -> attendance.events.v1
-> read-model consumer -> read model, beside the broker's own rate.

* baseline: kafka-python producing (acks=all) and consuming the same number
  of messages of the same size, on the same broker, in the same run;
* sustained rate: a backlog of events through relay and consumer, events/s;
* lag: events written at a steady rate (500/s by default), a command per
  event through the ledger, by writing processes of their own while the
  relay and the consumer run as theirs; for each event, the time from its
  ledger commit to its row in the consumer's read model, p50/p99 (wall
  clock, the same in every process; the probe looks every 10 ms).

Usage: python -m bench.feeds [--backlog-employees N] [--rate R] [--seconds S] [--writers W]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from api.logging import configure_logging
from bench.population import population
from bench.report import write_section
from service.ledger import AttendanceLedger
from domain.casefile import parse_case
from domain.employee import employee_uuid
from domain.events import ReturnedToWork, SicknessReported
from tests.kafka_broker import Broker

ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
AS_OF = "2025-12-31"


def broker_baseline(address: str, messages: int, size: int) -> tuple[float, float]:
    payload = b"x" * size
    producer = KafkaProducer(bootstrap_servers=address, acks="all", linger_ms=5)
    start = time.perf_counter()
    for n in range(messages):
        producer.send("bench.baseline", key=str(n % 97).encode(), value=payload)
    producer.flush()
    produced = time.perf_counter() - start
    return messages / produced, read_rate(address, "bench.baseline", messages)


def read_rate(address: str, topic: str, messages: int) -> float:
    """kafka-python reading the topic's first `messages` from its start: messages/s."""
    consumer = KafkaConsumer(topic, bootstrap_servers=address, auto_offset_reset="earliest",
                             consumer_timeout_ms=5000)
    start, received = time.perf_counter(), 0
    for _ in consumer:
        received += 1
        if received == messages:
            break
    elapsed = time.perf_counter() - start
    consumer.close()
    return received / elapsed


def writer(database_url: str, employees: list[str], rate: float, seconds: int, start_at: float,
           results) -> None:
    """One writing process: a command per event through the ledger, an
    absence and its return per step, paced at `rate` events/s from the wall
    clock's `start_at` (a step that falls behind is not waited for). Puts
    each event's (aggregate id, version, commit time), and the seconds spent
    in commands, on `results`."""
    configure_logging()
    ledger = AttendanceLedger(database_url)
    committed, busy = [], 0.0
    steps = int(rate * seconds) // 2
    time.sleep(max(0.0, start_at - time.time()))
    for n in range(steps):
        employee, episode = employees[n % len(employees)], n // len(employees)
        day = date(2026, 1, 5) + timedelta(days=7 * episode)
        for fact in (SicknessReported(absence_id=f"B{episode}", first_day=day, reason="S13"),
                     ReturnedToWork(absence_id=f"B{episode}", first_day_back=day + timedelta(days=1))):
            began = time.time()
            version = int(ledger.record_event(employee, fact))  # the ledger numbers an event by its version
            committed.append((employee_uuid(employee), version, time.time()))
            busy += committed[-1][2] - began
        time.sleep(max(0.0, start_at + (n + 1) * 2 / rate - time.time()))
    results.put((committed, busy))


def write_steadily(database_url: str, employees: list[str], rate: int, seconds: int,
                   writers: int) -> tuple[list, float, float]:
    """`writers` processes share the employees and the rate; returns every
    event's (aggregate id, version, commit time), the rate reached and the
    share of the writers' time spent in commands (near 1: the ledger's
    command rate, not the pacing, limited the rate)."""
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    start_at = time.time() + 5  # every writer has opened the ledger by then
    processes = [spawn.Process(target=writer, args=(database_url, employees[n::writers], rate / writers, seconds,
                                                    start_at, results)) for n in range(writers)]
    for process in processes:
        process.start()
    committed, busy = [], 0.0
    for _ in processes:
        while True:
            try:
                events, seconds_in_commands = results.get(timeout=1)
                committed += events
                busy += seconds_in_commands
                break
            except queue.Empty:
                if any(p.exitcode for p in processes):
                    raise RuntimeError("a writer failed (its error is above)") from None
    for process in processes:
        process.join()
    elapsed = max(t for _, _, t in committed) - start_at
    return committed, len(committed) / elapsed, busy / (elapsed * writers)


def watch(consumer_db: Path, seen: dict[int, float], stop: threading.Event) -> None:
    """When each notification first shows in the consumer's inbox, written
    in the same transaction as its rows in the read model."""
    probe = sqlite3.connect(consumer_db)
    last = 0
    while not stop.is_set():
        now = time.time()
        for rowid, notification_id in probe.execute(
                "SELECT rowid, notification_id FROM kafka_events WHERE rowid > ?", (last,)).fetchall():
            seen.setdefault(notification_id, now)
            last = rowid
        time.sleep(0.01)


def run(backlog_employees: int, rate: int, seconds: int, writers: int) -> list[str]:
    broker = Broker()
    tmp = Path(tempfile.mkdtemp(prefix="attendance-feeds-"))
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": str(tmp / "ledger.db"),
           "ATTENDANCE_READ_MODEL_URL": str(tmp / "consumer.db"), "ATTENDANCE_KAFKA_BOOTSTRAP": broker.address,
           "ATTENDANCE_LOG_LEVEL": "WARNING"}
    processes: list[subprocess.Popen] = []
    try:
        ledger = AttendanceLedger(env["ATTENDANCE_DATABASE_URL"])
        for each in population(backlog_employees, seed=11):
            ledger.import_case(parse_case(each))
        backlog = ledger.recorder.max_notification_id()
        produce_rate, consume_rate = broker_baseline(broker.address, backlog, 600)

        start = time.perf_counter()
        subprocess.run([ATTENDANCE, "relay", "--once"], env=env, check=True, capture_output=True)
        subprocess.run([ATTENDANCE, "read-model-consumer", "--once", "--as-of", AS_OF], env=env, check=True,
                       capture_output=True)
        pipeline = backlog / (time.perf_counter() - start)

        processes = [subprocess.Popen([ATTENDANCE, "relay"], env=env),
                     subprocess.Popen([ATTENDANCE, "read-model-consumer", "--as-of", AS_OF], env=env)]
        time.sleep(8)  # the consumer joins its group
        seen: dict[int, float] = {}
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(tmp / "consumer.db", seen, stop))
        watcher.start()
        employees = [f"SYN-{n:07d}" for n in range(backlog_employees)]
        events, written, busy = write_steadily(env["ATTENDANCE_DATABASE_URL"], employees, rate, seconds, writers)
        notification = {(n.originator_id, n.originator_version): n.id
                        for n in ledger.recorder.select_notifications(backlog + 1, len(events))}
        committed = {notification[(originator, version)]: at for originator, version, at in events}
        deadline = time.time() + 60
        while len(committed.keys() - seen.keys()) and time.time() < deadline:
            time.sleep(0.1)
        stop.set()
        watcher.join()
        lags = sorted((seen[n] - committed[n]) * 1000 for n in committed if n in seen)
    finally:
        for process in processes:
            process.kill()
        broker.stop()
    p50 = statistics.median(lags) if lags else float("nan")
    p99 = lags[int(len(lags) * 0.99) - 1] if lags else float("nan")
    return [
        "",
        f"Kafka feeds: backlog {backlog:,} events ({backlog_employees:,} employees); "
        f"then {len(committed):,} events written at {written:,.0f}/s (target {rate}/s) for {seconds} s, a command "
        f"per event, by {writers} writing process{'es' if writers > 1 else ''} {busy:.0%} of the time in commands"
        + (" (the ledger's command rate, not the pacing, held the rate down)" if written < 0.95 * rate and busy > 0.9 else ""),
        "",
        "| measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|",
        f"| sustained relay -> consumer -> read model | {pipeline:,.0f} events/s | kafka-python produce "
        f"{produce_rate:,.0f} msg/s, consume {consume_rate:,.0f} msg/s | "
        f"{pipeline / min(produce_rate, consume_rate):.1%} |",
        f"| lag, ledger commit -> consumer read model, at {written:,.0f} events/s | p50 {p50:,.0f} ms, "
        f"p99 {p99:,.0f} ms ({len(lags):,} of {len(committed):,} events seen) | - | - |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlog-employees", type=int, default=500)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--writers", type=int, default=1,
                        help="writing processes sharing the rate (SQLite: one writes faster than two)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    configure_logging()
    lines = run(args.backlog_employees, args.rate, args.seconds, args.writers)
    print("\n".join(lines))
    if args.output:
        write_section(args.output, "feeds", lines)


if __name__ == "__main__":
    main()
