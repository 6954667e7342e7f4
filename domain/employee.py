"""The Employee aggregate: one employee's immutable absence history.

Each fact of the vocabulary (`domain.events`) is stored as one aggregate
event. The aggregate's job is to refuse facts that break the invariants of
SPEC section 3 — before anything is stored — and to recognise a fact it
already holds, so that importing the same case file twice stores nothing new.
"""

from __future__ import annotations

from collections import Counter
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
from domain.history import Absence, fold_absences, visible_facts

#: employee references map to aggregate ids deterministically, so the same
#: reference always reaches the same history (uuid5 in this namespace).
EMPLOYEE_NAMESPACE = UUID("6f1e3d2a-8c4b-5e7f-9a0b-1c2d3e4f5a6b")


def employee_uuid(employee_id: str) -> UUID:
    return uuid5(EMPLOYEE_NAMESPACE, employee_id)


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
        self._fingerprints: Counter[str] = Counter()
        self._absences: dict[str, Absence] | None = None
        self._append(fact)

    @classmethod
    def register(cls, registration: EmployeeRegistered) -> "Employee":
        return cls(employee_id=registration.employee_id,
                   fact=registration.model_copy(update={"event_id": "1"}).payload())

    @property
    def registration(self) -> EmployeeRegistered:
        first = self.facts[0]
        assert isinstance(first, EmployeeRegistered)
        return first

    def holds(self, fact: Fact, occurrence: int = 1) -> bool:
        """True when the ledger already holds `occurrence` copies of this fact."""
        return self._fingerprints[fact.fingerprint] >= occurrence

    def record(self, fact: Fact) -> None:
        """Append a fact after checking it against the history (SPEC 3)."""
        self._check(fact)
        event_id = fact.event_id or str(self.version + 1)
        self._recorded(fact=fact.model_copy(update={"event_id": event_id}).payload())

    @event("FactRecorded")
    def _recorded(self, fact: dict[str, Any]) -> None:
        self._append(fact)

    def _append(self, data: dict[str, Any]) -> None:
        # the fact was held to the input limits before it was recorded
        fact = stored_fact(data)
        self.facts.append(fact)
        self._fingerprints[fact.fingerprint] += 1
        self._absences = None

    # --- invariants ----------------------------------------------------------

    @property
    def absences(self) -> dict[str, Absence]:
        """Absences as the ledger now stands (corrections and retractions applied)."""
        if self._absences is None:
            self._absences = fold_absences(visible_facts(self.facts))
        return self._absences

    def _ids(self, kind: type[Fact], attribute: str) -> set[str]:
        return {getattr(f, attribute) for f in self.facts if isinstance(f, kind) and getattr(f, attribute)}

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
            case _:
                absence_id = getattr(fact, "absence_id", None)
                if absence_id is not None:
                    self._absence(absence_id)

    def _check_employment(self, fact: Fact) -> None:
        ended = [f.effective for f in self.facts if isinstance(f, EmploymentEnded)]
        if isinstance(fact, EmploymentEnded) and ended:
            raise InvalidEvent("type", f"employment already ended on {ended[0]}")
        day = fact.effective_day
        if ended and day is not None and day > ended[0] and fact.type not in AFTER_EMPLOYMENT:
            raise InvalidEvent(fact.effective_field or "type",
                               f"{day} is after employment ended on {ended[0]}")

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
