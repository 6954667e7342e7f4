"""Policy rulebooks: a policy version as validated data.

A rulebook names every threshold the engine applies, each rule with the
section of the policy it comes from. The engine (`projections.triggers`)
knows the rule *kinds*; a new policy version is a new YAML file, not new code.
Rulebooks are identified by id and by the SHA-256 of their file, so a stored
decision can say exactly which rules it was made under.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.exceptions import UnknownPolicy

ReviewKind = Literal["informal_review", "formal_review", "final_review"]
STAGE_OF_REVIEW: dict[str, int] = {"informal_review": 1, "formal_review": 2, "final_review": 3}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(Model):
    """How much of a measure fires a rule: a count, fixed working days, or
    working weeks pro rata (SPEC 4: N weeks = N x days worked per week)."""

    count: int | None = Field(default=None, ge=1)
    working_days: float | None = Field(default=None, gt=0)
    working_weeks: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> "Threshold":
        if sum(v is not None for v in (self.count, self.working_days, self.working_weeks)) != 1:
            raise ValueError("give exactly one of count, working_days, working_weeks")
        return self

    def value(self, days_per_week: int) -> float:
        if self.working_weeks is not None:
            return self.working_weeks * days_per_week
        return float(self.count if self.count is not None else self.working_days)  # type: ignore[arg-type]


class Duration(Model):
    """A length of absence: calendar days, or working days of the employee."""

    days: int | None = Field(default=None, ge=1)
    working_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> "Duration":
        if (self.days is None) == (self.working_days is None):
            raise ValueError("give exactly one of days, working_days")
        return self


#: what a counting rule counts. `uncertificated_episodes` are episodes no fit
#: note covers; `new_starter_episodes` are episodes starting within `months` of
#: the employment start or the last transfer or promotion.
Measure = Literal["working_days_lost", "episodes", "patterns", "uncertificated_episodes",
                  "new_starter_episodes"]


class CountingRule(Model):
    """A short-term trigger: a measure over a window of calendar months."""

    id: str
    measure: Measure
    months: int = Field(ge=1, le=36)
    threshold: Threshold
    citation: str

    @model_validator(mode="after")
    def _unit_fits_measure(self) -> "CountingRule":
        counts_days = self.measure == "working_days_lost"
        if counts_days == (self.threshold.count is not None):
            unit = "working_days or working_weeks" if counts_days else "count"
            raise ValueError(f"rule {self.id}: a {self.measure} threshold is given as {unit}")
        return self


class ShortTermStage(Model):
    stage: int = Field(ge=1, le=3)
    review: ReviewKind
    #: rolling: windows ending on each day (after a review: counting only
    #: absences since its monitoring start, during the monitoring period);
    #: monitoring: windows starting at the monitoring start.
    counting: Literal["rolling", "monitoring"]
    #: no rules: the stage is reached only when a manager records it
    rules: tuple[CountingRule, ...] = ()


class ShortTerm(Model):
    monitoring_months: int = Field(ge=1, le=24)
    monitoring_citation: str
    #: where a review's monitoring starts when the meeting does not say:
    #: the meeting date (soj-ma-1.5 8.4.5), or the first day back after the
    #: episode that triggered the review (W22 11.3, SPEC 5.1)
    monitoring_starts: Literal["meeting_date", "return_after_trigger"] = "meeting_date"
    monitoring_start_citation: str | None = None
    stages: tuple[ShortTermStage, ...]

    @model_validator(mode="after")
    def _stages_in_order(self) -> "ShortTerm":
        if [s.stage for s in self.stages] != list(range(1, len(self.stages) + 1)):
            raise ValueError("short_term stages must be numbered 1, 2, 3 in order")
        return self


class LongTermStage(Model):
    stage: int = Field(ge=1, le=3)
    review: ReviewKind
    #: due once the absence lasts longer than this (or is expected to)
    after: Duration
    citation: str


class LongTerm(Model):
    #: a new absence this soon after returning from long-term absence resumes
    #: the stage reached; None: the policy has no such rule
    resume_within_months: int | None = Field(default=None, ge=1, le=24)
    resume_citation: str
    stages: tuple[LongTermStage, ...]


class Episodes(Model):
    link_same_reason_within_days: int | None = Field(default=None, ge=0)
    link_citation: str | None = None
    #: an absence is long-term once it lasts longer than this
    long_term_after: Duration
    long_term_citation: str
    exclusion_citation: str


class ActionRule(Model):
    citation: str
    #: the policy sets no deadline here: the value is the product's choice,
    #: which `explain` says (SPEC 11)
    product_choice: bool = False


class DaysAction(ActionRule):
    days: int = Field(ge=0)


class ListedDaysAction(DaysAction):
    """Due on a day the history sets, listed `days` before it."""


class ReasonAction(DaysAction):
    """Arises when sickness with one of `reasons` is reported."""

    reasons: tuple[str, ...]


class FinalReviewChecks(ActionRule):
    """Before a final review: occupational health evidence no older than
    `report_within_months` and redeployment considered (W22 11.6.4)."""

    report_within_months: int = Field(ge=1)


class OccupationalHealthReferral(DaysAction):
    """A referral due `days` after it arises: sickness with one of
    `reasons`, a long-term absence reaching stage 1, or adjustments still in
    place after `after_adjustment_reviews` reviews (W22 10.3.3 table)."""

    reasons: tuple[str, ...] = ()
    on_long_term_stage_one: bool = False
    after_adjustment_reviews: int | None = Field(default=None, ge=1)


class FitNoteAction(Model):
    from_calendar_day: int = Field(ge=1)
    due_within_days: int = Field(ge=0)
    #: a certificate from the first day when sickness immediately follows
    #: annual leave (soj-ma-1.5 18.3)
    from_day_one_after_leave: bool = False
    citation: str


class MonthsAction(ActionRule):
    months: int = Field(ge=1)


class WorkingDaysAction(ActionRule):
    working_days: int = Field(ge=1)


class WindowAction(Duration):
    """A period after a review: calendar or working days."""

    #: which reviews open it: final reviews ending in dismissal, all final
    #: reviews, or every formal and final review
    against: Literal["dismissal", "final_review", "formal_or_final"] = "dismissal"
    citation: str
    product_choice: bool = False


class Actions(Model):
    """The deadlines the policy sets; an absent entry is an action the policy
    does not ask for."""

    return_to_work_discussion: DaysAction | None = None
    fit_note: FitNoteAction | None = None
    long_term_contact: MonthsAction | None = None
    sick_pay_review: DaysAction | None = None
    medical_suspension_review: DaysAction | None = None
    formal_meeting_notice: DaysAction | None = None
    final_review_evidence: WorkingDaysAction | None = None
    appeal_window: WindowAction | None = None
    outcome_letter: WindowAction | None = None
    wellbeing_conversation: MonthsAction | None = None
    # SPEC 11, the case-management workflow
    fit_note_renewal: ListedDaysAction | None = None
    occupational_health_referral: OccupationalHealthReferral | None = None
    occupational_health_report: DaysAction | None = None
    adjustment_review: ActionRule | None = None
    stress_risk_assessment: ReasonAction | None = None
    final_review_checks: FinalReviewChecks | None = None
    employee_evidence: WorkingDaysAction | None = None
    appeal_decision: DaysAction | None = None
    notification_followup: DaysAction | None = None
    action_plan_review: ActionRule | None = None

    def product_choices(self) -> dict[str, str]:
        """The deadlines that are the product's choice, not the policy's."""
        return {name: rule.citation for name, rule in self if getattr(rule, "product_choice", False)}


class ServiceBand(Model):
    """Sick pay for absences starting once `completed_years` of service are done."""

    completed_years: int = Field(ge=0)
    full_months: float = Field(ge=0)
    half_months: float = Field(ge=0)


class LeaveBand(Model):
    completed_years: int = Field(ge=0)
    days: float = Field(ge=0)


class ByService(Model):
    """Terms that step up with completed years of service: `bands` start at
    0 years and ascend; the last band whose requirement is met applies."""

    @model_validator(mode="after")
    def _bands_ascend(self) -> "ByService":
        years = [b.completed_years for b in self.bands]  # type: ignore[attr-defined]
        if not years or years[0] != 0 or years != sorted(set(years)):
            raise ValueError("bands must start at completed_years 0 and ascend")
        return self

    def band(self, completed_years: int):
        return [b for b in self.bands if b.completed_years <= completed_years][-1]  # type: ignore[attr-defined]


class InjuryAllowance(Model):
    """Pay topped up to `percent` of pay while on reduced sick pay, for up to
    `months` per episode (AfC 22)."""

    percent: float = Field(gt=0, le=100)
    months: int = Field(ge=1)
    citation: str


class SickPayTerms(ByService):
    """Occupational sick pay by completed service (SPEC 7.1), and the other
    pay rules of absence."""

    bands: tuple[ServiceBand, ...]
    #: entitlement months become days at this many days a month, rounded to
    #: the nearest whole day, halves up (365/12: 1 month = 30 days, 6 = 183)
    days_per_month: float = Field(gt=0)
    lookback_months: int = Field(ge=0)
    citation: str
    extension_citation: str | None = None
    #: sick pay not payable (W22 9.2) when a manager records `SickPayWithheld`
    withholding_citation: str | None = None
    #: absences discounted as disability leave are not sickness and use no
    #: sick pay (nw-wam-2024 Disability Leave)
    disability_leave_is_not_sickness: bool = False
    disability_leave_citation: str | None = None
    medical_suspension_citation: str | None = None
    unauthorised_absence_citation: str | None = None
    #: a phased return is at full pay for up to this many weeks
    phased_return_full_pay_weeks: int | None = Field(default=None, ge=0)
    phased_return_citation: str | None = None
    injury_allowance: InjuryAllowance | None = None
    #: pay during sickness includes enhancements at or below this basic salary
    enhancements_salary_threshold: float | None = Field(default=None, ge=0)
    enhancements_citation: str | None = None

    def entitlement_days(self, completed_years: int) -> tuple[int, int]:
        band = self.band(completed_years)
        return _round_half_up(band.full_months * self.days_per_month), \
            _round_half_up(band.half_months * self.days_per_month)


@cache  # a handful of values, asked for at every absence
def _round_half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class AnnualLeaveTerms(ByService):
    """Contractual annual leave by completed service, plus public holidays,
    and how sickness changes it (SPEC 7.3)."""

    bands: tuple[LeaveBand, ...]
    public_holidays: float = Field(ge=0)
    #: a day of leave is contracted weekly hours divided by this
    days_per_week: float = Field(gt=0)
    citation: str
    #: full contractual accrual for this many weeks of an absence, then only
    #: the statutory weeks a year; None: leave accrues in full (soj-ma-1.5 18.1)
    full_accrual_sickness_weeks: int | None = Field(default=None, ge=0)
    statutory_weeks_per_year: float = Field(default=4, gt=0)
    accrual_citation: str | None = None
    #: public holidays lost to sickness (W22 9.4.1 table)
    public_holidays_lost_in_sickness: bool = False
    public_holiday_citation: str | None = None
    #: what happens to leave booked inside a sickness absence the employee
    #: does not take: cancelled (W22 9.4.3), or kept only when the sickness is
    #: certificated (soj-ma-1.5 18.4)
    booked_leave_in_sickness: Literal["cancelled", "retained_if_certificated"] = "cancelled"
    #: converted leave is reinstated when reported as the procedure requires
    #: (W22 9.4.3) or when a certificate covers it (soj-ma-1.5 18.2)
    reinstate_converted_leave_if: Literal["reported_compliantly", "certificated"] = "reported_compliantly"
    conversion_citation: str | None = None
    #: reinstated leave not taken carries over and expires this many months
    #: after the end of the leave year it accrued in (W22 9.4.4)
    carry_over_expiry_months: int | None = Field(default=None, ge=1)
    carry_over_citation: str | None = None
    taken_while_sick_citation: str | None = None

    def days(self, completed_years: int) -> float:
        return self.band(completed_years).days


class PatternSuggestions(Model):
    """Candidate patterns of absence the product proposes to a manager (SPEC
    11, W22 11.2): never a trigger. How many occurrences, over how long, and
    how short an absence counts are the product's choice."""

    min_occurrences: int = Field(ge=2)
    months: int = Field(ge=1, le=36)
    #: only absences of at most this many working days show a pattern
    max_working_days: int = Field(ge=1)
    citation: str
    product_choice: bool = True


class Rulebook(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    title: str
    source: str
    effective_from: date
    provisional: bool = False
    #: the section that lets a review move straight to the next stage
    escalation_citation: str
    episodes: Episodes
    short_term: ShortTerm
    long_term: LongTerm
    actions: Actions
    #: information only, never a review: counts a manager may want to see
    #: (the North West toolkit's "concerns")
    concerns: tuple[CountingRule, ...] = ()
    pattern_suggestions: PatternSuggestions | None = None
    #: pay and leave terms, where the rulebook's organisation sets them
    sick_pay: SickPayTerms | None = None
    annual_leave: AnnualLeaveTerms | None = None
    #: filled in by the loader: SHA-256 of the file the rules were read from
    content_hash: str = ""

    @cached_property
    def short_term_stage(self) -> dict[int, ShortTermStage]:
        return {s.stage: s for s in self.short_term.stages}

    @cached_property
    def long_term_stage(self) -> dict[int, LongTermStage]:
        return {s.stage: s for s in self.long_term.stages}


class RulebookError(ValueError):
    """A rulebook file that does not validate; the message names the file and field."""


def _line_of(text: str, location: tuple) -> int:
    """The line of a YAML document holding the value at `location` (or the
    deepest part of it that exists), for an error a person can find."""
    node = yaml.compose(text)
    for part in location:
        if isinstance(node, yaml.MappingNode):
            found = [value for key, value in node.value if key.value == str(part)]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = [node.value[part]]
        else:
            found = []
        if not found:
            break
        node = found[0]
    return node.start_mark.line + 1


def parse_rulebook(text: str, origin: str) -> Rulebook:
    try:
        data = yaml.safe_load(text)
        rulebook = Rulebook.model_validate(data)
    except yaml.YAMLError as error:
        raise RulebookError(f"{origin}: not valid YAML: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = _line_of(text, first["loc"])
        raise RulebookError(f"{origin} line {line}: {where}: {first['msg']}") from error
    digest = hashlib.sha256(text.encode()).hexdigest()
    return rulebook.model_copy(update={"content_hash": digest})


class RulebookRegistry:
    """The rulebooks a ledger knows, by id: those shipped with the product,
    then the organisation's own (a directory of YAML files, ATTENDANCE_RULEBOOKS),
    which replace a shipped rulebook of the same id - as an organisation
    replaces V5.13's provisional values with its issued ones (SPEC 5.2)."""

    def __init__(self, rulebooks: list[Rulebook]) -> None:
        self._by_id = {r.id: r for r in rulebooks}

    @classmethod
    def load(cls, *directories: Path) -> "RulebookRegistry":
        shipped = resources.files("domain") / "rulebooks"
        by_id = {r.id: r for r in _read(p for p in shipped.iterdir() if p.name.endswith(".yaml"))}
        own: dict[str, str] = {}
        for directory in directories:
            if not Path(directory).is_dir():
                raise RulebookError(f"{directory}: rulebook directory not found")
            for path in sorted(Path(directory).glob("*.yaml")):
                [rulebook] = _read([path])
                if rulebook.id in own:
                    raise RulebookError(f"{path.name}: rulebook id {rulebook.id!r} is also in {own[rulebook.id]}")
                own[rulebook.id] = path.name
                by_id[rulebook.id] = rulebook
        return cls(list(by_id.values()))

    @property
    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def __contains__(self, policy: str) -> bool:
        return policy in self._by_id

    def get(self, policy: str) -> Rulebook:
        if policy not in self._by_id:
            raise UnknownPolicy(policy, self.ids)
        return self._by_id[policy]


def _read(paths) -> list[Rulebook]:
    return [parse_rulebook(p.read_text(encoding="utf-8"), p.name) for p in sorted(paths, key=lambda p: p.name)]
