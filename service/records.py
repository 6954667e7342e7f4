"""Use cases that write (or hand out) an employee's record: register,
record, import, export, erase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from domain.casefile import CaseFile, load_case
from domain.events import EmployeeRegistered, Fact
from service.bootstrap import Services
from service.idempotency import Claim
from service.ledger import ImportResult


#: what only the ledger sets on a live command (SPEC 12): the moment and the
#: signed-in caller, besides a review's decision stamps (Fact.stamped_by_ledger)
LIVE_STAMPS = ("recorded_at", "actor")
#: what a line manager records for their own reports: the absence as it
#: happens (report, certificates, return), leave, meetings they hold, the
#: occupational health referral and report, adjustments, phased returns,
#: action plans, a pattern they judge (W22 11.2), stress risk assessments
#: and outcome letters. Everything else - policy, contract and employment,
#: pay decisions, suspensions, discounting, retracting, appeals - is HR's.
MANAGER_RECORDS = frozenset({
    "SicknessReported", "PartDayAbsenceRecorded", "SelfCertified", "FitNoteReceived", "ReturnedToWork",
    "AbsenceAmended", "AnnualLeaveBooked", "AnnualLeaveCancelled", "AnnualLeaveTakenWhileSick",
    "PhasedReturnAgreed", "AdjustmentAgreed", "OccupationalHealthReferred", "OccupationalHealthReported",
    "PatternOfAbsenceIdentified", "MeetingScheduled", "MeetingHeld", "MeetingCancelled",
    "StressRiskAssessmentCompleted", "ActionPlanAgreed", "OutcomeLetterSent",
})


@dataclass(frozen=True)
class Recorded:
    event_id: str
    replayed: bool = False


def register(services: Services, registration: EmployeeRegistered, actor: str) -> str:
    """A live registration by `actor`: the sender may not set what the ledger sets."""
    registration.refuse_ledger_owned(*LIVE_STAMPS)
    services.ledger.register_employee(registration.model_copy(update={"actor": actor}))
    return registration.employee_id


def record(services: Services, employee_id: str, fact: Fact, actor: str, claim: Claim | None = None) -> Recorded:
    """A live command by `actor`, recorded now; with a `claim` (the caller's
    idempotency key) a repeat of the same request returns the first result."""
    fact.refuse_ledger_owned(*LIVE_STAMPS)
    fact = fact.model_copy(update={"actor": actor})
    if claim is None:
        return Recorded(services.ledger.record_event(employee_id, fact))
    return Recorded(*services.ledger.record_once(employee_id, fact, claim))


def import_cases(services: Services, cases: list[CaseFile]) -> list[ImportResult]:
    """One transaction: a bad case anywhere stores nothing from any of them."""
    return services.ledger.import_cases(cases)


def import_files(services: Services, paths: list[Path]) -> list[tuple[Path, ImportResult]]:
    """Every file read and validated before any is written, then stored as one."""
    return list(zip(paths, import_cases(services, [load_case(path) for path in paths]), strict=True))


def history(services: Services, employee_id: str) -> list[Fact]:
    return services.ledger.history(employee_id)


def export(services: Services, employee_id: str) -> dict[str, Any]:
    """Right of access: the employee's whole record as a case file (SPEC 8)
    that `import` and `evaluate` accept as it stands."""
    facts = services.ledger.history(employee_id)
    registration = {k: v for k, v in _portable(facts[0]).items() if k not in ("type", "event_id")}
    return {"employee": registration, "events": [_portable(f) for f in facts[1:]]}


def _portable(fact: Fact) -> dict[str, Any]:
    """An event as a case file holds it: what the ledger stamps - the actor
    and a review's decision stamps - is left for the importing ledger to
    stamp again (SPEC 12), and so is a number the ledger assigned (the same,
    in the same order); an id the recorder chose is kept."""
    stamped = {"actor", *fact.stamped_by_ledger}
    payload = fact.payload()
    if payload.get("event_id", "").isdigit():
        stamped.add("event_id")
    return {k: v for k, v in payload.items() if k not in stamped}


def erase(services: Services, employee_id: str, today: date | None = None, retention_years: int | None = None) -> None:
    """Crypto-shred the record after the retention period, and drop its read-model rows."""
    years = services.settings.retention_years if retention_years is None else retention_years
    services.ledger.erase_employee(employee_id, today or date.today(), years)
    services.read_model.forget(employee_id)
    services.consumer_store.forget(employee_id)  # what the Kafka consumers received of them
