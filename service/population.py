"""Use cases over the whole ledger: the worklist, replay and comparison of
policies, and the policy transition review. None of them writes, except a
transition review asked to apply its result."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from domain.events import PolicyAssigned
from domain.rulebook import RulebookRegistry
from projections.replay import Replay, merge, replay
from projections.transition import Candidate, transition_candidates
from projections.worklist import DEFAULT_HORIZON_DAYS, worklist as worklist_of
from service.bootstrap import Services
from service.read_views import held_worklist
from service.settings import Settings


def worklist(services: Services, as_of: date, known_at: datetime | None = None,
             manager_id: str | None = None, horizon: int = DEFAULT_HORIZON_DAYS) -> list[dict[str, Any]]:
    """What is overdue, due, upcoming within `horizon` days, done late and to
    consider, oldest first (one manager's, if named): from the read model
    when it holds exactly this answer (the day it is on, the default
    horizon, as known now), evaluated otherwise."""
    if known_at is None and horizon == DEFAULT_HORIZON_DAYS:
        held = held_worklist(services, as_of, manager_id)
        if held is not None:
            return held
    return worklist_of(services.ledger.histories(), services.registry, as_of, known_at, manager_id, horizon)


def replay_ledger(services: Services, policies: list[str], as_of: date, known_at: datetime | None = None,
                  progress: Callable[[Iterable], Iterable] = lambda items: items,
                  tick: Callable[[], None] = lambda: None, workers: int = 1) -> Replay:
    """The population under one policy, or two side by side. Writes nothing.

    With `workers` > 1 the employees are split by aggregate id into that many
    shares, each replayed by its own process over its own connection to the
    ledger, and the results merged: the same answer as one process gives."""
    if workers <= 1:
        return replay(progress(services.ledger.histories()), services.registry, policies, as_of, known_at, tick)
    settings = replace(services.settings, database_url=services.ledger.database_url)
    # spawn, not fork: a worker opens its own store rather than sharing the parent's connections
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        shares = [pool.submit(_replay_share, settings, services.registry, policies, as_of, known_at, (n, workers))
                  for n in range(workers)]
        return merge([share.result() for share in shares])


def replay_run_result(services: Services, run: str) -> tuple[Replay | None, int, int]:
    """A replay consumer group's answer (consumers.replay_group), once every
    partition's share is kept - None before - with how many partitions are
    kept and how many the run has."""
    store = services.consumer_store
    definition = store.replay_run(run)
    if definition is None:
        raise LookupError(f"no replay run named {run}")
    shares, total = store.replay_shares(run), len(definition["partitions"])
    if len(shares) < total:
        return None, len(shares), total
    return merge([Replay.of_share(shares[p]) for p in sorted(shares)]), total, total


def _replay_share(settings: Settings, registry: RulebookRegistry, policies: list[str], as_of: date,
                  known_at: datetime | None, partition: tuple[int, int]) -> Replay:
    ledger = Services(settings, registry).ledger
    return replay(ledger.histories(partition=partition), registry, policies, as_of, known_at)


def transition_review(services: Services, old: str, new: str, as_of: date) -> list[Candidate]:
    return transition_candidates(services.ledger.histories(), services.registry, old, new, as_of)


def apply_transition(services: Services, candidates: list[Candidate], old: str, new: str, as_of: date,
                     actor: str = "transition-review") -> None:
    """Move the listed cases to the new policy at the mapped levels, recorded as `actor`'s."""
    for candidate in candidates:
        services.ledger.record_event(candidate.employee_id, PolicyAssigned(
            effective=as_of, policy=new, level_mapping=candidate.mapping,  # type: ignore[arg-type]  # validated
            actor=actor, reason=f"transition review from {old}: {candidate.reason}"))
