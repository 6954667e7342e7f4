"""`make bench` (replay group): the September 2025 comparison (W22 V5.13
beside V6) as a consumer group over attendance.events.v1, one member and
then two, beside the same comparison over the ledger (`attendance replay`,
one process) and kafka-python reading the same messages, in the same run.

Each run is timed as an operator sees it, from starting the members'
processes to the last one's exit (joining the group included), and its
answer checked against the ledger's, byte for byte.

Usage: python -m bench.replay_group [--employees N] [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api.logging import configure_logging
from bench.feeds import read_rate
from bench.population import population
from bench.report import write_section
from domain.casefile import parse_case
from service.broker import EVENTS
from service.ledger import AttendanceLedger
from tests.kafka_broker import Broker

ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
COMPARISON = ["--policy", "sath-w22-v5.13", "--compare", "sath-w22-v6", "--as-of", "2025-12-31", "--format", "json"]


def timed(commands: list[list[str]], env: dict) -> float:
    """Seconds from starting the processes to the last one's exit."""
    start = time.perf_counter()
    processes = [subprocess.Popen([ATTENDANCE, *command], env=env, stdout=subprocess.DEVNULL) for command in commands]
    if any(process.wait() for process in processes):
        raise RuntimeError(f"{commands[0][0]} failed (its error is above)")
    return time.perf_counter() - start


def run(employees: int) -> list[str]:
    broker = Broker()
    tmp = Path(tempfile.mkdtemp(prefix="attendance-replay-group-"))
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": str(tmp / "ledger.db"),
           "ATTENDANCE_READ_MODEL_URL": str(tmp / "shares.db"), "ATTENDANCE_KAFKA_BOOTSTRAP": broker.address,
           "ATTENDANCE_LOG_LEVEL": "WARNING"}
    try:
        ledger = AttendanceLedger(env["ATTENDANCE_DATABASE_URL"])
        cases = [parse_case(each) for each in population(employees, seed=9)]
        for start in range(0, len(cases), 500):
            ledger.import_cases(cases[start:start + 500])
        events = ledger.recorder.max_notification_id()
        subprocess.run([ATTENDANCE, "relay", "--once"], env=env, check=True, capture_output=True)
        read = read_rate(broker.address, EVENTS, events)
        over_ledger = timed([["replay", *COMPARISON[:-2]]], env)
        expected = subprocess.run([ATTENDANCE, "replay", *COMPARISON], env=env, check=True, capture_output=True,
                                  text=True).stdout
        seconds = {}
        for members in (1, 2):
            run_name = f"bench-{members}"
            seconds[members] = timed([["replay-consumer", "--run", run_name, *COMPARISON[:-2]]] * members, env)
            answer = subprocess.run([ATTENDANCE, "replay-result", run_name, "--format", "json"], env=env,
                                    check=True, capture_output=True, text=True).stdout
            if answer != expected:
                raise RuntimeError(f"the group of {members} answered otherwise than replay over the ledger")
    finally:
        broker.stop()

    def row(measure: str, elapsed: float) -> str:
        rate = events / elapsed
        return (f"| {measure} | {employees / elapsed:,.0f} employees/s, {rate:,.0f} events/s ({elapsed:.0f} s) | "
                f"kafka-python read {read:,.0f} msg/s | {rate / read:.1%} |")

    return [
        "",
        f"Replay as a consumer group: compare sath-w22-v5.13 with sath-w22-v6 over {employees:,} employees, "
        f"{events:,} events on {EVENTS} (6 partitions, SQLite beside each member); each time from starting "
        "the processes to the last exit, the group's answer checked equal to `attendance replay`'s",
        "",
        "| measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|",
        row("`attendance replay` over the ledger, 1 process", over_ledger),
        row("`attendance replay-consumer`, 1 member", seconds[1]),
        row("`attendance replay-consumer`, 2 members", seconds[2]),
        f"| 2 members against 1 | {seconds[1] / seconds[2]:.2f}x | - | - |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    configure_logging()
    lines = run(args.employees)
    print("\n".join(lines))
    if args.output:
        write_section(args.output, "replay-group", lines)


if __name__ == "__main__":
    main()
