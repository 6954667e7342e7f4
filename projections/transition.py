"""The policy transition review (W22 V6 preamble; SPEC 6).

"Any employee currently at an informal or formal review stage will continue
to be managed using Version 5.13 ... the People Advisory Service will carry
out in September 2025 a review of all cases being managed under V5.13. Those
cases may then be transitioned under this version (V6) of the policy at the
corresponding stage." And: "Any new cases will be managed through this
version of the policy."

The review lists every employee managed under the old policy who is at an
informal or formal stage (level 1 or 2 on either track), or whose case began
on or after the new policy's effective date, with both statuses and the level
mapping to record (default: the same level).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.events import Fact
from domain.rulebook import RulebookRegistry
from projections.attention import NeedsAttention, each_evaluated
from projections.status import Status, evaluate_view

INFORMAL_OR_FORMAL = (1, 2)


@dataclass(frozen=True)
class Candidate:
    employee_id: str
    manager_id: str | None
    reason: str
    mapping: dict[str, int]
    old: dict[str, Any]
    new: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"employee_id": self.employee_id, "manager_id": self.manager_id, "reason": self.reason,
                "level_mapping": self.mapping, "from": self.old, "to": self.new}


def _summary(status: Status) -> dict[str, Any]:
    starts = {"short_term": status.short_term.case_start, "long_term": status.long_term.case_start}
    return {
        "policy": status.policy,
        "levels": status.levels,
        "case_start": {t: day.isoformat() if day else None for t, day in starts.items()},
        "reviews_due": [f"stage {r.stage} {r.kind} ({r.track}) from {r.triggered_on}" for r in status.reviews_due],
    }


def transition_candidates(histories: Iterable[list[Fact]], registry: RulebookRegistry, old_policy: str,
                          new_policy: str, as_of: date, known_at: datetime | None = None) -> list[Candidate]:
    old, new = registry.get(old_policy), registry.get(new_policy)
    candidates = []

    def both(view) -> tuple[Status, Status] | None:
        return (evaluate_view(view, old), evaluate_view(view, new)) if view.policy == old.id else None

    for each in each_evaluated(histories, as_of, known_at, both):
        if isinstance(each, NeedsAttention):
            continue  # a record needing attention is listed by the worklist
        view, pair = each
        if pair is None:
            continue
        before, after = pair
        levels = before.levels
        starts = [s for s in (before.short_term.case_start, before.long_term.case_start) if s]
        if starts and min(starts) >= new.effective_from:
            reason = f"new case since {new.effective_from}: managed under {new.id}"
        elif any(level in INFORMAL_OR_FORMAL for level in levels.values()):
            reason = f"at an informal or formal stage under {old.id}: review for transition"
        else:
            continue
        candidates.append(Candidate(view.employee_id, view.manager_id, reason, levels,
                                    _summary(before), _summary(after)))
    return sorted(candidates, key=lambda c: c.employee_id)
