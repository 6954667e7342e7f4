"""Replay the ledger under a policy, and compare two (SPEC 6).

What-if only: nothing is written. For each employee, the levels and reviews
due under each rulebook; for the population, how many have a review due and
how many formal processes (a formal or final review due) each policy would
start - the North West toolkit's KPI question. That is all the trigger
tracks' answer, so a replay evaluates the tracks alone: pay, leave and the
actions (most of a whole status) do not change what it reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.events import Fact
from domain.rulebook import Rulebook, RulebookRegistry
from projections.attention import NeedsAttention, each_evaluated
from projections.status import reviews_due
from projections.triggers import ReviewDue, evaluate_tracks
from projections.view import EmployeeView

FORMAL = 2  # stages 2 and 3 are the formal process


@dataclass(frozen=True)
class Outcome:
    """One employee under one rulebook."""

    short_term_level: int
    long_term_level: int
    reviews_due: tuple[str, ...]  # "stage 2 formal_review (short_term)"
    formal: bool

    #: the reviews themselves, for the totals (not part of the comparison)
    due: tuple[ReviewDue, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def under(cls, view: EmployeeView, rulebook: Rulebook) -> "Outcome":
        """The employee's levels and reviews due on `as_of` under `rulebook`,
        as the status under it has them."""
        tracks = evaluate_tracks(view, rulebook)
        due = reviews_due(view, tracks)
        return cls(tracks.short_term.level, tracks.long_term.current()[0],
                   tuple(f"stage {r.stage} {r.kind} ({r.track})" for r in due),
                   any(r.stage >= FORMAL for r in due), due)

    def as_dict(self) -> dict[str, Any]:
        return {"short_term_level": self.short_term_level, "long_term_level": self.long_term_level,
                "reviews_due": list(self.reviews_due), "formal_process": self.formal}


@dataclass
class Totals:
    employees: int = 0
    with_review_due: int = 0
    formal_processes: int = 0
    reviews_due: dict[str, int] = field(default_factory=dict)  # by "track stage N"

    def merged(self, other: "Totals") -> "Totals":
        reviews = dict(self.reviews_due)
        for key, count in other.reviews_due.items():
            reviews[key] = reviews.get(key, 0) + count
        return Totals(self.employees + other.employees, self.with_review_due + other.with_review_due,
                      self.formal_processes + other.formal_processes, reviews)

    def add(self, outcome: Outcome) -> None:
        self.employees += 1
        self.with_review_due += bool(outcome.reviews_due)
        self.formal_processes += outcome.formal
        for review in outcome.due:
            key = f"{review.track} stage {review.stage}"
            self.reviews_due[key] = self.reviews_due.get(key, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"employees": self.employees, "with_review_due": self.with_review_due,
                "formal_processes": self.formal_processes, "reviews_due": dict(sorted(self.reviews_due.items()))}


@dataclass
class Replay:
    as_of: date
    known_at: datetime | None
    policies: list[str]
    totals: dict[str, Totals]
    employees: list[dict[str, Any]]
    needing_attention: list[NeedsAttention] = field(default_factory=list)

    @property
    def differences(self) -> list[dict[str, Any]]:
        return [e for e in self.employees if e["differs"]]

    def as_dict(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat().replace("+00:00", "Z") if self.known_at else None,
            "policies": self.policies,
            "totals": {p: t.as_dict() for p, t in self.totals.items()},
        }
        if len(self.policies) == 2:
            first, second = (self.totals[p] for p in self.policies)
            summary["comparison"] = {
                "employees_differing": len(self.differences),
                f"formal_processes_not_started_under_{self.policies[0]}":
                    max(0, second.formal_processes - first.formal_processes),
                f"formal_processes_not_started_under_{self.policies[1]}":
                    max(0, first.formal_processes - second.formal_processes),
            }
        summary["employees"] = self.differences if len(self.policies) == 2 else self.employees
        summary["needing_attention"] = [a.as_dict() for a in self.needing_attention]
        return summary

    def as_share(self) -> dict[str, Any]:
        """All of it, as JSON (every employee, not only those differing): a
        share of a replay to keep, and `merge` later with the other shares."""
        return {"as_of": self.as_of.isoformat(), "known_at": self.known_at.isoformat() if self.known_at else None,
                "policies": self.policies, "totals": {p: t.as_dict() for p, t in self.totals.items()},
                "employees": self.employees, "needing_attention": [a.as_dict() for a in self.needing_attention]}

    @classmethod
    def of_share(cls, share: dict[str, Any]) -> "Replay":
        return cls(date.fromisoformat(share["as_of"]),
                   datetime.fromisoformat(share["known_at"]) if share["known_at"] else None, share["policies"],
                   {p: Totals(**t) for p, t in share["totals"].items()}, share["employees"],
                   [NeedsAttention(**a) for a in share["needing_attention"]])


def merge(parts: list[Replay]) -> Replay:
    """One replay from replays of disjoint shares of the employees, as one
    pass over them all would have given it."""
    first = parts[0]
    totals = {p: Totals() for p in first.policies}
    for part in parts:
        totals = {p: totals[p].merged(part.totals[p]) for p in first.policies}
    return Replay(first.as_of, first.known_at, first.policies, totals,
                  sorted((r for part in parts for r in part.employees), key=lambda r: r["employee_id"]),
                  sorted((a for part in parts for a in part.needing_attention), key=lambda a: a.employee_id))


def replay(histories: Iterable[list[Fact]], registry: RulebookRegistry, policies: list[str], as_of: date,
           known_at: datetime | None = None, progress: Callable[[], None] = lambda: None) -> Replay:
    rulebooks = [registry.get(p) for p in policies]
    totals = {p: Totals() for p in policies}
    rows, attention = [], []

    def counted(histories: Iterable[list[Fact]]) -> Iterable[list[Fact]]:
        for history in histories:
            progress()
            yield history

    def outcomes(view: EmployeeView) -> list[tuple[str, Outcome]]:
        return [(rulebook.id, Outcome.under(view, rulebook)) for rulebook in rulebooks]

    for each in each_evaluated(counted(histories), as_of, known_at, outcomes):
        if isinstance(each, NeedsAttention):
            attention.append(each)
            continue
        view, evaluated = each
        for policy, outcome in evaluated:
            totals[policy].add(outcome)
        rows.append({"employee_id": view.employee_id, "manager_id": view.manager_id, "policy_in_force": view.policy,
                     **{p: o.as_dict() for p, o in evaluated},
                     "differs": len({o for _, o in evaluated}) > 1})
    rows.sort(key=lambda r: str(r["employee_id"]))
    return Replay(as_of, known_at, policies, totals, rows, sorted(attention, key=lambda a: a.employee_id))
