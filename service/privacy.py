"""Privacy by role: what each role is shown of each kind of data, as one
table, and the functions that apply it to every response.

The README's table is this table (`python -m service.privacy` prints it).
Health data is special category data: payroll never receives it, a line
manager sees a sickness reason only as its group and no free text about
health, and aggregate statistics never show a cell about fewer than
`SMALL_COUNT` people (NHS Digital's disclosure control).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from domain.events import FACT_TYPES
from domain.health_data import FREE_TEXT, HEALTH_OUTCOMES, REASON_CODES, WITHHELD
from domain.reasons import GROUP_OF

ROLES = ("manager", "hr", "payroll", "auditor", "employee")
#: a statistics cell about fewer people than this is not shown
SMALL_COUNT = 5


class Shown(str, Enum):
    """How much of one kind of data a role is shown."""

    yes = "yes"
    group = "group only"
    withheld = "withheld"
    own = "own record"
    reports = "own reports"
    departments = "own departments"
    no = "no"


Y, G, W, OWN, REP, DEP, NO = (Shown.yes, Shown.group, Shown.withheld, Shown.own, Shown.reports,
                               Shown.departments, Shown.no)

#: kind of data -> (manager, hr, payroll, auditor, employee)
TABLE: dict[str, tuple[Shown, ...]] = {
    # fields inside every event, status and explanation a role may read
    "sickness reason (ESR code)": (G, Y, NO, Y, Y),
    "free text about health": (W, Y, NO, Y, Y),
    "occupational health outcome": (W, Y, NO, Y, Y),
    # what a role may read at all
    "history": (REP, Y, NO, Y, OWN),
    "status": (REP, Y, NO, Y, OWN),
    "explain": (REP, Y, NO, Y, OWN),
    "export": (NO, Y, NO, Y, OWN),
    "pay": (NO, Y, Y, Y, OWN),
    "leave": (REP, Y, Y, Y, OWN),
    "worklist": (REP, Y, NO, Y, NO),
    "priority cases": (NO, Y, NO, Y, NO),
    "stats": (DEP, Y, NO, Y, NO),
}
assert all(len(row) == len(ROLES) for row in TABLE.values())


def shown(kind: str, role: str) -> Shown:
    return TABLE[kind][ROLES.index(role)]


def readers(kind: str) -> frozenset[str]:
    """The roles that may read this kind at all (own-record and own-report
    checks come after)."""
    return frozenset(role for role in ROLES if shown(kind, role) is not Shown.no)


def _fact_for(role: str, fact: dict[str, Any]) -> dict[str, Any]:
    kind = fact["type"]
    reason, prose, outcome = (shown("sickness reason (ESR code)", role), shown("free text about health", role),
                              shown("occupational health outcome", role))
    out = {}
    for name, value in fact.items():
        if name in REASON_CODES[kind] and reason is Shown.group:
            value = GROUP_OF.get(value, value)
        elif (name in FREE_TEXT[kind] and prose is Shown.withheld) or (
                name in HEALTH_OUTCOMES.get(kind, ()) and outcome is Shown.withheld):
            value = WITHHELD
        out[name] = for_role(role, value)
    return out


def for_role(role: str, document: Any) -> Any:
    """A response as this role may see it: every event in it (at any depth
    - a history, a status shown at a review) with the reason, free text and
    health outcome fields shown as the table says. Withheld text keeps its
    key, as the `[withheld]` marker, so the event keeps its shape."""
    if role in SEES_EVERY_FIELD:
        return document
    if isinstance(document, list):
        return [for_role(role, item) for item in document]
    if isinstance(document, dict):
        if isinstance(document.get("type"), str) and document["type"] in FACT_TYPES:
            return _fact_for(role, document)
        return {key: for_role(role, value) for key, value in document.items()}
    return document


#: the roles shown every health field as written: nothing in a response to change
SEES_EVERY_FIELD = frozenset(role for role in ROLES if all(
    shown(kind, role) is Shown.yes
    for kind in ("sickness reason (ESR code)", "free text about health", "occupational health outcome")))


def suppressed(rows: Iterable[dict[str, Any]], departments: set[str] | None = None) -> list[dict[str, Any]]:
    """Statistics rows as published: only `departments`' (None: all), and a
    cell about fewer than SMALL_COUNT people left in, marked `suppressed`,
    with every figure null. No totals are published beside the cells, so a
    suppressed figure cannot be recovered by subtraction."""
    out = []
    for row in rows:
        if departments is not None and row["department"] not in departments:
            continue
        if row["people"] < SMALL_COUNT:
            row = {k: (v if k in ("month", "department", "reason_group") else None) for k, v in row.items()}
        out.append({**row, "suppressed": row["people"] is None})
    return out


def markdown_table() -> str:
    """The README's table."""
    lines = ["| data | " + " | ".join(ROLES) + " |", "|---" * (len(ROLES) + 1) + "|"]
    lines += [f"| {kind} | " + " | ".join(cell.value for cell in row) + " |" for kind, row in TABLE.items()]
    return "\n".join(lines)


if __name__ == "__main__":  # python -m service.privacy: the README's table
    print(markdown_table())
