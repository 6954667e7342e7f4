"""The council's reports from the ledger (seed 002, SPEC 10): the monthly
priority snapshot, the return-to-work metric and the case-audit sample.
Each reads the ledger as of a day and writes nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from projections import reports
from service.bootstrap import Services


def priority_snapshot(services: Services, month: str, limit: int = reports.DEFAULT_LIMIT,
                      known_at: datetime | None = None) -> dict[str, Any]:
    """The list at the end of `month` (YYYY-MM) beside the previous month's."""
    return reports.monthly_snapshot(services.ledger.histories, services.registry, month, known_at, limit)


def return_to_work(services: Services, as_of: date, known_at: datetime | None = None) -> list[dict[str, Any]]:
    return reports.return_to_work_metric(services.ledger.histories(), services.registry, as_of, known_at)


def audit_sample(services: Services, as_of: date, size: int, seed: int,
                 known_at: datetime | None = None) -> dict[str, Any]:
    return reports.audit_sample(services.ledger.histories(), services.registry, as_of, size, seed, known_at)
