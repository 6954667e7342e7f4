"""`make bench`: the ledger's import and whole-population evaluation rates,
each beside a baseline measured in the same run on the same machine:

* import (events/s), case files a few hundred per transaction as
  `attendance import` of many files writes them, beside the bare
  `eventsourcing` library saving trivial aggregates with the same events
  each, as many aggregates per save (like with like; its rate saving one
  aggregate per save is shown too);
* whole-population evaluation (employees/s, events/s) beside a raw SQL
  read of the same stored events;
* whole-ledger replay under a policy, and comparison of two, over the first
  `--compare-employees` of a larger ledger in one process and in `--workers`
  processes (`attendance replay --workers`), then the replay of the whole
  ledger (`--replay-employees`, 100,000 in `make bench`) in `--workers`
  processes, each beside a raw read of its events, with the CPU time spent
  and the peak memory of the largest process.

The large ledger is built as `import` builds it, with the case files applied
in `--workers` processes (`build_ledger`). Wall time on the idle 2-core
development machine (2026-11-27, about twice as fast as the day before's):
building 100,000 employees (1.9 million events) about 3 minutes, the
20,000-employee comparisons under 1, the 100,000-employee replay in 2
processes 40 s; with the first part, `bench.feeds` and
`bench.replay_group` (20,000 employees), `make bench` took about 9 minutes. Memory: a replay process
holds its share's stored payloads (about 1.2 KB an event), so 2 processes
at 100,000 employees hold about 1.3 GB each (one would need 2.3 GB).

Every measure opens its store before the clock starts (loading the
rulebooks is not reading events), so ledger and baseline time the same work:
a pass over the stored events.

Usage: python -m bench.run [--employees N] [--replay-employees M] [--compare-employees C] [--workers W]
                           [--output BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import sys
import sqlite3
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from itertools import islice
from datetime import date
from pathlib import Path

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from api.logging import configure_logging
from bench.population import employee_cases, population
from bench.report import write_section
from service.ledger import AttendanceLedger, apply_case, store_environment
from domain.casefile import parse_case
from domain.rulebook import RulebookRegistry
from projections.status import evaluate_view
from service.bootstrap import Services, bootstrap
from service.population import replay_ledger
from projections.view import EmployeeView
from tests.postgres import PostgresServer

AS_OF = date(2025, 12, 31)


class Tally(Aggregate):
    """The baseline aggregate: nothing but events."""

    @event("Counted")
    def count(self, n: int) -> None:
        self.last = n


class BareApplication(Application):
    name = "bare"


def timed(action: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    count = action()
    return time.perf_counter() - start, count


#: case files per transaction in the import measures (`import_population`)
IMPORT_BATCH = 500


def import_population(ledger: AttendanceLedger, cases) -> int:
    return sum(result.stored for start in range(0, len(cases), IMPORT_BATCH)
               for result in ledger.import_cases(cases[start:start + IMPORT_BATCH]))


def bare_save(url: str, events_per_employee: list[int], per_save: int = 1) -> int:
    """The bare library saving one trivial aggregate per employee, with as
    many events, `per_save` aggregates in each save (one transaction)."""
    app = BareApplication(env=store_environment(url))
    for start in range(0, len(events_per_employee), per_save):
        tallies = []
        for n in events_per_employee[start:start + per_save]:
            tally = Tally()
            for i in range(n - 1):
                tally.count(i)
            tallies.append(tally)
        app.save(*tallies)
    return sum(events_per_employee)


def evaluate_population(ledger: AttendanceLedger) -> int:
    employees = 0
    for history in ledger.histories():
        view = EmployeeView.of(history, AS_OF)
        evaluate_view(view, ledger.registry.get(view.policy))
        employees += 1
    return employees


def raw_read(url: str, table: str) -> int:
    query = f"SELECT originator_id, originator_version, topic, state FROM {table}"  # noqa: S608 - our own table
    if url.startswith("postgresql://"):
        with psycopg.connect(url) as connection:
            return len(connection.execute(query).fetchall())
    with sqlite3.connect(url) as connection:  # row by row: a national-size ledger is not held at once
        return sum(1 for _ in connection.execute(query))


def lost_rate(cases) -> float:
    """Share of working days lost, to show the population is realistic."""
    lost = available = 0
    for case in cases:
        view = EmployeeView.of(case.history, AS_OF)
        lost += sum(len(view.calendar.working_days(a.first_day, a.last_day_by(AS_OF))) for a in view.absences)
        available += len(view.calendar.working_days(date(2024, 1, 1), AS_OF))
    return lost / available


def run(employees: int) -> list[str]:
    cases = [parse_case(c) for c in population(employees)]
    events = [1 + len(c.events) for c in cases]
    total = sum(events)
    rows = []
    server = PostgresServer()
    server.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            stores = {
                "SQLite": (str(Path(tmp) / "ledger.db"), str(Path(tmp) / "bare.db"), str(Path(tmp) / "bare1.db")),
                "PostgreSQL": (server.create_database("ledger"), server.create_database("bare"),
                               server.create_database("bare1")),
            }
            for store, (ledger_url, bare_url, single_url) in stores.items():
                ledger = AttendanceLedger(ledger_url)
                seconds, stored = timed(lambda: import_population(ledger, cases))
                assert stored == total
                bare_seconds, _ = timed(lambda: bare_save(bare_url, events, IMPORT_BATCH))
                single_seconds, _ = timed(lambda: bare_save(single_url, events))
                rows.append((store, f"import, {IMPORT_BATCH} case files per transaction",
                             f"{total / seconds:,.0f} events/s",
                             f"bare library save, {IMPORT_BATCH} aggregates per save: {total / bare_seconds:,.0f} "
                             f"events/s (one per save: {total / single_seconds:,.0f})",
                             f"{bare_seconds / seconds:.0%}"))
                ledger = AttendanceLedger(ledger_url)
                read_seconds, read = timed(lambda: raw_read(ledger_url, ledger.recorder.events_table_name))
                assert read == total
                eval_seconds, evaluated = timed(lambda: evaluate_population(ledger))
                rows.append((store, "whole-population evaluation",
                             f"{evaluated / eval_seconds:,.0f} employees/s, {total / eval_seconds:,.0f} events/s",
                             f"raw SQL read {total / read_seconds:,.0f} events/s",
                             f"{read_seconds / eval_seconds:.1%}"))
    finally:
        server.stop()
    header = [
        f"- taken {date.today()}: `python -m bench.run {' '.join(a for a in sys.argv[1:] if a != '--output' and not a.endswith('.md'))}`",
        f"- employees: {employees:,}; events: {total:,} ({total / employees:.1f} per employee); "
        f"working days lost: {lost_rate(cases):.1%}",
        f"- machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}",
        "",
        "| store | measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|---|",
    ]
    return header + [f"| {' | '.join(row)} |" for row in rows]


def replay_population(services: Services, policies: list[str], workers: int) -> int:
    result = replay_ledger(services, policies, AS_OF, workers=workers)
    return result.totals[policies[0]].employees


def cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes: on a
    shared machine, whether sharing a replay adds work, whatever the clock says."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _applied(cases: list[dict]) -> list:
    """Case files applied to new Employee aggregates, as import applies them
    (in a worker process: the aggregates come back pickled, events pending)."""
    registry = RulebookRegistry.load()
    return [apply_case(parse_case(case), registry)[0] for case in cases]


def build_ledger(url: str, cases: Iterable[dict], workers: int, batch: int = 500) -> int:
    """A large ledger of new employees, built as `import` builds it (each
    case file applied to a new Employee, a batch of them saved in one
    transaction), with the applying - nearly all of the cost - shared over
    `workers` processes: building the benchmark's ledger is not what it
    measures. Returns the events stored."""
    ledger = AttendanceLedger(url)
    stored = 0
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque = deque()
        for chunk in _chunks(cases, batch):
            pending.append(pool.submit(_applied, chunk))
            while len(pending) > 2 * workers:  # a few batches in flight, not the whole ledger
                stored += _save(ledger, pending.popleft().result())
        while pending:
            stored += _save(ledger, pending.popleft().result())
    return stored


def _chunks(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


def _save(ledger: AttendanceLedger, employees: list) -> int:
    ledger.save(*employees)
    return sum(employee.version for employee in employees)


def peak_memory_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest of its
    finished worker processes (Linux reports kilobytes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_maxrss / 1024, children.ru_maxrss / 1024


def run_replay(employees: int, workers: int, compare_employees: int) -> list[str]:
    """Whole-ledger replay and comparison (SPEC 6) on an SQLite ledger: on
    its first `compare_employees` employees, in one process and in `workers`
    processes; then, the ledger grown to `employees`, the replay in
    `workers` processes only (a one-process pass would only take longer)."""
    cases = employee_cases(employees, seed=6)
    rows = []
    build_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        url = str(Path(tmp) / "ledger.db")
        total = 0
        replay = ("replay under sath-w22-v6", ["sath-w22-v6"])
        compare = ("compare sath-w22-v5.13 with sath-w22-v6", ["sath-w22-v5.13", "sath-w22-v6"])
        stages = [(min(compare_employees, employees), [(replay, 1), (replay, workers), (compare, 1), (compare, workers)])]
        if employees > compare_employees:
            stages.append((employees, [(replay, workers)]))
        held = 0
        for size, measures in stages:
            seconds, stored = timed(partial(build_ledger, url, islice(cases, size - held), workers))
            build_seconds, total, held = build_seconds + seconds, total + stored, size
            print(f"ledger of {size:,} employees built ({seconds:,.0f} s)", file=sys.stderr, flush=True)
            services = bootstrap(ledger=AttendanceLedger(url))
            read_seconds, read = timed(lambda: raw_read(url, services.ledger.recorder.events_table_name))
            assert read == total
            for (label, policies), processes in measures:
                cpu = cpu_seconds()
                seconds, replayed = timed(lambda: replay_population(services, policies, processes))
                cpu = cpu_seconds() - cpu
                assert replayed == size
                rows.append(("SQLite", f"{label}, {size:,} employees, {processes} process{'es' if processes > 1 else ''}",
                             f"{size / seconds:,.0f} employees/s, {total / seconds:,.0f} events/s "
                             f"({seconds:,.0f} s; {cpu:,.0f} CPU-s in all)",
                             f"raw SQL read {total / read_seconds:,.0f} events/s", f"{read_seconds / seconds:.1%}"))
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)  # a long run shows each as it ends
    own, worker = peak_memory_mb()
    return [
        "",
        f"Whole-ledger replay: up to {employees:,} employees, {total:,} events (ledger built at "
        f"{total / build_seconds:,.0f} events/s over {workers} processes); {os.cpu_count()} cores; "
        f"peak memory {own:,.0f} MB in the benchmark's process, {worker:,.0f} MB in its largest worker",
        "",
        "| store | measure | Attendance Ledger | baseline (same run) | ledger / baseline |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--replay-employees", type=int, default=20_000)
    parser.add_argument("--compare-employees", type=int, default=20_000,
                        help="employees of the one- against several-process comparison (at most --replay-employees)")
    parser.add_argument("--workers", type=int, default=2, help="processes for the replay beside one")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    configure_logging()
    lines = run(args.employees)
    if args.replay_employees:
        lines += run_replay(args.replay_employees, args.workers, args.compare_employees)
    print("\n".join(lines))
    if args.output:
        write_section(args.output, "ledger", lines)


if __name__ == "__main__":
    main()
