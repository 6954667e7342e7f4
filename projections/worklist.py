"""The worklist: every review due and every action overdue across the
ledger on a day, oldest first (SPEC 1, line manager and HR adviser), and
every employee whose record could not be evaluated (needing attention)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from domain.events import Fact
from domain.rulebook import RulebookRegistry
from projections.attention import NeedsAttention, each_evaluated
from projections.status import Status, evaluate_view
from projections.view import EmployeeView


def worklist_items(view: EmployeeView, status: Status) -> list[dict[str, Any]]:
    base = {"employee_id": view.employee_id, "manager_id": view.manager_id, "policy": status.policy}
    items = [
        {**base, "date": r.triggered_on.isoformat(), "kind": "review_due",
         "item": f"stage {r.stage} {r.kind} due ({r.track})", "citation": r.rules[0].citation}
        for r in status.reviews_due
    ]
    items += [
        {**base, "date": a.due_by.isoformat(), "kind": "action_overdue",
         "item": f"overdue {a.kind} ({a.subject})", "citation": a.citation}
        for a in status.overdue_actions()
    ]
    return items


def worklist(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date,
             known_at: datetime | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for each in each_evaluated(histories, as_of, known_at, lambda view: evaluate_view(view, registry.get(view.policy))):
        items += attention_items(each, as_of) if isinstance(each, NeedsAttention) else worklist_items(*each)
    return sorted(items, key=lambda i: (i["date"], i["employee_id"], i["item"]))


def attention_items(attention: NeedsAttention, as_of: date) -> list[dict[str, Any]]:
    """An employee whose record could not be evaluated, as a worklist item."""
    return [{"employee_id": attention.employee_id, "manager_id": attention.manager_id, "policy": None,
             "date": as_of.isoformat(), "kind": "needs_attention",
             "item": f"record needs attention: {attention.error}", "citation": "-"}]
