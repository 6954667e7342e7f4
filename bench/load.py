"""`make load`: a bounded load test of the HTTP API on loopback.

Starts `attendance serve` on a free port over a fresh SQLite ledger of
synthetic employees; N concurrent clients each post events (an absence and
its return) and read the employee's status, for a fixed number of requests.
Reports throughput and p50/p99 latency for commands and for queries, beside
the bare `eventsourcing` library measured in the same run doing what a
command does (get an aggregate from its cache, trigger one event, save) with
the same number of threads, each on aggregates of its own; the library's
single-thread save rate is shown too. The same clients then post commands
alone (no reads between), the figure the baseline compares like with like.
Then the same clients read statuses of employees nobody writes to, for the
day the read model holds (answered from it) beside the same reads for the
day after (evaluated live), in the same run.

Usage: python -m bench.load [--clients N] [--requests-per-client M] [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx

from api.auth import Role, issue
from api.logging import configure_logging
from bench.population import population
from bench.report import write_section
from bench.run import BareApplication, Tally, bare_save
from service import read_views
from service.bootstrap import bootstrap
from service.ledger import AGGREGATE_CACHE, AttendanceLedger, store_environment
from domain.casefile import parse_case

HELD = date(2026, 5, 29)  # the day the read model is projected for
ATTENDANCE = str(Path(sys.executable).with_name("attendance"))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def bare_commands(url: str, clients: int, commands: int) -> float:
    """Saves/s of the bare library doing a command's store work: `clients`
    threads, each with four aggregates of its own (as the load's clients
    have four employees), get one (the same aggregate cache as the ledger),
    trigger one event and save it, `commands` times."""
    app = BareApplication(env={**AGGREGATE_CACHE, **store_environment(url)})
    owned = []
    for _ in range(clients):
        tallies = [Tally() for _ in range(4)]
        app.save(*tallies)
        owned.append([tally.id for tally in tallies])

    def client(n: int) -> None:
        for k in range(commands):
            tally = app.repository.get(owned[n][k % 4])
            tally.count(k)
            app.save(tally)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return clients * commands / (time.perf_counter() - start)


def post_commands(http: httpx.Client, employee: str, absence_id: str, day: date) -> tuple[list[float], int]:
    """An absence and its return, as a manager records them: their latencies and errors."""
    times, errors = [], 0
    for event in ({"type": "SicknessReported", "absence_id": absence_id, "first_day": str(day), "reason": "S13"},
                  {"type": "ReturnedToWork", "absence_id": absence_id, "first_day_back": str(day + timedelta(days=2))}):
        start = time.perf_counter()
        response = http.post(f"/employees/{employee}/events", json=event)
        times.append(time.perf_counter() - start)
        errors += response.status_code >= 400 and response.status_code != 409
    return times, errors


def run(clients: int, per_client: int) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="attendance-load-"))
    os.environ["ATTENDANCE_JWT_KEY"] = "load-test-signing-key-0123456789-abcdefghijkl"
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": str(tmp / "ledger.db"),
           "ATTENDANCE_ACCESS_LOG": str(tmp / "access.log"), "ATTENDANCE_LOG_LEVEL": "WARNING"}
    ledger = AttendanceLedger(env["ATTENDANCE_DATABASE_URL"])
    employees = [parse_case(c) for c in population(clients * 8, seed=17)]
    for employee in employees:
        ledger.import_case(employee)
    # the read model on HELD; the second half of the employees is only read
    read_views.project(bootstrap(ledger=ledger), HELD)
    readers = [e.registration.employee_id for e in employees[clients * 4:]]
    port = _port()
    server = subprocess.Popen([ATTENDANCE, "serve", "--port", str(port)], env=env)
    base, token = f"http://127.0.0.1:{port}", issue(Role.hr, "load-test")
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        commands: list[float] = []
        queries: list[float] = []
        errors = 0

        def client(n: int) -> None:
            nonlocal errors
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                for k in range(per_client):
                    # each client has four employees of its own, so no two write to one
                    employee = employees[n * 4 + k % 4].registration.employee_id
                    day = date(2026, 6, 1) + timedelta(days=14 * k)
                    times, failed = post_commands(http, employee, f"L{n}-{k}", day)
                    commands.extend(times)
                    errors += failed
                    start = time.perf_counter()
                    response = http.get(f"/employees/{employee}/status", params={"as_of": str(day)})
                    queries.append(time.perf_counter() - start)
                    errors += response.status_code >= 400

        began = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(client, range(clients)))
        elapsed = time.perf_counter() - began

        def reads(day: date) -> tuple[float, list[float]]:
            nonlocal errors
            times: list[float] = []

            def reader(n: int) -> None:
                nonlocal errors
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
                    for k in range(per_client * 2):
                        start = time.perf_counter()
                        response = http.get(f"/employees/{readers[(n * 4 + k) % len(readers)]}/status",
                                            params={"as_of": str(day)})
                        times.append(time.perf_counter() - start)
                        errors += response.status_code != 200
            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(reader, range(clients)))
            return time.perf_counter() - start, times

        held_seconds, held_reads = reads(HELD)
        live_seconds, live_reads = reads(HELD + timedelta(days=1))

        alone: list[float] = []

        def commander(n: int) -> None:
            nonlocal errors
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
                for k in range(per_client):
                    # later than the mixed load's absences, on the same employees
                    day = date(2028, 6, 1) + timedelta(days=14 * k)
                    times, failed = post_commands(http, employees[n * 4 + k % 4].registration.employee_id,
                                                  f"C{n}-{k}", day)
                    alone.extend(times)
                    errors += failed

        alone_seconds = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(commander, range(clients)))
        alone_seconds = time.perf_counter() - alone_seconds
    finally:
        server.kill()
        server.wait()
    bare_rate = bare_commands(str(tmp / "bare-commands.db"), clients, per_client * 2)
    saves = 2000
    single_seconds = time.perf_counter()
    bare_save(str(tmp / "bare.db"), [2] * (saves // 2))
    single_rate = saves / (time.perf_counter() - single_seconds)
    ms = 1000
    return [
        "",
        f"HTTP API load: {clients} concurrent clients, {len(commands):,} commands and {len(queries):,} status "
        f"reads in {elapsed:.1f} s over loopback ({errors} errors)",
        "",
        "| measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|",
        f"| commands alone (POST /employees/{{id}}/events) | {len(alone) / alone_seconds:,.0f} req/s, p50 "
        f"{statistics.median(alone) * ms:.0f} ms, p99 {percentile(alone, 0.99) * ms:.0f} ms | bare library get+save, "
        f"{clients} threads: {bare_rate:,.0f} saves/s (1 thread, new aggregates: {single_rate:,.0f} events/s) | "
        f"{len(alone) / alone_seconds / bare_rate:.1%} |",
        f"| commands between status reads | {len(commands) / elapsed:,.0f} req/s, p50 "
        f"{statistics.median(commands) * ms:.0f} ms, p99 {percentile(commands, 0.99) * ms:.0f} ms | the same | "
        f"{len(commands) / elapsed / bare_rate:.1%} |",
        f"| queries (GET /employees/{{id}}/status) between the commands | {len(queries) / elapsed:,.0f} req/s, p50 "
        f"{statistics.median(queries) * ms:.0f} ms, p99 {percentile(queries, 0.99) * ms:.0f} ms | - | - |",
        f"| status reads for the day the read model holds | {len(held_reads) / held_seconds:,.0f} req/s, p50 "
        f"{statistics.median(held_reads) * ms:.0f} ms, p99 {percentile(held_reads, 0.99) * ms:.0f} ms | "
        f"the same reads for the next day, evaluated live: {len(live_reads) / live_seconds:,.0f} req/s, p50 "
        f"{statistics.median(live_reads) * ms:.0f} ms, p99 {percentile(live_reads, 0.99) * ms:.0f} ms | "
        f"{live_seconds / held_seconds:.1f}x |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests-per-client", type=int, default=25)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    configure_logging()
    lines = run(args.clients, args.requests_per_client)
    print("\n".join(lines))
    if args.output:
        write_section(args.output, "load", lines)


if __name__ == "__main__":
    main()
