"""Use cases over the read model: keep it up to date (`project`, `rebuild`)
and read it (priority cases, statistics, worklist, status rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from projections.read_model import PROJECTIONS
from service.bootstrap import Services
from service.projector import Projector


def projector(services: Services, as_of: date | None = None) -> Projector:
    return Projector(services.ledger, services.read_model, as_of or date.today())


def project(services: Services, as_of: date | None = None) -> tuple[date, int | None]:
    """Catch the read model up with the ledger; the day and position it now holds."""
    runner = projector(services, as_of)
    runner.catch_up()
    return runner.as_of, services.read_model.max_tracking_id("attendance")


def rebuild(services: Services, projections: tuple[str, ...] = PROJECTIONS, as_of: date | None = None,
            progress: Callable[[Iterable], Iterable] = lambda items: items) -> tuple[date, int]:
    runner = projector(services, as_of)
    return runner.as_of, runner.rebuild(projections, progress)


def priority_cases(services: Services, as_of: date | None, limit: int = 100) -> list[dict]:
    project(services, as_of)
    return services.read_model.priority_cases(limit)


def stats(services: Services, as_of: date | None, month: str | None = None) -> list[dict]:
    project(services, as_of)
    return services.read_model.stats(month)
