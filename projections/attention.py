"""Isolation: one employee's record can never break a view of others
(SPEC 12). An organisation-wide evaluation skips an employee whose
evaluation fails and lists them, with the error, as needing attention."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import structlog

from domain.events import EmployeeRegistered, Fact
from projections.view import EmployeeView, NotYetKnown

log = structlog.get_logger("attendance.evaluation")
T = TypeVar("T")


@dataclass(frozen=True)
class NeedsAttention:
    employee_id: str
    manager_id: str | None
    error: str

    def as_dict(self) -> dict[str, Any]:
        return {"employee_id": self.employee_id, "manager_id": self.manager_id, "error": self.error}


def needs_attention(history: list[Fact], error: Exception) -> NeedsAttention:
    registration = history[0] if history and isinstance(history[0], EmployeeRegistered) else None
    employee_id = registration.employee_id if registration else "?"
    # the error's kind and message, never the record's contents in a log
    log.warning("employee_needs_attention", employee=employee_id, error=type(error).__name__)
    return NeedsAttention(employee_id, registration.manager_id if registration else None,
                          f"{type(error).__name__}: {error}")


def each_evaluated(histories: Iterable[list[Fact]], as_of: date, known_at: datetime | None,
                   evaluate: Callable[[EmployeeView], T],
                   wanted: Callable[[EmployeeView], bool] = lambda view: True,
                   ) -> Iterator[tuple[EmployeeView, T] | NeedsAttention]:
    """Each employee known by then (and `wanted`), evaluated; or, when that fails, why."""
    for history in histories:
        try:
            view = EmployeeView.of(history, as_of, known_at)
        except NotYetKnown:
            continue
        except Exception as error:  # noqa: BLE001 - isolation is the point
            yield needs_attention(history, error)
            continue
        if not wanted(view):
            continue
        try:
            yield view, evaluate(view)
        except Exception as error:  # noqa: BLE001
            yield needs_attention(history, error)
