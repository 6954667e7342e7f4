"""Use cases that write (or hand out) an employee's record: register,
record, import, export, erase."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from domain.casefile import CaseFile, load_case
from domain.events import EmployeeRegistered, Fact
from service.bootstrap import Services
from service.ledger import ImportResult


def register(services: Services, registration: EmployeeRegistered) -> str:
    services.ledger.register_employee(registration)
    return registration.employee_id


def record(services: Services, employee_id: str, fact: Fact) -> str:
    return services.ledger.record_event(employee_id, fact)


def import_cases(services: Services, cases: list[CaseFile]) -> list[ImportResult]:
    """One transaction: a bad case anywhere stores nothing from any of them."""
    return services.ledger.import_cases(cases)


def import_files(services: Services, paths: list[Path]) -> list[tuple[Path, ImportResult]]:
    """Every file read and validated before any is written, then stored as one."""
    return list(zip(paths, import_cases(services, [load_case(path) for path in paths])))


def history(services: Services, employee_id: str) -> list[Fact]:
    return services.ledger.history(employee_id)


def export(services: Services, employee_id: str) -> dict[str, Any]:
    """Right of access: the employee's whole record as a case file (SPEC 8)
    that `import` and `evaluate` accept as it stands."""
    facts = services.ledger.history(employee_id)
    registration = {k: v for k, v in facts[0].payload().items() if k not in ("type", "event_id")}
    return {"employee": registration, "events": [_portable(f.payload()) for f in facts[1:]]}


def _portable(payload: dict[str, Any]) -> dict[str, Any]:
    """An event as a case file holds it: a number the ledger assigned is
    left for the importing ledger to assign again (the same, in the same
    order); an id the recorder chose is kept."""
    if payload.get("event_id", "").isdigit():
        return {k: v for k, v in payload.items() if k != "event_id"}
    return payload


def erase(services: Services, employee_id: str, today: date | None = None, retention_years: int | None = None) -> None:
    """Crypto-shred the record after the retention period, and drop its read-model rows."""
    years = services.settings.retention_years if retention_years is None else retention_years
    services.ledger.erase_employee(employee_id, today or date.today(), years)
    services.read_model.forget(employee_id)
    services.consumer_store.forget(employee_id)  # what the Kafka consumers received of them
