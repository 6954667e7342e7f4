"""Use cases that evaluate one employee: status, explain, and the what-if
evaluation of a case file that is never stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from domain.casefile import load_case
from domain.events import Fact
from projections.explain import explain_view
from projections.status import Status, evaluate
from projections.view import EmployeeView
from service.bootstrap import Services
from service.ledger import apply_case
from service.read_views import held_day
from service.status_document import status_document


def status(services: Services, employee_id: str, as_of: date, known_at: datetime | None = None,
           policy: str | None = None) -> Status:
    return evaluate(services.ledger.history(employee_id), services.registry, as_of, known_at, policy)


def status_of_history(services: Services, history: list[Fact], as_of: date, known_at: datetime | None = None,
                      policy: str | None = None) -> Status:
    return evaluate(history, services.registry, as_of, known_at, policy)


def status_document_of(services: Services, history: list[Fact], as_of: date, known_at: datetime | None = None,
                       policy: str | None = None) -> dict[str, Any]:
    """The SPEC 8 document: from the read model when it holds this day and
    was evaluated from this very history under the rulebook loaded now (the
    same document, without evaluating); evaluated live otherwise - for a
    `known_at` or `policy` what-if, another day, or a record not yet projected."""
    if known_at is None and policy is None and held_day(services) == as_of:
        held = services.read_model.status_document(history[0].employee_id)  # type: ignore[attr-defined]
        if held is not None and _current(services, held[0], (held[1]["policy"], held[1]["policy_hash"]),
                                         len(history)):
            return held[1]
    return status_document(status_of_history(services, history, as_of, known_at, policy))


@dataclass(frozen=True)
class HeldStatus:
    """A status document the read model holds, as a response carries it
    (`status_document.as_json`), and the employee's manager on the day it
    holds (`as_of`)."""

    text: str
    manager_id: str | None
    as_of: date

    @cached_property
    def document(self) -> dict[str, Any]:
        return json.loads(self.text)


def held_status(services: Services, employee_id: str, as_of: date) -> HeldStatus | None:
    """The employee's status document on `as_of` from the read model, when
    it holds that day and the document was evaluated from the employee's
    history as it stands now (its version: no event decoded) under the
    rulebook loaded now; None otherwise - evaluate it live."""
    held = services.read_model.held_status(employee_id)  # type: ignore[attr-defined]
    if held is None or held[0] != as_of.toordinal():
        return None
    _, version, manager_id, rulebook, text = held
    if not _current(services, version, rulebook, services.ledger.version_of(employee_id)):
        return None
    return HeldStatus(text, manager_id, as_of)


def _current(services: Services, version: int, rulebook: tuple[str, str], history_version: int) -> bool:
    """Whether a held document is the one evaluating now would give: made
    from this version of the history, under this very rulebook (policy,
    content hash)."""
    policy, made_under = rulebook
    return (version == history_version and policy in services.registry
            and made_under == services.registry.get(policy).content_hash)


def evaluate_case_file(services: Services, path: Path, as_of: date, known_at: datetime | None = None,
                       policy: str | None = None) -> Status:
    """A case file's status, as the ledger would hold it, without storing it."""
    employee, _, _ = apply_case(load_case(path), services.registry)
    return evaluate(employee.facts, services.registry, as_of, known_at, policy)


def explain(services: Services, employee_id: str, as_of: date, known_at: datetime | None = None,
            policy: str | None = None) -> dict[str, Any]:
    view = EmployeeView.of(services.ledger.history(employee_id), as_of, known_at)
    return explain_view(view, services.registry.get(policy or view.policy), services.registry)
