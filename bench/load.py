"""`make load`: a bounded load test of the HTTP API on loopback.

Starts `attendance serve` on a free port over a fresh SQLite ledger of
synthetic employees; N concurrent clients each post events (an absence and
its return) and read the employee's status, for a fixed number of requests.
Reports throughput and p50/p99 latency for commands and for queries, beside
the bare `eventsourcing` library's save rate measured in the same run.
Then as many client processes read statuses of employees nobody writes to,
for the day the read model holds (answered from it) beside the same reads
for the day after (evaluated live), in the same run. The readers are
processes with one keep-alive `http.client` connection each, not httpx in
threads: the load generator shares the 2 cores with the server, and
threads of httpx held the rate below what the server answers.

Usage: python -m bench.load [--clients N] [--requests-per-client M] [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
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
from typing import Any

import httpx

from api.auth import Role, issue
from api.logging import configure_logging
from bench.population import population
from bench.report import write_section
from bench.run import bare_save
from service import read_views
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger
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


#: status reads per client for each of its command rounds
READS_PER_CLIENT = 8


def _reader(port: int, token: str, paths: list[str], n: int, count: int, ready: Any, results: Any) -> None:
    """One client process reading statuses over one keep-alive connection
    (`http.client`: the load generator shares the 2 cores with the server,
    and httpx in threads cost more CPU than the reads it measured). Starts
    when every client is connected; its start and end on the monotonic clock."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.connect()
    headers = {"Authorization": f"Bearer {token}"}
    times, failed = [], 0
    ready.wait()
    began = time.monotonic()
    for k in range(count):
        start = time.monotonic()
        connection.request("GET", paths[(n * 4 + k) % len(paths)], headers=headers)
        response = connection.getresponse()
        response.read()
        times.append(time.monotonic() - start)
        failed += response.status != 200
    ended = time.monotonic()
    connection.close()
    results.put((began, ended, times, failed))


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
                    for event in ({"type": "SicknessReported", "absence_id": f"L{n}-{k}", "first_day": str(day),
                                   "reason": "S13"},
                                  {"type": "ReturnedToWork", "absence_id": f"L{n}-{k}",
                                   "first_day_back": str(day + timedelta(days=2))}):
                        start = time.perf_counter()
                        response = http.post(f"/employees/{employee}/events", json=event)
                        commands.append(time.perf_counter() - start)
                        errors += response.status_code >= 400 and response.status_code != 409
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
            paths = [f"/employees/{employee_id}/status?as_of={day}" for employee_id in readers]
            processes = multiprocessing.get_context("fork")
            ready, results = processes.Barrier(clients), processes.Queue()
            started = [processes.Process(target=_reader, args=(port, token, paths, n, per_client * READS_PER_CLIENT,
                                                               ready, results)) for n in range(clients)]
            for process in started:
                process.start()
            timed = [results.get(timeout=600) for _ in started]
            for process in started:
                process.join()
            errors += sum(failed for _, _, _, failed in timed)
            return (max(end for _, end, _, _ in timed) - min(start for start, _, _, _ in timed),
                    [t for _, _, times, _ in timed for t in times])

        held_seconds, held_reads = reads(HELD)
        live_seconds, live_reads = reads(HELD + timedelta(days=1))
    finally:
        server.kill()
        server.wait()
    saves = 2000
    bare_seconds = time.perf_counter()
    bare_save(str(tmp / "bare.db"), [2] * (saves // 2))
    bare_rate = saves / (time.perf_counter() - bare_seconds)
    ms = 1000
    return [
        "",
        f"HTTP API load: {clients} concurrent clients, {len(commands):,} commands and {len(queries):,} status "
        f"reads in {elapsed:.1f} s over loopback ({errors} errors)",
        "",
        "| measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|",
        f"| commands (POST /employees/{{id}}/events) | {len(commands) / elapsed:,.0f} req/s, p50 "
        f"{statistics.median(commands) * ms:.0f} ms, p99 {percentile(commands, 0.99) * ms:.0f} ms | bare library save "
        f"{bare_rate:,.0f} events/s | {len(commands) / elapsed / bare_rate:.1%} |",
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
