"""The worklist: every review due and every action overdue across the
ledger on a day, oldest first (SPEC 1, line manager and HR adviser)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from domain.events import Fact
from domain.rulebook import RulebookRegistry
from projections.status import evaluate_view
from projections.view import EmployeeView, NotYetKnown


def worklist_items(view: EmployeeView, status: dict[str, Any]) -> list[dict[str, Any]]:
    base = {"employee_id": view.employee_id, "manager_id": view.manager_id, "policy": status["policy"]}
    items = [
        {**base, "date": r["triggered_on"], "kind": "review_due",
         "item": f"stage {r['stage']} {r['kind']} due ({r['track']})",
         "citation": r["rules"][0]["citation"]}
        for r in status["reviews_due"]
    ]
    items += [
        {**base, "date": a["due_by"], "kind": "action_overdue",
         "item": f"overdue {a['kind']} ({a['subject']})", "citation": a["citation"]}
        for a in status["actions"] if a["overdue"]
    ]
    return items


def worklist(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date,
             known_at: datetime | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for history in histories:
        try:
            view = EmployeeView.of(history, as_of, known_at)
        except NotYetKnown:
            continue
        items += worklist_items(view, evaluate_view(view, registry.get(view.policy)))
    return sorted(items, key=lambda i: (i["date"], i["employee_id"], i["item"]))
