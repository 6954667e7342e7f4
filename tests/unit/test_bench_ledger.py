"""The benchmark's large ledger holds what importing its case files stores."""

from __future__ import annotations

from bench.population import employee_cases, population
from bench.run import build_ledger
from domain.casefile import parse_case
from service.ledger import AttendanceLedger


def _stored(url: str) -> list[list[dict]]:
    return sorted(([fact.payload() for fact in history] for history in AttendanceLedger(url).histories()),
                  key=lambda history: history[0]["employee_id"])


def test_a_ledger_built_over_worker_processes_holds_what_import_stores(tmp_path):
    imported, built = str(tmp_path / "imported.db"), str(tmp_path / "built.db")
    cases = population(12, seed=6)
    AttendanceLedger(imported).import_cases([parse_case(case) for case in cases])
    stored = build_ledger(built, iter(cases), workers=2, batch=5)
    assert stored == sum(1 + len(case["events"]) for case in cases)
    assert _stored(built) == _stored(imported)


def test_the_population_read_one_case_at_a_time_is_the_same_population():
    assert list(employee_cases(30, seed=6)) == population(30, seed=6)
