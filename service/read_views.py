"""Use cases over the read model: keep it up to date (`project`, `rebuild`)
and read it (priority cases, statistics, worklist, status rows)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from projections.read_model import PROJECTIONS
from projections.worklist import worklist_order
from service import privacy
from service.bootstrap import Services
from service.projector import Projector
from service.read_model_store import DAILY_TICK, LEDGER


def projector(services: Services, as_of: date | None = None) -> Projector:
    return Projector(services.ledger, services.read_model, as_of or date.today())


def project(services: Services, as_of: date | None = None) -> tuple[date, int | None]:
    """Catch the read model up with the ledger; the day and position it now holds."""
    runner = projector(services, as_of)
    runner.catch_up()
    return runner.as_of, services.read_model.max_tracking_id(LEDGER)


def rebuild(services: Services, projections: tuple[str, ...] = PROJECTIONS, as_of: date | None = None,
            progress: Callable[[Iterable], Iterable] = lambda items: items) -> tuple[date, int]:
    """Rebuild tables from the ledger's first event. Some of them only for
    the day the others hold (by default, that day): tables for different
    days would disagree."""
    held = held_day(services)
    if set(projections) != set(PROJECTIONS) and held is not None:
        if as_of is not None and as_of != held:
            raise ReadModelNotOnDay(held, as_of)
        as_of = held
    runner = projector(services, as_of)
    return runner.as_of, runner.rebuild(projections, progress)


class ReadModelNotOnDay(Exception):
    """A query asked for a day the read model does not hold. Queries never
    move it (SPEC 12): the projector, `project`, `rebuild` or HR do."""

    def __init__(self, held: date | None, asked: date | None) -> None:
        self.held, self.asked = held, asked
        super().__init__(f"the read model holds {held}, not {asked}: ask for {held}, or HR may move it "
                         "(POST /admin/read-model)" if held else
                         "the read model holds no day yet: run `attendance project` (or HR: POST /admin/read-model)")


def held_day(services: Services) -> date | None:
    """The day the read model's time-dependent rows are for."""
    ticked = services.read_model.max_tracking_id(DAILY_TICK)
    return date.fromordinal(ticked) if ticked else None


def _reading(services: Services, as_of: date | None) -> None:
    held = held_day(services)
    if held is None or (as_of is not None and as_of != held):
        raise ReadModelNotOnDay(held, as_of)


def priority_cases(services: Services, as_of: date | None = None, limit: int = 100) -> list[dict]:
    """The open cases ranked, from the read model (for the day it holds)."""
    _reading(services, as_of)
    return services.read_model.priority_cases(limit)


def held_worklist(services: Services, as_of: date, manager_id: str | None = None) -> list[dict] | None:
    """The worklist on `as_of` (the default horizon, as known now; one
    manager's, if named) as the read model holds it - when that is exactly
    the answer evaluating would give: the read model is on that day, has
    applied every event the ledger holds, and made every row under the
    rulebooks loaded now. None otherwise: evaluate it."""
    applied = services.read_model.max_tracking_id(LEDGER) or 0
    if held_day(services) != as_of or applied != (services.ledger.recorder.max_notification_id() or 0):
        return None
    registry = services.registry
    if any(policy not in registry or registry.get(policy).content_hash != made_under
           for policy, made_under in services.read_model.rulebooks(manager_id)):
        return None
    # sorted here as evaluating sorts (not by the database's collation)
    return sorted(services.read_model.worklist(manager_id), key=worklist_order)


def stats(services: Services, as_of: date | None = None, month: str | None = None,
          manager_id: str | None = None) -> list[dict]:
    """Absence statistics from the read model (for the day it holds), as
    published: small counts suppressed; a manager's own departments only
    (the departments of their reports)."""
    _reading(services, as_of)
    departments = services.read_model.departments_of(manager_id) if manager_id is not None else None
    return privacy.suppressed(services.read_model.stats(month), departments)


def move_read_model(services: Services, as_of: date) -> tuple[date, int | None]:
    """HR's command: the read model for `as_of`, caught up with the ledger
    (rebuilt when that day is before the one it holds)."""
    held = held_day(services)
    if held is not None and as_of < held:
        rebuild(services, as_of=as_of)
    return project(services, as_of)
