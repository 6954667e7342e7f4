"""The ledger's vocabulary: every fact of SPEC section 3 as a validated model.

The class names are the past-tense event names of the specification and the
`type` values of a case file. Each model validates its own fields (types,
ranges, date order); invariants that need the employee's history (an unknown
absence id, a return before the first day) are the Employee aggregate's job.

Every fact carries the bitemporal envelope: `recorded_at` (when the ledger
learned it), `actor` (who recorded it), an optional `correlation_id`, and an
`event_id` that corrections (`EventRetracted`) refer to.
"""

from __future__ import annotations

import hashlib
import json
import reprlib
from datetime import date, datetime, time, timezone
from collections.abc import Callable
from functools import cache, cached_property
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Self, Union, get_args, get_origin

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from domain.exceptions import InvalidEvent
from domain.limits import check_limits, is_identifier
from domain.reasons import PREGNANCY_RELATED, REASONS

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CalendarName = Literal["england-and-wales", "scotland", "northern-ireland", "jersey"]
Track = Literal["short_term", "long_term"]
MeetingKind = Literal[
    "welcome_back", "wellbeing_conversation", "informal_review",
    "formal_review", "final_review", "appeal", "adjustment_review",
]
Outcome = Literal[
    "monitoring", "no_further_action", "escalate",
    "redeployment", "dismissal", "ill_health_retirement",
]
#: hours in a week or a booking: more than 0, at most 168 (SPEC 3 invariants)
Hours = Annotated[float, Field(gt=0, le=168)]
MON_TO_FRI: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
#: `date` for the fields after one named `date`, which hides the type in its class
Day = date


def _reason_code(cls, value: str | None) -> str | None:
    if value is not None and value not in REASONS:
        raise ValueError(f"unknown ESR reason code {value!r} (expected S10..S32, S98, S99)")
    return value


def _distinct_weekdays(cls, days: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if days is not None and (not days or len(set(days)) != len(days)):
        raise ValueError("must list each worked weekday once, at least one")
    return days


def _not_before(earlier: str):
    """A field validator: this date may not precede the field `earlier`."""

    def check(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get(earlier)
        if value is not None and start is not None and value < start:
            raise ValueError(f"must not be before {earlier} ({start.isoformat()})")
        return value

    return check


#: why a sender may not set an envelope field the ledger sets (SPEC 12)
LEDGER_OWNED = {
    "recorded_at": "is set by the ledger (the moment it records the event); "
                   "only an import of historical records may carry it",
    "actor": "is set by the ledger (who is signed in, or who imports the file); leave it out",
}


class Fact(BaseModel):
    """Base of every ledger event: the envelope every fact carries, and the
    input limits of SPEC 12 on every field of every subclass."""

    # allow_inf_nan: `1e999` is refused, not stored as JSON null
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    #: the payload field holding the day the fact took effect in the world;
    #: `recorded_at` defaults to the end of that day on import.
    effective_field: ClassVar[str | None] = None
    #: fields the ledger fills in when it records the fact
    stamped_by_ledger: ClassVar[frozenset[str]] = frozenset()
    #: a fact with no day of its own that a case file may list without
    #: `recorded_at`: it is taken as recorded with the event before it
    recorded_with_preceding: ClassVar[bool] = False

    # Ledger-assigned ids are the event's number in the employee's stream;
    # an id chosen by the recorder must start with a letter (Employee.record).
    event_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
    recorded_at: AwareDatetime | None = None
    actor: str | None = None
    correlation_id: str | None = None

    @property
    def type(self) -> str:
        return type(self).__name__

    @property
    def effective_day(self) -> date | None:
        return getattr(self, self.effective_field) if self.effective_field else None

    @field_validator("*")
    @classmethod
    def _within_limits(cls, value: Any, info: ValidationInfo) -> Any:
        # "*" reaches the fields subclasses declare too (domain.limits)
        return check_limits(value, is_identifier(info.field_name or ""))

    @field_validator("recorded_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return value.astimezone(timezone.utc) if value is not None else None

    def refuse_ledger_owned(self, *envelope: str) -> None:
        """Refuse a fact whose sender set what only the ledger sets (SPEC 12):
        the named envelope fields and this fact's decision stamps."""
        for name in (*envelope, *sorted(self.stamped_by_ledger)):
            if getattr(self, name) is not None:
                raise InvalidEvent(name, LEDGER_OWNED.get(name, "is stamped by the ledger when it records the "
                                                                 "review (the rules it was taken under); leave it out"))

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        # A recorded fact never changes (frozen): the ledger's aggregate cache
        # copies an employee before each command, and need not copy its facts.
        return self

    def payload(self) -> dict[str, Any]:
        """The fact as JSON-ready data, with its `type`, envelope included."""
        return {"type": self.type, **self.model_dump(mode="json", by_alias=True, exclude_none=True)}

    @cached_property
    def fingerprint(self) -> str:
        """Identity of the fact's content for idempotent import: the payload
        and `recorded_at`, not who imported it, the ledger-assigned id nor
        what the ledger adds when recording it."""
        content = self.model_dump(
            mode="json", by_alias=True, exclude_none=True,
            exclude={"event_id", "actor", "correlation_id", *self.stamped_by_ledger},
        )
        canonical = json.dumps({"type": self.type, **content}, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()


class DatedFact(Fact):
    """A fact that happened on one day."""

    effective_field = "date"

    date: date


def end_of_day(day: date) -> datetime:
    """The default `recorded_at` of an imported fact (SPEC section 8)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)


# --- Employment facts ------------------------------------------------------

class EmployeeRegistered(Fact):
    effective_field = "employment_start"

    employee_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    service_start: date
    employment_start: date | None = None
    contracted_hours: Hours
    working_days: tuple[Weekday, ...] = MON_TO_FRI
    public_holidays_off: bool = True
    calendar: CalendarName = "england-and-wales"
    policy: str
    department: str | None = None
    manager_id: str | None = None
    basic_salary: float | None = Field(default=None, ge=0)
    average_weekly_earnings: float | None = Field(default=None, ge=0)
    leave_year_start: str = Field(default="04-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    terms: Literal["afc", "medical", "soj"] = "afc"

    _distinct_days = field_validator("working_days")(_distinct_weekdays)

    _employment_after_service = field_validator("employment_start")(_not_before("service_start"))

    @property
    def starts(self) -> date:
        return self.employment_start or self.service_start

    @property
    def effective_day(self) -> date:
        return self.starts


class ContractChanged(Fact):
    effective_field = "effective"

    effective: date
    contracted_hours: Hours | None = None
    working_days: tuple[Weekday, ...] | None = None
    department: str | None = None
    manager_id: str | None = None
    basic_salary: float | None = Field(default=None, ge=0)
    average_weekly_earnings: float | None = Field(default=None, ge=0)

    _distinct_days = field_validator("working_days")(_distinct_weekdays)


class RoleChanged(Fact):
    effective_field = "effective"

    effective: date
    kind: Literal["transfer", "promotion"]


class PolicyAssigned(Fact):
    effective_field = "effective"

    effective: date
    policy: str
    level_mapping: dict[Track, int] | None = None
    reason: str | None = None


class EmploymentEnded(Fact):
    effective_field = "effective"

    effective: date
    reason: Literal["capability_dismissal", "ill_health_retirement", "resignation", "other"]


# --- Absence ---------------------------------------------------------------

class SicknessReported(Fact):
    effective_field = "first_day"

    absence_id: str = Field(min_length=1)
    first_day: date
    reason: str
    work_related: bool = False
    pregnancy_related: bool | None = None
    expected_return: date | None = None
    reported_on: date | None = None
    notification_compliant: bool = True
    note: str | None = None

    _reason = field_validator("reason")(_reason_code)
    _expected_after_start = field_validator("expected_return")(_not_before("first_day"))

    @property
    def is_pregnancy_related(self) -> bool:
        return bool(self.pregnancy_related) or self.reason == PREGNANCY_RELATED


class PartDayAbsenceRecorded(DatedFact):
    hours: Hours | None = None
    reason: str

    _reason = field_validator("reason")(_reason_code)


class SelfCertified(Fact):
    effective_field = "on"

    absence_id: str
    on: date


class FitNoteReceived(Fact):
    effective_field = "received_on"

    absence_id: str
    issued_on: date
    covers_from: date
    covers_to: date
    may_be_fit: bool = False
    other_employment_allowed: bool | None = None
    received_on: date

    _covers = field_validator("covers_to")(_not_before("covers_from"))
    _received = field_validator("received_on")(_not_before("issued_on"))


class ReturnedToWork(Fact):
    effective_field = "first_day_back"

    absence_id: str
    first_day_back: date


class AbsenceAmended(Fact):
    # A correction has no day of its own in the world: it needs `recorded_at`.
    absence_id: str
    first_day: date | None = None
    first_day_back: date | None = None
    reason: str | None = None
    work_related: bool | None = None
    pregnancy_related: bool | None = None

    _reason = field_validator("reason")(_reason_code)


class AbsenceDiscounted(Fact):
    # The manager's discretion is exercised on what is already known (issue 10).
    recorded_with_preceding = True

    absence_id: str
    reason: Literal["outbreak", "disability", "work_injury", "pregnancy", "other"]
    note: str | None = None


class EventRetracted(Fact):
    event_ref: str = Field(min_length=1)
    reason: str


class UnauthorisedAbsenceDeclared(Fact):
    effective_field = "from_"

    from_: date = Field(alias="from")
    to: date | None = None
    reason: str

    _to = field_validator("to")(_not_before("from_"))


class UnauthorisedAbsenceRescinded(Fact):
    effective_field = "from_"

    from_: date = Field(alias="from")


class MedicalSuspensionStarted(DatedFact):
    reason: str | None = None


class MedicalSuspensionEnded(DatedFact):
    reason: str | None = None


class MedicalSuspensionReviewed(DatedFact):
    """Continuation of a medical suspension reviewed (W22 7.2: "at 10-day
    intervals")."""

    note: str | None = None


class SickPayWithheld(Fact):
    """Sick pay not payable for the days given (W22 9.2): the pay calendar
    pays nil for them and they use no entitlement."""

    effective_field = "from_"

    from_: date = Field(alias="from")
    to: date | None = None
    reason: Literal["procedure_not_followed", "not_own_sickness", "third_party_damages",
                    "sport_or_negligence"]

    _to = field_validator("to")(_not_before("from_"))


class AnnualLeaveBooked(Fact):
    effective_field = "from_"

    leave_id: str = Field(min_length=1)
    from_: date = Field(alias="from")
    to: date
    hours: Hours

    _to = field_validator("to")(_not_before("from_"))


class AnnualLeaveCancelled(Fact):
    leave_id: str


class AnnualLeaveConvertedToSickness(Fact):
    effective_field = "from_"

    leave_id: str
    absence_id: str
    from_: date = Field(alias="from")
    to: date
    reported_compliantly: bool = True

    _to = field_validator("to")(_not_before("from_"))


class AnnualLeaveTakenWhileSick(Fact):
    effective_field = "from_"

    absence_id: str
    from_: date = Field(alias="from")
    to: date
    hours: Hours

    _to = field_validator("to")(_not_before("from_"))


class PhasedReturnAgreed(Fact):
    effective_field = "start"

    absence_id: str | None = None
    start: date
    weeks: float = Field(gt=0, le=52)
    pattern: str | None = None


class AdjustmentAgreed(Fact):
    effective_field = "start"

    start: date
    review_on: date
    description: str
    temporary: bool = True

    _review = field_validator("review_on")(_not_before("start"))


class OccupationalHealthReferred(DatedFact):
    note: str | None = None


class OccupationalHealthReported(DatedFact):
    outcome: Literal["fit", "fit_with_adjustments", "unfit", "disability_likely"] | None = None
    note: str | None = None


class StressRiskAssessmentCompleted(DatedFact):
    """The individual's stress risk assessment (W22 5.6)."""

    absence_id: str | None = None


class RedeploymentConsidered(DatedFact):
    """Redeployment into a suitable vacancy considered before a final review
    (W22 11.6.4)."""

    outcome: Literal["redeployed", "no_suitable_vacancy", "declined", "not_appropriate"]


class ActionPlanAgreed(DatedFact):
    """A personalised improvement action plan agreed at a welcome-back or
    wellbeing conversation (nw-wam-2024), reviewed on `review_on`."""

    review_on: date
    description: str | None = None

    _review = field_validator("review_on")(_not_before("date"))


class SickPayExtended(Fact):
    effective_field = "from_"

    from_: date = Field(alias="from")
    until: date
    band: Literal["full", "half"]
    reason: str | None = None

    _until = field_validator("until")(_not_before("from_"))


class InjuryAllowanceGranted(Fact):
    effective_field = "from_"

    absence_id: str
    from_: date = Field(alias="from")


class PatternOfAbsenceIdentified(DatedFact):
    description: str


class TriggerAdjusted(Fact):
    effective_field = "from_"

    from_: date = Field(alias="from")
    until: date | None = None
    days_multiplier: float | None = Field(default=None, gt=0, le=10)
    extra_days: float | None = Field(default=None, ge=0, le=366)
    extra_episodes: int | None = Field(default=None, ge=0, le=100)
    reason: str

    _until = field_validator("until")(_not_before("from_"))


# --- Meetings --------------------------------------------------------------

class MeetingScheduled(Fact):
    effective_field = "notified_on"

    meeting_id: str = Field(min_length=1)
    kind: MeetingKind
    date: date
    notified_on: Day
    companion: str | None = None

    @field_validator("notified_on")
    @classmethod
    def _notice_before_meeting(cls, notified: Day, info: ValidationInfo) -> Day:
        meeting = info.data.get("date")
        if meeting is not None and notified > meeting:
            raise ValueError(f"must not be after the meeting date ({meeting.isoformat()})")
        return notified


class MeetingHeld(Fact):
    effective_field = "date"
    stamped_by_ledger = frozenset({"policy", "rulebook_hash", "status_shown"})

    meeting_id: str | None = None
    kind: MeetingKind
    date: date
    outcome: Outcome
    track: Track | None = None
    monitoring_start: Day | None = None
    monitoring_months: int | None = Field(default=None, ge=1, le=24)
    attended: bool | None = None
    note: str | None = None
    # A review is a decision: the ledger records the rules it was taken under
    # and the status the manager saw then, so an audit can compare (SPEC 6).
    policy: str | None = None
    rulebook_hash: str | None = None
    status_shown: dict[str, Any] | None = None


class MeetingCancelled(Fact):
    meeting_id: str
    reason: str | None = None


class AppealLodged(DatedFact):
    against: str


class AppealDecided(DatedFact):
    against: str
    outcome: Literal["upheld", "overturned"] | None = None


class OutcomeLetterSent(DatedFact):
    """The written outcome of a formal or final review (soj-ma-1.5 8.5.5);
    without `meeting_id` it answers the latest such review held by `date`."""

    meeting_id: str | None = None


FACT_TYPES: dict[str, type[Fact]] = {
    cls.__name__: cls
    for cls in (
        EmployeeRegistered, ContractChanged, RoleChanged, PolicyAssigned, EmploymentEnded,
        SicknessReported, PartDayAbsenceRecorded, SelfCertified, FitNoteReceived,
        ReturnedToWork, AbsenceAmended, AbsenceDiscounted, EventRetracted,
        UnauthorisedAbsenceDeclared, UnauthorisedAbsenceRescinded,
        MedicalSuspensionStarted, MedicalSuspensionEnded,
        AnnualLeaveBooked, AnnualLeaveCancelled, AnnualLeaveConvertedToSickness,
        AnnualLeaveTakenWhileSick, PhasedReturnAgreed, AdjustmentAgreed,
        OccupationalHealthReferred, OccupationalHealthReported, SickPayExtended,
        InjuryAllowanceGranted, PatternOfAbsenceIdentified, TriggerAdjusted,
        MeetingScheduled, MeetingHeld, MeetingCancelled, AppealLodged, AppealDecided,
        MedicalSuspensionReviewed, SickPayWithheld, StressRiskAssessmentCompleted,
        RedeploymentConsidered, ActionPlanAgreed, OutcomeLetterSent,
    )
}

#: facts that may be dated after employment ends (SPEC section 3 invariants)
AFTER_EMPLOYMENT = frozenset({"AppealLodged", "AppealDecided", "EventRetracted", "OutcomeLetterSent"})


def parse_fact(data: dict[str, Any]) -> Fact:
    """Validate one event given as data (`type` plus fields).

    Raises `pydantic.ValidationError`, or `KeyError` naming an unknown type;
    callers turn either into a field-naming error.
    """
    fields = dict(data)
    kind = fields.pop("type", None)
    if kind not in FACT_TYPES:
        raise UnknownEventType(kind)
    return FACT_TYPES[kind].model_validate(fields)


def stored_fact(data: dict[str, Any]) -> Fact:
    """A fact read back from the ledger's own store (its `payload()`).

    It met every check when the ledger wrote it, so it is not validated
    again (that was most of the cost of reading a history): only the JSON
    types are decoded back (ISO dates and moments, tuples, floats), field by
    field as `_Stored` says, into the model as `model_construct` builds it.
    Not for input from outside the ledger: use `parse_fact`.
    """
    fields = dict(data)
    kind = fields.pop("type", None)
    if kind not in FACT_TYPES:
        raise UnknownEventType(kind)
    return _stored(FACT_TYPES[kind]).construct(fields)


class _Stored:
    """How to rebuild one fact class from its payload without validation."""

    def __init__(self, cls: type[Fact]) -> None:
        # What `construct` skips of `model_construct` must not be needed.
        assert not cls.__pydantic_post_init__ and not cls.__private_attributes__, cls
        assert cls.model_config.get("extra") == "forbid", cls
        self.cls = cls
        #: every field's default, in the fields' order (a model's __dict__ order)
        self.defaults = {name: field.get_default(call_default_factory=True)
                         for name, field in cls.model_fields.items()}
        #: each payload key (a field's alias or name): the field and its decoder
        self.decoders = {key: (name, _decoder(field.annotation))
                         for name, field in cls.model_fields.items() for key in {field.alias or name, name}}

    def construct(self, payload: dict[str, Any]) -> Fact:
        values, given = dict(self.defaults), set()
        for key, value in payload.items():
            name, decode = self.decoders[key]
            values[name] = decode(value) if value is not None else None
            given.add(name)
        # `model_construct`'s own steps, without its look-up of aliases and
        # defaults field by field (most of its cost; they are made once here)
        fact = self.cls.__new__(self.cls)
        object.__setattr__(fact, "__dict__", values)
        object.__setattr__(fact, "__pydantic_fields_set__", given)
        object.__setattr__(fact, "__pydantic_extra__", None)
        object.__setattr__(fact, "__pydantic_private__", None)
        return fact


@cache
def _stored(cls: type[Fact]) -> _Stored:
    return _Stored(cls)


def _decoder(annotation: Any) -> Callable[[Any], Any]:
    kinds = [a for a in get_args(annotation) if a is not type(None)] if get_origin(annotation) in (Union, UnionType) \
        else [annotation]
    [kind] = kinds  # a payload field has one type, optional or not
    kind = get_args(kind)[0] if get_origin(kind) is Annotated else kind
    if kind is datetime or kind is AwareDatetime:
        return _utc_moment
    if kind is date:
        return date.fromisoformat
    if kind is float:
        return float  # JSON writes 37.0 as 37.0, but an int payload value must still read back as a float
    if get_origin(kind) is tuple:
        return tuple
    return _as_is


def _utc_moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def _as_is(value: Any) -> Any:
    return value


class UnknownEventType(ValueError):
    def __init__(self, kind: object) -> None:
        super().__init__(f"unknown event type {reprlib.repr(kind)}")  # short: it echoes input
