"""The Employee aggregate: one employee's immutable absence history.

Each fact of the vocabulary (`domain.events`) is stored as one aggregate
event. The aggregate's job is to refuse facts that break the invariants of
SPEC section 3 — before anything is stored — and to recognise a fact it
already holds, so that importing the same case file twice stores nothing new.

What the invariants ask about (ids in use, absences, the end of employment)
is kept up to date as each fact is appended, not recomputed from the whole
history per fact: recording is O(1)-ish and importing a career is linear.
"""

from __future__ import annotations

from collections import Counter
from contextvars import ContextVar
from copy import deepcopy
from functools import cache
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.events import (
    AFTER_EMPLOYMENT,
    AbsenceAmended,
    AnnualLeaveBooked,
    AnnualLeaveCancelled,
    AnnualLeaveConvertedToSickness,
    AppealDecided,
    OutcomeLetterSent,
    AppealLodged,
    EmployeeRegistered,
    EmploymentEnded,
    EventRetracted,
    Fact,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    ReturnedToWork,
    SicknessReported,
    stored_fact,
)
from domain.exceptions import InvalidEvent, UnknownAbsence
from domain.history import Absence, fold_absence, fold_absences, known_order, visible_facts

#: employee references map to aggregate ids deterministically, so the same
#: reference always reaches the same history (uuid5 in this namespace).
EMPLOYEE_NAMESPACE = UUID("6f1e3d2a-8c4b-5e7f-9a0b-1c2d3e4f5a6b")

#: the ids facts may refer to, by the kind of fact that introduces them
REFERABLE: tuple[tuple[type[Fact], str], ...] = (
    (Fact, "event_id"), (EventRetracted, "event_id"), (AnnualLeaveBooked, "leave_id"),
    (MeetingScheduled, "meeting_id"), (MeetingHeld, "meeting_id"),
)


def employee_uuid(employee_id: str) -> UUID:
    return uuid5(EMPLOYEE_NAMESPACE, employee_id)


#: the fact `register` or `record` is appending, already decoded: the
#: event's apply takes it instead of decoding the payload made from it
_decoded: ContextVar["Fact | None"] = ContextVar("decoded", default=None)


@cache
def _referable(kind: type[Fact]) -> tuple[tuple[type[Fact], str], ...]:
    """The ids a fact of this kind introduces (REFERABLE), asked once per kind."""
    return tuple(key for key in REFERABLE if issubclass(kind, key[0]))


def return_before_first_day(first_day: date, field: str = "first_day_back") -> InvalidEvent:
    """The ReturnedToWork invariant's error: the first day back must follow
    the absence's first day."""
    return InvalidEvent(field, f"must be after the absence's first day ({first_day})")


class Employee(Aggregate):
    """An employee's ledger: registration followed by every recorded fact."""

    @staticmethod
    def create_id(employee_id: str) -> UUID:
        return employee_uuid(employee_id)

    @event("Registered")
    def __init__(self, employee_id: str, fact: dict[str, Any]) -> None:
        self.employee_id = employee_id
        self.facts: list[Fact] = []
        self._known: dict[tuple[type[Fact], str], set[str]] = {kind: set() for kind in REFERABLE}
        self._ended: date | None = None
        # counted when an import first asks (`holds`): a command never does
        self._fingerprints: Counter[str] | None = None
        # folded a fact at a time while facts arrive in known order; None
        # (folded again when asked) after one that does not, or a retraction
        self._absences: dict[str, Absence] | None = {}
        self._latest: Fact | None = None  # the last fact in known order
        self._append(fact)

    def __deepcopy__(self, memo: dict[int, Any]) -> "Employee":
        """The library's aggregate cache hands each command a copy: facts are
        immutable (and so are absences), so copying the containers is enough."""
        copy = object.__new__(type(self))
        mine = {"facts", "_known", "_fingerprints", "_absences", "_latest"}
        copy.__dict__.update({k: deepcopy(v, memo) for k, v in self.__dict__.items() if k not in mine})
        copy.facts = list(self.facts)
        copy._known = {kind: set(ids) for kind, ids in self._known.items()}
        copy._fingerprints = None if self._fingerprints is None else Counter(self._fingerprints)
        copy._absences = None if self._absences is None else dict(self._absences)
        copy._latest = self._latest
        return copy

    @classmethod
    def register(cls, registration: EmployeeRegistered) -> "Employee":
        registration = registration.model_copy(update={"event_id": "1"})
        token = _decoded.set(registration)
        try:
            return cls(employee_id=registration.employee_id, fact=registration.payload())
        finally:
            _decoded.reset(token)

    @property
    def registration(self) -> EmployeeRegistered:
        first = self.facts[0]
        assert isinstance(first, EmployeeRegistered)
        return first

    def holds(self, fact: Fact, occurrence: int = 1) -> bool:
        """True when the ledger already holds `occurrence` copies of this fact."""
        if self._fingerprints is None:
            self._fingerprints = Counter(f.fingerprint for f in self.facts)
        return self._fingerprints[fact.fingerprint] >= occurrence

    def record(self, fact: Fact) -> None:
        """Append a fact after checking it against the history (SPEC 3)."""
        self._check(fact)
        event_id = fact.event_id or str(self.version + 1)
        fact = fact.model_copy(update={"event_id": event_id})
        token = _decoded.set(fact)
        try:
            self.trigger_event(self.FactRecorded, fact=fact.payload())
        finally:
            _decoded.reset(token)

    class FactRecorded(Aggregate.Event):
        """One fact appended to the history, stored as its payload. An event
        class of its own rather than a decorated method: the library then
        has no method arguments to match per event (a tenth of an import)."""

        fact: dict[str, Any]

        def apply(self, aggregate: Employee) -> None:  # type: ignore[override]
            aggregate._append(self.fact)

    def _append(self, data: dict[str, Any]) -> None:
        # the fact was held to the input limits before it was recorded
        fact = _decoded.get() or stored_fact(data)
        self.facts.append(fact)
        for key in _referable(type(fact)):
            if value := getattr(fact, key[1]):
                self._known[key].add(value)
        if isinstance(fact, EmploymentEnded) and self._ended is None:
            self._ended = fact.effective
        if self._fingerprints is not None:
            self._fingerprints[fact.fingerprint] += 1
        self._fold(fact)

    def _fold(self, fact: Fact) -> None:
        """Keep `absences` up to date: a fact that comes last in known order
        is one more fold step; any other (or a retraction, which withdraws
        an earlier fact) means folding the history again when next asked."""
        last = fact.recorded_at is not None and (self._latest is None or self._comes_after(fact, self._latest))
        if not last or isinstance(fact, EventRetracted):
            self._absences = None
        elif self._absences is not None:
            fold_absence(self._absences, fact)
        if last:
            self._latest = fact

    @staticmethod
    def _comes_after(fact: Fact, other: Fact) -> bool:
        """Not before `other` in known order (a tie goes after: sorting keeps
        the order facts were appended in); the whole key only when learned
        at the same moment."""
        if fact.recorded_at != other.recorded_at:
            return fact.recorded_at > other.recorded_at  # type: ignore[operator]
        return not known_order(fact) < known_order(other)

    # --- invariants ----------------------------------------------------------

    @property
    def absences(self) -> dict[str, Absence]:
        """Absences as the ledger now stands (corrections and retractions applied)."""
        if self._absences is None:
            self._absences = fold_absences(visible_facts(self.facts))
        return self._absences

    def _ids(self, kind: type[Fact], attribute: str) -> set[str]:
        return self._known[kind, attribute]

    def _check(self, fact: Fact) -> None:
        if isinstance(fact, EmployeeRegistered):
            raise InvalidEvent("type", f"employee {self.employee_id!r} is already registered")
        if fact.event_id is not None and fact.event_id[0].isdigit():
            raise InvalidEvent("event_id", "must start with a letter: numbers are assigned by the ledger")
        if fact.event_id is not None and fact.event_id in self._ids(Fact, "event_id"):
            raise InvalidEvent("event_id", f"event id {fact.event_id!r} is already used")
        self._check_employment(fact)
        match fact:
            case SicknessReported():
                if fact.absence_id in self.absences:
                    raise InvalidEvent("absence_id", f"absence {fact.absence_id!r} was already reported")
                self._check_in_service(fact.first_day, "first_day")
                self._check_no_overlap(fact.absence_id, fact.first_day, "first_day")
            case AnnualLeaveConvertedToSickness():
                self._check_known("leave_id", fact.leave_id, self._ids(AnnualLeaveBooked, "leave_id"), "leave")
                if fact.absence_id not in self.absences:
                    self._check_in_service(fact.from_, "from")
                    self._check_no_overlap(fact.absence_id, fact.from_, "from")
            case AnnualLeaveCancelled():
                self._check_known("leave_id", fact.leave_id, self._ids(AnnualLeaveBooked, "leave_id"), "leave")
            case ReturnedToWork():
                absence = self._absence(fact.absence_id)
                self._check_return(absence.first_day, fact.first_day_back, "first_day_back")
                if absence.last_day is not None:
                    # a second return would silently move the first (and could
                    # make absences overlap): a correction says so explicitly
                    raise InvalidEvent("absence_id", f"already returned on {absence.last_day + timedelta(days=1)}: "
                                                     "correct it with AbsenceAmended")
            case AbsenceAmended():
                absence = self._absence(fact.absence_id)
                if fact.first_day is not None:
                    self._check_in_service(fact.first_day, "first_day")
                first_day = fact.first_day or absence.first_day
                if fact.first_day_back is not None:
                    self._check_return(first_day, fact.first_day_back, "first_day_back")
                elif absence.last_day is not None and absence.last_day < first_day:
                    raise InvalidEvent("first_day", f"must be before the return on {absence.last_day}")
            case EventRetracted():
                if fact.event_ref == "1" or fact.event_ref not in self._ids(Fact, "event_id"):
                    raise InvalidEvent("event_ref", f"no retractable event {fact.event_ref!r} in this ledger")
                if fact.event_ref in self._ids(EventRetracted, "event_id"):
                    raise InvalidEvent("event_ref", "a retraction cannot itself be retracted")
            case MeetingCancelled():
                self._check_known("meeting_id", fact.meeting_id, self._ids(MeetingScheduled, "meeting_id"), "meeting")
            case AppealLodged() | AppealDecided():
                meetings = self._ids(MeetingScheduled, "meeting_id") | self._ids(MeetingHeld, "meeting_id")
                self._check_known("against", fact.against, meetings, "meeting")
            case OutcomeLetterSent(meeting_id=str(meeting_id)):
                self._check_known("meeting_id", meeting_id, self._ids(MeetingHeld, "meeting_id"), "meeting")
            case _ if "absence_id" in type(fact).model_fields:
                if fact.absence_id is not None:  # type: ignore[attr-defined]
                    self._absence(fact.absence_id)  # type: ignore[attr-defined]

    def _check_employment(self, fact: Fact) -> None:
        ended = self._ended
        if isinstance(fact, EmploymentEnded) and ended is not None:
            raise InvalidEvent("type", f"employment already ended on {ended}")
        day = fact.effective_day
        if ended is not None and day is not None and day > ended and fact.type not in AFTER_EMPLOYMENT:
            raise InvalidEvent(fact.effective_field or "type",
                               f"{day} is after employment ended on {ended}")

    def _absence(self, absence_id: str) -> Absence:
        if absence_id not in self.absences:
            raise UnknownAbsence(absence_id)
        return self.absences[absence_id]

    @staticmethod
    def _check_known(field: str, value: str, known: set[str], what: str) -> None:
        if value not in known:
            raise InvalidEvent(field, f"unknown {what} {value!r}")

    @staticmethod
    def _check_return(first_day: date, first_day_back: date, field: str) -> None:
        if first_day_back <= first_day:
            raise return_before_first_day(first_day, field)

    def _check_in_service(self, day: date, field: str) -> None:
        service_start = self.registration.service_start
        if day < service_start:
            raise InvalidEvent(field, f"is before the employee's service start {service_start}")

    def _check_no_overlap(self, absence_id: str, first_day: date, field: str) -> None:
        for other in self.absences.values():
            if other.ongoing_on(first_day):
                state = "ongoing" if other.last_day is None else f"to {other.last_day}"
                raise InvalidEvent(field, f"{first_day} falls inside absence {other.absence_id!r} "
                                          f"(from {other.first_day}, {state})")
