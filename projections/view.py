"""What the ledger knew about one employee at `known_at`, for the day `as_of`.

Every evaluator reads this view, never the raw history: it is where the two
times of the bitemporal model are applied once (SPEC section 2).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import TypeVar

from domain.calendar import WorkingCalendar
from domain.events import (
    ContractChanged,
    EmployeeRegistered,
    EmploymentEnded,
    Fact,
    PolicyAssigned,
)
from domain.exceptions import LedgerError
from domain.history import Absence, fold_absences, visible_facts

F = TypeVar("F", bound=Fact)


class NotYetKnown(LedgerError):
    """The employee's registration was recorded after `known_at`."""


@dataclass(frozen=True)
class EmployeeView:
    registration: EmployeeRegistered
    facts: tuple[Fact, ...]
    as_of: date
    known_at: datetime | None = None

    @classmethod
    def of(cls, history: Iterable[Fact], as_of: date, known_at: datetime | None = None) -> "EmployeeView":
        known = visible_facts(history, known_at)
        registrations = [f for f in known if isinstance(f, EmployeeRegistered)]
        if not registrations:
            raise NotYetKnown(f"the employee was not yet registered at known_at {known_at}")
        in_effect = tuple(
            f for f in known
            if not isinstance(f, EmployeeRegistered) and (f.effective_day is None or f.effective_day <= as_of)
        )
        return cls(registrations[0], in_effect, as_of, known_at)

    @property
    def employee_id(self) -> str:
        return self.registration.employee_id

    def of_type(self, *kinds: type[F]) -> list[F]:
        # Evaluators ask for the same kinds many times a day evaluated: each
        # list is made once per view (callers must not change it), from the
        # facts indexed once by their class, not by a pass over every fact.
        if kinds not in self._by_kinds:
            matching = [self._by_class[kind] for kind in _of_kinds(kinds, self._classes)]
            if not matching:
                self._by_kinds[kinds] = []
            elif len(matching) == 1:
                self._by_kinds[kinds] = [f for _, f in matching[0]]
            else:  # several classes: in the view's order, as a pass over the facts gives
                self._by_kinds[kinds] = [f for _, f in sorted((p for ps in matching for p in ps),
                                                              key=lambda p: p[0])]
        return self._by_kinds[kinds]  # type: ignore[return-value]

    @cached_property
    def _by_kinds(self) -> dict[tuple[type[Fact], ...], list[Fact]]:
        return {}

    @cached_property
    def _classes(self) -> frozenset[type[Fact]]:
        return frozenset(self._by_class)

    @cached_property
    def _by_class(self) -> dict[type[Fact], list[tuple[int, Fact]]]:
        """Each fact class present, with its facts and their places in the view."""
        index: dict[type[Fact], list[tuple[int, Fact]]] = {}
        for position, fact in enumerate(self.facts):
            index.setdefault(type(fact), []).append((position, fact))
        return index

    def contract_on(self, day: date, name: str):
        """A contract term in force on `day` (SPEC 3, ContractChanged)."""
        starts, values = self._contract_terms(name)
        index = bisect_right(starts, day)
        return values[index - 1] if index else getattr(self.registration, name)

    def contract_on_days(self, days: list[date], name: str) -> list:
        """A contract term on each of `days`: one lookup in all for the many
        employees whose term never changed."""
        if not self._contract_terms(name)[0]:
            return [getattr(self.registration, name)] * len(days)
        return [self.contract_on(day, name) for day in days]

    def _contract_terms(self, name: str) -> tuple[list[date], list]:
        """The days a contract term changed and its value from each (the
        later of two changes on one day wins), made once per view and term."""
        if name not in self._terms:
            changes = [(c.effective, getattr(c, name)) for c in sorted(self.of_type(ContractChanged),
                                                                          key=lambda c: c.effective)
                       if getattr(c, name) is not None]
            self._terms[name] = ([day for day, _ in changes], [value for _, value in changes])
        return self._terms[name]

    @cached_property
    def _terms(self) -> dict[str, tuple[list[date], list]]:
        return {}

    def _contract_value(self, name: str):
        return self.contract_on(self.as_of, name)

    @property
    def manager_id(self) -> str | None:
        return self._contract_value("manager_id")

    @property
    def department(self) -> str | None:
        return self._contract_value("department")

    @property
    def contracted_hours(self) -> float:
        return self._contract_value("contracted_hours")

    @cached_property
    def policy(self) -> str:
        """The policy the employee is managed under on `as_of` (SPEC 6)."""
        assigned = sorted(self.of_type(PolicyAssigned), key=lambda p: p.effective)
        return assigned[-1].policy if assigned else self.registration.policy

    @cached_property
    def employment_ended(self) -> date | None:
        ended = self.of_type(EmploymentEnded)
        return ended[0].effective if ended else None

    @cached_property
    def calendar(self) -> WorkingCalendar:
        patterns = [(date.min, self.registration.working_days)] + [
            (c.effective, c.working_days) for c in self.of_type(ContractChanged) if c.working_days
        ]
        return WorkingCalendar(self.registration.calendar, self.registration.public_holidays_off, patterns)

    @cached_property
    def absences(self) -> list[Absence]:
        """Absences that had started by `as_of`, in order of first day."""
        folded = fold_absences(self.facts).values()
        return sorted((a for a in folded if a.first_day <= self.as_of), key=lambda a: a.first_day)


@lru_cache(maxsize=4096)
def _of_kinds(kinds: tuple[type[Fact], ...], classes: frozenset[type[Fact]]) -> tuple[type[Fact], ...]:
    """The classes among `classes` that are of `kinds`: the same question for
    most views, answered once (a fact class's `issubclass` is not cheap)."""
    return tuple(kind for kind in classes if issubclass(kind, kinds))
