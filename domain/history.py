"""An employee's history as it was known at a moment, and its absences.

Both the aggregate (to enforce invariants on what it holds now) and the
evaluators (to answer for a past `known_at`) fold the same facts with these
functions, so a rule can never see a different absence from the one the
ledger validated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from domain.events import (
    AbsenceAmended,
    AbsenceDiscounted,
    AnnualLeaveBooked,
    AnnualLeaveConvertedToSickness,
    EventRetracted,
    Fact,
    FitNoteReceived,
    MeetingScheduled,
    ReturnedToWork,
    SelfCertified,
    SicknessReported,
)
from domain.reasons import PREGNANCY_RELATED

#: On one effective day a return goes before a new absence (which may start
#: that day), and what introduces an id before what refers to it.
_RANK = {ReturnedToWork: 0, SicknessReported: 1, AnnualLeaveBooked: 1, MeetingScheduled: 1}


def known_order(fact: Fact) -> tuple[datetime, date, int, "ByContent"]:
    """Facts apply in the order the ledger learned them. Facts learned at the
    same instant go by effective day (corrections, which have none, last),
    then by kind and content: the order they were imported in can never
    change an answer."""
    assert fact.recorded_at is not None, "a fact in the ledger has been recorded"
    return fact.recorded_at, fact.effective_day or date.max, _RANK.get(type(fact), 2), ByContent(fact)


class ByContent:
    """Orders facts by their fingerprint, computed only when the rest of
    `known_order` ties (a hash per fact read is most of the cost of sorting
    a history otherwise)."""

    __slots__ = ("fact",)

    def __init__(self, fact: Fact) -> None:
        self.fact = fact

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ByContent) and self.fact.fingerprint == other.fact.fingerprint

    def __lt__(self, other: "ByContent") -> bool:
        return self.fact.fingerprint < other.fact.fingerprint

    __hash__ = None  # type: ignore[assignment]


def parse_known_at(text: str) -> datetime:
    """A `known_at` as people write it: an ISO timestamp (UTC when it has no
    offset), or a date meaning the end of that day. Raises ValueError."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(23, 59, 59), tzinfo=timezone.utc)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def visible_facts(facts: Iterable[Fact], known_at: datetime | None = None) -> list[Fact]:
    """The facts known at `known_at` (all when None), without the ones a
    retraction known by then withdrew, in `known_order`."""
    known = sorted(
        (f for f in facts if known_at is None or f.recorded_at <= known_at),  # type: ignore[operator]
        key=known_order,
    )
    retracted = {f.event_ref for f in known if isinstance(f, EventRetracted)}
    return [f for f in known if f.event_id not in retracted]


@dataclass(frozen=True)
class Absence:
    """One sickness absence as currently corrected: an episode before linking."""

    absence_id: str
    first_day: date
    last_day: date | None  # None while ongoing
    reason: str | None  # None when it began as converted leave
    work_related: bool = False
    pregnancy_related: bool = False
    discounted: str | None = None
    self_certified: bool = False
    fit_notes: tuple[FitNoteReceived, ...] = ()
    recorded_at: datetime | None = None
    #: reported as the procedure requires (W22 6.2)
    notification_compliant: bool = True

    @property
    def described(self) -> str:
        """The absence in plain words, by its dates (never its reason)."""
        if self.last_day is None:
            return f"sickness absence from {self.first_day} (ongoing)"
        return f"sickness absence {self.first_day} to {self.last_day}"

    @property
    def excluded_from_triggers(self) -> bool:
        """Pregnancy-related (W22 9.5) and discounted (W22 4, managers
        discretion) absences never count towards a trigger."""
        return self.pregnancy_related or self.discounted is not None

    def last_day_by(self, as_of: date) -> date:
        """The last day of absence as seen on `as_of` (ongoing ones run to it)."""
        return as_of if self.last_day is None or self.last_day > as_of else self.last_day

    def ongoing_on(self, day: date) -> bool:
        return self.first_day <= day and (self.last_day is None or day <= self.last_day)



def _changed(absence: Absence, **changes: Any) -> Absence:
    """`dataclasses.replace` without its look-up of the fields on every call:
    folding changes an absence for most facts it reads."""
    return Absence(**{**absence.__dict__, **changes})


def _amended(absence: Absence, fact: AbsenceAmended) -> Absence:
    changes: dict[str, Any] = {}
    if fact.first_day is not None:
        changes["first_day"] = fact.first_day
    if fact.first_day_back is not None:
        changes["last_day"] = fact.first_day_back - timedelta(days=1)
    if fact.reason is not None:
        changes["reason"] = fact.reason
        changes["pregnancy_related"] = fact.reason == PREGNANCY_RELATED or absence.pregnancy_related
    if fact.work_related is not None:
        changes["work_related"] = fact.work_related
    if fact.pregnancy_related is not None:
        changes["pregnancy_related"] = fact.pregnancy_related
    return _changed(absence, **changes)


def fold_absences(facts: Iterable[Fact]) -> dict[str, Absence]:
    """Every absence the (visible, ordered) facts describe, by absence id."""
    absences: dict[str, Absence] = {}
    for fact in facts:
        fold_absence(absences, fact)
    return absences


def fold_absence(absences: dict[str, Absence], fact: Fact) -> None:
    """One step of `fold_absences`: the absences after `fact`, which comes
    after every fact already folded into them (the aggregate keeps its
    absences up to date this way, a fact at a time)."""
    match fact:
        case SicknessReported():
            absences[fact.absence_id] = Absence(
                fact.absence_id, fact.first_day, None, fact.reason,
                work_related=fact.work_related,
                pregnancy_related=fact.is_pregnancy_related,
                recorded_at=fact.recorded_at,
                notification_compliant=fact.notification_compliant,
            )
        case AnnualLeaveConvertedToSickness() if fact.absence_id not in absences:
            absences[fact.absence_id] = Absence(
                fact.absence_id, fact.from_, fact.to, None, recorded_at=fact.recorded_at,
            )
        case ReturnedToWork() if fact.absence_id in absences:
            absences[fact.absence_id] = _changed(
                absences[fact.absence_id], last_day=fact.first_day_back - timedelta(days=1)
            )
        case AbsenceAmended() if fact.absence_id in absences:
            absences[fact.absence_id] = _amended(absences[fact.absence_id], fact)
        case AbsenceDiscounted() if fact.absence_id in absences:
            absences[fact.absence_id] = _changed(absences[fact.absence_id], discounted=fact.reason)
        case SelfCertified() if fact.absence_id in absences:
            absences[fact.absence_id] = _changed(absences[fact.absence_id], self_certified=True)
        case FitNoteReceived() if fact.absence_id in absences:
            absence = absences[fact.absence_id]
            absences[fact.absence_id] = _changed(absence, fit_notes=absence.fit_notes + (fact,))
