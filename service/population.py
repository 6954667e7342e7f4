"""Use cases over the whole ledger: the worklist, replay and comparison of
policies, and the policy transition review. None of them writes, except a
transition review asked to apply its result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from domain.events import PolicyAssigned
from projections.replay import Replay, replay
from projections.transition import Candidate, transition_candidates
from projections.worklist import DEFAULT_HORIZON_DAYS, worklist as worklist_of
from service.bootstrap import Services


def worklist(services: Services, as_of: date, known_at: datetime | None = None,
             manager_id: str | None = None, horizon: int = DEFAULT_HORIZON_DAYS) -> list[dict[str, Any]]:
    """What is overdue, due, upcoming within `horizon` days, done late and to
    consider, oldest first (one manager's, if named)."""
    return worklist_of(services.ledger.histories(), services.registry, as_of, known_at, manager_id, horizon)


def replay_ledger(services: Services, policies: list[str], as_of: date, known_at: datetime | None = None,
                  progress: Callable[[Iterable], Iterable] = lambda items: items,
                  tick: Callable[[], None] = lambda: None) -> Replay:
    """The population under one policy, or two side by side. Writes nothing."""
    return replay(progress(services.ledger.histories()), services.registry, policies, as_of, known_at, tick)


def transition_review(services: Services, old: str, new: str, as_of: date) -> list[Candidate]:
    return transition_candidates(services.ledger.histories(), services.registry, old, new, as_of)


def apply_transition(services: Services, candidates: list[Candidate], old: str, new: str, as_of: date,
                     actor: str = "transition-review") -> None:
    """Move the listed cases to the new policy at the mapped levels, recorded as `actor`'s."""
    for candidate in candidates:
        services.ledger.record_event(candidate.employee_id, PolicyAssigned(
            effective=as_of, policy=new, level_mapping=candidate.mapping,  # type: ignore[arg-type]  # validated
            actor=actor, reason=f"transition review from {old}: {candidate.reason}"))
