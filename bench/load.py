"""`make load`: a bounded load test of the HTTP API on loopback.

Starts `attendance serve` on a free port over a fresh SQLite ledger of
synthetic employees, then runs, each with N concurrent clients:

* the mixed load: each client posts an absence and its return for one of
  its four employees (no two clients write to one employee) and reads that
  employee's status;
* status reads of employees nobody writes to, for the day the read model
  holds (answered from it), beside the same reads for the day after
  (evaluated live);
* commands alone (no reads between), the figure compared like with like with
  the bare `eventsourcing` library doing a command's store work in the same
  run: N threads, each on aggregates of its own, get one from the aggregate
  cache the ledger uses, trigger one event, save. The library's
  single-thread save rate is shown too.

The clients are processes with one keep-alive `http.client` connection each,
not httpx in threads: the load generator shares the 2 cores with the server,
and httpx threads cost more CPU than the requests they measured.

Usage: python -m bench.load [--clients N] [--requests-per-client M] [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from api.auth import Role, issue
from api.logging import configure_logging
from bench.population import population
from bench.report import write_section
from bench.run import BareApplication, Tally, bare_save
from domain.casefile import parse_case
from service import read_views
from service.bootstrap import bootstrap
from service.ledger import AGGREGATE_CACHE, AttendanceLedger, store_environment
from tests.serving import start_serving, wait_for_listening

HELD = date(2026, 5, 29)  # the day the read model is projected for
#: status reads per client for each of its command rounds
READS_PER_CLIENT = 8

#: one request a client makes: (what it measures, method, path, JSON body)
Request = tuple[str, str, str, dict[str, Any] | None]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def _client(port: int, token: str, requests: list[Request], ready: Any, results: Any) -> None:
    """One client process making its requests over one keep-alive
    connection, starting when every client is connected. A 409 is an
    answer (a conflict the client caused), not an error of the server."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.connect()
    times: dict[str, list[float]] = defaultdict(list)
    failed = 0
    ready.wait()
    began = time.monotonic()
    for kind, method, path, body in requests:
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        start = time.monotonic()
        connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = connection.getresponse()
        response.read()
        times[kind].append(time.monotonic() - start)
        failed += response.status >= 400 and response.status != 409
    ended = time.monotonic()
    connection.close()
    results.put((began, ended, dict(times), failed))


def load(port: int, token: str, plans: list[list[Request]]) -> tuple[float, dict[str, list[float]], int]:
    """Runs one client process per plan at once: the wall time from the first
    start to the last end, every latency by kind, and the errors."""
    processes = multiprocessing.get_context("fork")
    ready, results = processes.Barrier(len(plans)), processes.Queue()
    started = [processes.Process(target=_client, args=(port, token, plan, ready, results)) for plan in plans]
    for process in started:
        process.start()
    timed = []
    while len(timed) < len(started):
        try:
            timed.append(results.get(timeout=1))
        except queue.Empty:
            if failed := [p.exitcode for p in started if p.exitcode]:
                for process in started:
                    process.kill()
                raise RuntimeError(f"a client process failed (exit {failed[0]}; its error is above)") from None
    for process in started:
        process.join()
    times: dict[str, list[float]] = defaultdict(list)
    for _, _, kinds, _ in timed:
        for kind, values in kinds.items():
            times[kind].extend(values)
    return (max(end for _, end, _, _ in timed) - min(start for start, _, _, _ in timed), times,
            sum(failed for _, _, _, failed in timed))


def absence_and_return(employee: str, absence_id: str, day: date) -> list[Request]:
    """An absence and its return, as a manager records them."""
    path = f"/employees/{employee}/events"
    return [("command", "POST", path, {"type": "SicknessReported", "absence_id": absence_id,
                                       "first_day": str(day), "reason": "S13"}),
            ("command", "POST", path, {"type": "ReturnedToWork", "absence_id": absence_id,
                                       "first_day_back": str(day + timedelta(days=2))})]


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


@contextmanager
def serving(env: dict[str, str], home: Path, workers: int) -> Iterator[int]:
    """`attendance serve --workers N` on a free port, from the moment it says
    every process listens until the block ends (stopped with SIGTERM, so that
    its worker processes stop with it)."""
    server, log = start_serving(env, home, "--workers", str(workers))
    try:
        yield int(wait_for_listening(server, log, timeout=120).rsplit(":", 1)[1])
    finally:
        server.terminate()
        server.wait()


def _rate(count: int, seconds: float, times: list[float]) -> str:
    ms = 1000
    return (f"{count / seconds:,.0f} req/s, p50 {statistics.median(times) * ms:.0f} ms, "
            f"p99 {percentile(times, 0.99) * ms:.0f} ms")


def run(clients: int, per_client: int) -> list[str]:
    tmp = Path(tempfile.mkdtemp(prefix="attendance-load-"))
    os.environ["ATTENDANCE_JWT_KEY"] = "load-test-signing-key-0123456789-abcdefghijkl"
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": str(tmp / "ledger.db"),
           "ATTENDANCE_ACCESS_LOG": str(tmp / "access.log"), "ATTENDANCE_LOG_LEVEL": "WARNING"}
    ledger = AttendanceLedger(env["ATTENDANCE_DATABASE_URL"])
    cases = [parse_case(c) for c in population(clients * 8, seed=17)]
    ledger.import_cases(cases)
    employees = [case.registration.employee_id for case in cases]
    # the read model on HELD; the second half of the employees is only read
    read_views.project(bootstrap(ledger=ledger), HELD)
    writers, readers = employees[:clients * 4], employees[clients * 4:]

    def mixed(n: int) -> list[Request]:
        plan: list[Request] = []
        for k in range(per_client):
            employee, day = writers[n * 4 + k % 4], date(2026, 6, 1) + timedelta(days=14 * k)
            plan += absence_and_return(employee, f"L{n}-{k}", day)
            plan.append(("query", "GET", f"/employees/{employee}/status?as_of={day}", None))
        return plan

    def reads(n: int, day: date) -> list[Request]:
        return [("read", "GET", f"/employees/{readers[(n * 4 + k) % len(readers)]}/status?as_of={day}", None)
                for k in range(per_client * READS_PER_CLIENT)]

    def commands_alone(n: int, first: date) -> list[Request]:
        # later than the mixed load's absences, on the same employees
        return [request for k in range(per_client)
                for request in absence_and_return(writers[n * 4 + k % 4], f"C{first:%Y}-{n}-{k}",
                                                  first + timedelta(days=14 * k))]

    token = issue(Role.hr, "load-test")
    with serving(env, tmp, workers=1) as port:
        mixed_seconds, mixed_times, errors = load(port, token, [mixed(n) for n in range(clients)])
        held_seconds, held, failed = load(port, token, [reads(n, HELD) for n in range(clients)])
        errors += failed
        live_seconds, live, failed = load(port, token, [reads(n, HELD + timedelta(days=1)) for n in range(clients)])
        errors += failed
        alone_seconds, alone, failed = load(port, token, [commands_alone(n, date(2028, 6, 1)) for n in range(clients)])
        errors += failed
    with serving(env, tmp, workers=2) as port:
        held2_seconds, held2, failed = load(port, token, [reads(n, HELD) for n in range(clients)])
        errors += failed
        alone2_seconds, alone2, failed = load(port, token, [commands_alone(n, date(2030, 6, 1))
                                                            for n in range(clients)])
        errors += failed
    bare_rate = bare_commands(str(tmp / "bare-commands.db"), clients, per_client * 2)
    saves = 2000
    single_seconds = time.perf_counter()
    bare_save(str(tmp / "bare.db"), [2] * (saves // 2))
    single_rate = saves / (time.perf_counter() - single_seconds)
    commands, queries = mixed_times["command"], mixed_times["query"]
    held_reads, live_reads, alone_commands = held["read"], live["read"], alone["command"]
    held2_reads, alone2_commands = held2["read"], alone2["command"]
    return [
        "",
        f"HTTP API load: {clients} concurrent client processes (one keep-alive connection each); "
        f"{len(commands) + len(alone_commands) + len(alone2_commands):,} commands and "
        f"{len(queries) + len(held_reads) + len(live_reads) + len(held2_reads):,} status reads over loopback "
        f"({errors} errors); one server process (`attendance serve`), then two (`--workers 2`)",
        "",
        "| measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|",
        f"| commands alone (POST /employees/{{id}}/events) | {_rate(len(alone_commands), alone_seconds, alone_commands)} "
        f"| bare library get+save, {clients} threads: {bare_rate:,.0f} saves/s (1 thread, new aggregates: "
        f"{single_rate:,.0f} events/s) | {len(alone_commands) / alone_seconds / bare_rate:.1%} |",
        f"| commands between status reads | {_rate(len(commands), mixed_seconds, commands)} | the same | "
        f"{len(commands) / mixed_seconds / bare_rate:.1%} |",
        f"| queries (GET /employees/{{id}}/status) between the commands | "
        f"{_rate(len(queries), mixed_seconds, queries)} | - | - |",
        f"| status reads for the day the read model holds | {_rate(len(held_reads), held_seconds, held_reads)} | "
        f"the same reads for the next day, evaluated live: {_rate(len(live_reads), live_seconds, live_reads)} | "
        f"{live_seconds / held_seconds:.1f}x |",
        f"| with `--workers 2`: commands alone | {_rate(len(alone2_commands), alone2_seconds, alone2_commands)} | "
        f"bare library get+save, {clients} threads (above) | {len(alone2_commands) / alone2_seconds / bare_rate:.1%} |",
        f"| with `--workers 2`: status reads for the day the read model holds | "
        f"{_rate(len(held2_reads), held2_seconds, held2_reads)} | one process (above) | "
        f"{held_seconds / held2_seconds:.2f}x |",
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
