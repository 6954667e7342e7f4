"""`make bench` (feeds): the Kafka pipeline ledger -> relay -> attendance.events.v1
-> read-model consumer -> read model, beside the broker's own rate.

* baseline: kafka-python producing (acks=all) and consuming the same number
  of messages of the same size, on the same broker, in the same run;
* sustained rate: a backlog of events through relay and consumer, events/s;
* lag: events written at a steady rate (500/s by default) while the relay
  and the consumer run as their own processes; for each event, the time
  from its ledger commit to its row in the consumer's read model, p50/p99.

Usage: python -m bench.feeds [--backlog-employees N] [--rate R] [--seconds S]
"""

from __future__ import annotations

import argparse
import os
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
from service.read_model_store import read_model_store
from service.ledger import AttendanceLedger
from domain.casefile import parse_case
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
    consumer = KafkaConsumer("bench.baseline", bootstrap_servers=address, auto_offset_reset="earliest",
                             consumer_timeout_ms=5000)
    start, received = time.perf_counter(), 0
    for _ in consumer:
        received += 1
        if received == messages:
            break
    consumed = time.perf_counter() - start
    return messages / produced, received / consumed


def applied(store) -> int:
    rows = store._all("SELECT MAX(notification_id) AS n FROM kafka_events")  # noqa: SLF001 - a probe
    return int(rows[0][0] or 0)


def run(backlog_employees: int, rate: int, seconds: int) -> list[str]:
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

        store = read_model_store(env["ATTENDANCE_READ_MODEL_URL"])
        processes = [subprocess.Popen([ATTENDANCE, "relay", "--interval", "0.02"], env=env),
                     subprocess.Popen([ATTENDANCE, "read-model-consumer", "--as-of", AS_OF], env=env)]
        time.sleep(8)  # the consumer joins its group
        committed: dict[int, float] = {}
        seen: dict[int, float] = {}
        done = threading.Event()

        def watch() -> None:
            while not done.is_set() or len(seen) < len(committed):
                now, upto = time.perf_counter(), applied(store)
                for notification_id in [n for n in committed if n not in seen and n <= upto]:
                    seen[notification_id] = now
                time.sleep(0.005)
                if done.is_set() and time.perf_counter() - last_write[0] > 60:
                    return

        last_write = [time.perf_counter()]
        watcher = threading.Thread(target=watch)
        watcher.start()
        employees = [f"SYN-{n:07d}" for n in range(backlog_employees)]
        pairs = rate * seconds // 2  # each step writes an absence and its return
        began = next_at = time.perf_counter()
        for n in range(pairs):
            employee, episode = employees[n % len(employees)], n // len(employees)
            day = date(2026, 1, 5) + timedelta(days=7 * episode)
            ledger.record_event(employee, SicknessReported(absence_id=f"B{episode}", first_day=day, reason="S13"))
            committed[ledger.recorder.max_notification_id()] = time.perf_counter()
            ledger.record_event(employee, ReturnedToWork(absence_id=f"B{episode}",
                                                         first_day_back=day + timedelta(days=1)))
            committed[ledger.recorder.max_notification_id()] = time.perf_counter()
            next_at += 2 / rate
            time.sleep(max(0.0, next_at - time.perf_counter()))
        last_write[0] = time.perf_counter()
        written = len(committed) / (last_write[0] - began)
        done.set()
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
        f"then {len(committed):,} events written at {written:,.0f}/s (target {rate}/s) for {seconds} s",
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
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    configure_logging()
    lines = run(args.backlog_employees, args.rate, args.seconds)
    print("\n".join(lines))
    if args.output:
        write_section(args.output, "feeds", lines)


if __name__ == "__main__":
    main()
