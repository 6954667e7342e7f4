"""The trigger engine: which review is due on each track, and why.

A pure function of the employee's view (events known at `known_at`, in
effect by `as_of`) and a rulebook. The two tracks (W22 11.1; soj-ma-1.5 8,
9) are simulated through time: between review meetings each track looks for
the first day a rule of its next stage fires; a review held, or a policy
transition with a level mapping, moves the track's level and restarts its
counting (SPEC 5, 6).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from domain.calendar import WorkingCalendar, add_months
from domain.events import (
    AppealDecided,
    EmployeeRegistered,
    MeetingHeld,
    PatternOfAbsenceIdentified,
    PolicyAssigned,
    RoleChanged,
    TriggerAdjusted,
)
from domain.history import Absence
from domain.rulebook import STAGE_OF_REVIEW, CountingRule, Rulebook, ShortTermStage
from projections.episodes import Episode, link, reaches_day, threshold_day
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
REVIEW_OF_STAGE = {stage: kind for kind, stage in STAGE_OF_REVIEW.items()}
WindowStart = Callable[[date], date]


@dataclass(frozen=True)
class Firing:
    """A rule evaluated: what it counted, against which threshold, over
    which window, and the day it was met (None: not met)."""

    rule: str
    citation: str
    fired_on: date | None
    counted: float
    threshold: float
    window_from: date
    window_to: date
    absences: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "citation": self.citation,
            "counted": _number(self.counted), "threshold": _number(self.threshold),
            "fired_on": self.fired_on.isoformat() if self.fired_on else None,
            "window": {"from": self.window_from.isoformat(), "to": self.window_to.isoformat()},
            "absences": list(self.absences),
        }


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


@dataclass(frozen=True)
class ReviewDue:
    stage: int
    track: str
    triggered_on: date
    rules: tuple[Firing, ...]

    @property
    def kind(self) -> str:
        return REVIEW_OF_STAGE[self.stage]

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage, "kind": self.kind, "track": self.track,
            "triggered_on": self.triggered_on.isoformat(),
            "rules": [r.as_dict() for r in self.rules],
        }


def _first_review(firings: list[Firing], stage: int, track: str) -> ReviewDue | None:
    met = sorted((f for f in firings if f.fired_on is not None), key=lambda f: (f.fired_on, f.rule))
    return ReviewDue(stage, track, met[0].fired_on, tuple(met)) if met else None  # type: ignore[arg-type]


class Thresholds:
    """Rule thresholds on a given day: pro rata to the days worked that week,
    raised by any `TriggerAdjusted` in force (SPEC 5.1)."""

    def __init__(self, calendar: WorkingCalendar, adjustments: list[TriggerAdjusted]) -> None:
        self.calendar = calendar
        self.adjustments = adjustments
        ends = [a.until + ONE_DAY for a in adjustments if a.until is not None]
        #: days a threshold can fall with no new absence: an adjustment ends,
        #: or the working pattern (the pro-rata base) changes
        self.change_days = sorted(set(ends + calendar.pattern_starts))

    def on(self, rule: CountingRule, day: date) -> float:
        value = rule.threshold.value(self.calendar.days_per_week(day))
        for adjustment in self.adjustments:
            if adjustment.from_ <= day and (adjustment.until is None or day <= adjustment.until):
                if rule.measure == "working_days_lost":
                    value = value * (adjustment.days_multiplier or 1) + (adjustment.extra_days or 0)
                elif rule.measure != "patterns":
                    value += adjustment.extra_episodes or 0
        return value


class Counter:
    """Counts each measure over windows, and knows the days a count can rise."""

    def __init__(self, episodes: list[Episode], patterns: list[date], starts: list[date]) -> None:
        self.episodes = sorted(episodes, key=lambda e: e.first_day)
        self.first_days = [e.first_day for e in self.episodes]
        self.uncertified = [e for e in self.episodes if not e.certified]
        self.uncertified_days = [e.first_day for e in self.uncertified]
        self.patterns = sorted(patterns)
        self.lost_days = sorted(day for e in self.episodes for day in e.lost_days)
        #: employment start, transfers and promotions (soj-ma-1.5 8.2.1)
        self.starts = sorted(starts)

    def _rises(self, measure: str) -> list[date]:
        return self._rising[measure]

    @cached_property
    def _rising(self) -> dict[str, list[date]]:
        """The days each measure's count rises on."""
        return {"episodes": self.first_days, "new_starter_episodes": self.first_days,
                "uncertificated_episodes": self.uncertified_days, "patterns": self.patterns,
                "working_days_lost": self.lost_days}

    def candidates(self, measure: str, low: date, high: date, also: list[date]) -> list[date]:
        """The days within [low, high] on which a rule on `measure` can first
        be met: when the count rises, or on one of the days in `also`."""
        source = self._rises(measure)
        days = source[bisect_left(source, low):bisect_right(source, high)]
        return sorted(set(days).union(d for d in also if low <= d <= high))

    def rises(self, measure: str, after: date, through: date) -> int:
        """How many times the count can rise after one day through another:
        by one for each day of `measure` (a day lost, an episode begun, ...) between."""
        source = self._rises(measure)
        return bisect_right(source, through) - bisect_right(source, after)

    def episode_on(self, day: date) -> Episode | None:
        """The episode under way on `day` (its first day up to its last)."""
        index = bisect_right(self.first_days, day)
        if not index:
            return None
        episode = self.episodes[index - 1]
        last = episode.absences[-1].last_day
        return episode if last is None or day <= last else None

    def start_before(self, day: date) -> date:
        index = bisect_right(self.starts, day)
        return self.starts[index - 1] if index else date.min

    def tally(self, measure: str, start: date, end: date) -> int:
        """The count alone: all a day that may not meet its threshold needs."""
        if measure == "patterns":
            return bisect_right(self.patterns, end) - bisect_left(self.patterns, start)
        episodes = self._started(measure, start, end)
        if measure == "working_days_lost":
            return sum(e.lost_between(start, end) for e in episodes)
        return len(episodes)

    def count(self, measure: str, start: date, end: date) -> tuple[int, tuple[str, ...]]:
        """The count and the absences counted."""
        if measure == "patterns":
            return self.tally(measure, start, end), ()
        ids = tuple(i for e in self._started(measure, start, end) for i in e.absence_ids)
        return self.tally(measure, start, end), ids

    def _started(self, measure: str, start: date, end: date) -> list[Episode]:
        pool, days = ((self.uncertified, self.uncertified_days) if measure == "uncertificated_episodes"
                      else (self.episodes, self.first_days))
        return pool[bisect_left(days, start):bisect_right(days, end)]


def first_firing(rule: CountingRule, counter: Counter, thresholds: Thresholds,
                 low: date, high: date, window_start: WindowStart) -> Firing:
    """The rule evaluated over [low, high]: its first day met, or, when it is
    never met, the count on `high` (what an explanation shows)."""
    # `low` too: a count may already stand at its threshold when counting resumes.
    also = thresholds.change_days + ([low] if low > date.min else [])
    counted_on: date | None = None
    counted = 0.0
    for day in counter.candidates(rule.measure, low, high, also):
        threshold = thresholds.on(rule, day)
        # A window's start never moves back, so the count can have risen since
        # the last day counted by no more than the rises in between: when even
        # that falls short, the day is not met and need not be counted.
        if counted_on is not None and counted + counter.rises(rule.measure, counted_on, day) < threshold:
            continue
        counted_on, counted = day, _tally(rule, counter, day, window_start)
        if counted >= threshold:  # only the day met gets a Firing
            return _evaluate(rule, counter, thresholds, day, window_start)
    return replace(_evaluate(rule, counter, thresholds, max(low, high), window_start), fired_on=None)


def _window_start(rule: CountingRule, counter: Counter, day: date, window_start: WindowStart) -> date:
    start = window_start(day)
    if rule.measure == "new_starter_episodes":
        # Only within `months` of starting, transferring or being promoted.
        began = counter.start_before(day)
        start = max(start, began) if day < add_months(began, rule.months) else day + ONE_DAY
    return start


def _tally(rule: CountingRule, counter: Counter, day: date, window_start: WindowStart) -> float:
    start = _window_start(rule, counter, day, window_start)
    return counter.tally(rule.measure, start, day) if start <= day else 0


def _evaluate(rule: CountingRule, counter: Counter, thresholds: Thresholds, day: date,
              window_start: WindowStart) -> Firing:
    start = _window_start(rule, counter, day, window_start)
    counted, ids = counter.count(rule.measure, start, day) if start <= day else (0, ())
    threshold = thresholds.on(rule, day)
    met = day if counted >= threshold else None
    return Firing(rule.id, rule.citation, met, counted, threshold, min(start, day), day, ids)


@dataclass
class ShortTermTrack:
    """Short-term levels 0-3: rolling triggers at level 0; after a review,
    the next stage's triggers within its monitoring period (W22 11.1.1;
    soj-ma-1.5 8.2-8.5)."""

    rulebook: Rulebook
    counter: Counter
    thresholds: Thresholds
    level: int = 0
    count_from: date = date.min
    monitoring_start: date | None = None
    monitoring_until: date | None = None
    segment_start: date = date.min
    due: ReviewDue | None = None
    closed: bool = False
    #: when the current case began: the first trigger or review taking the
    #: employee off level 0 (a "new case" for policy transitions, SPEC 6)
    case_start: date | None = None

    def next_stage(self) -> ShortTermStage | None:
        stages = self.rulebook.short_term.stages
        return self.rulebook.short_term_stage[min(self.level + 1, len(stages))] if stages else None

    def rule_windows(self, horizon: date) -> Iterator[tuple[CountingRule, date, date, WindowStart]]:
        """Each rule of the next stage with the days it may fire on, up to
        `horizon`, and the start of the window ending on a given day."""
        stage = self.next_stage()
        if stage is None:
            return
        if self.monitoring_start is None:
            low = max(self.segment_start, self.count_from)
            for rule in stage.rules:
                yield rule, low, horizon, self._rolling_start(rule.months)
            return
        assert self.monitoring_until is not None
        start = self.monitoring_start
        low, high = max(self.segment_start, start), min(horizon, self.monitoring_until - ONE_DAY)
        for rule in stage.rules:
            if stage.counting == "monitoring":
                yield rule, low, min(high, add_months(start, rule.months) - ONE_DAY), lambda _day: start
            else:
                yield rule, low, high, self._rolling_start(rule.months)

    def evaluate_rules(self, horizon: date) -> list[Firing]:
        return [first_firing(rule, self.counter, self.thresholds, low, high, window_start)
                for rule, low, high, window_start in self.rule_windows(horizon)]

    def advance(self, horizon: date) -> None:
        """Look for the next stage's trigger up to `horizon` (inclusive)."""
        while self.due is None and not self.closed:
            stage = self.next_stage()
            if stage is None:
                return
            self.due = _first_review(self.evaluate_rules(horizon), stage.stage, "short_term")
            if self.due is not None and self.level == 0:
                self.case_start = self.due.triggered_on
            if self.due is not None or self.monitoring_until is None or horizon < self.monitoring_until:
                return
            # The monitoring period ended without a trigger: out of monitoring (W22 11.1).
            self.level = 0
            self.case_start = None
            self.segment_start = self.monitoring_until
            self.monitoring_start = self.monitoring_until = None

    def _rolling_start(self, months: int) -> WindowStart:
        return lambda day: max(add_months(day, -months) + ONE_DAY, self.count_from)

    def _monitor(self, start: date, months: int | None) -> None:
        self.monitoring_start = start
        self.monitoring_until = add_months(start, months or self.rulebook.short_term.monitoring_months)

    def default_monitoring_start(self, meeting: MeetingHeld) -> date:
        """W22 11.3: the first day back after the episode that triggered the
        review; the meeting date when the trigger was a pattern, when nothing
        triggered it, when the employee has not returned, or when the
        rulebook starts monitoring at the meeting (soj-ma-1.5 8.4.5)."""
        due = self.due
        if self.rulebook.short_term.monitoring_starts == "meeting_date" or due is None:
            return meeting.date
        patterns = {r.id for s in self.rulebook.short_term.stages for r in s.rules if r.measure == "patterns"}
        if due.rules[0].rule in patterns:
            return meeting.date
        episode = self.counter.episode_on(due.triggered_on)
        last = episode.absences[-1].last_day if episode else None
        if last is None or last + ONE_DAY > meeting.date:
            return meeting.date
        return last + ONE_DAY

    def hold(self, meeting: MeetingHeld, stage: int, escalation_citation: str) -> None:
        start = meeting.monitoring_start or self.default_monitoring_start(meeting)
        self.due = None
        self.segment_start = meeting.date
        self.count_from = start
        if meeting.outcome == "no_further_action":
            if self.level > 0:
                self._monitor(start, meeting.monitoring_months)
            return
        self.case_start = self.case_start or meeting.date
        self.level = stage
        self._monitor(start, meeting.monitoring_months)
        if meeting.outcome in ("dismissal", "ill_health_retirement"):
            self.closed = True
        elif meeting.outcome == "escalate" and stage < 3:
            self.due = _escalated(stage, "short_term", meeting, escalation_citation)

    def transfer(self, assignment: PolicyAssigned, level: int) -> None:
        """Carried over to this policy at `level` (SPEC 6): its monitoring
        starts afresh on the transition day, so new thresholds never reach
        back to absences managed under the old policy."""
        self.due = None
        self.level = level
        self.segment_start = self.count_from = assignment.effective
        if level > 0:
            self.case_start = self.case_start or assignment.effective
            self._monitor(assignment.effective, None)
        else:
            self.case_start = self.monitoring_start = self.monitoring_until = None


def _escalated(stage: int, track: str, meeting: MeetingHeld, citation: str,
               absence_id: str | None = None) -> ReviewDue:
    absences = (absence_id,) if absence_id else ()
    firing = Firing("escalated-by-review", citation, meeting.date, 1, 1, meeting.date, meeting.date, absences)
    return ReviewDue(stage + 1, track, meeting.date, (firing,))


@dataclass
class LongTermTrack:
    """Reviews as one continuous absence lasts (W22 11.1.2: 4, 8 and 20 weeks;
    soj-ma-1.5 9.1.1: over 20 working days), progressive, resumed after a
    return within the resume window (W22 11.3)."""

    rulebook: Rulebook
    absences: list[Absence]  # trigger-eligible, by first day
    calendar: WorkingCalendar
    as_of: date
    levels: dict[str, int] = field(default_factory=dict)
    last_review: dict[str, date] = field(default_factory=dict)
    due: ReviewDue | None = None
    closed: bool = False
    case_start: date | None = None
    _became: dict[str, date | None] = field(default_factory=dict, repr=False, compare=False)

    def became_long_term(self, absence: Absence) -> date | None:
        # asked of each absence by the tracks, the casework and the meetings: worked out once
        if absence.absence_id not in self._became:
            threshold = threshold_day(absence.first_day, self.rulebook.episodes.long_term_after, self.calendar)
            self._became[absence.absence_id] = reaches_day(absence, threshold, self.as_of)
        return self._became[absence.absence_id]

    def absence_on(self, day: date) -> Absence | None:
        """The absence a long-term review held on `day` is about."""
        started = [a for a in self.absences if a.first_day <= day]
        return started[-1] if started else None

    def level_of(self, absence: Absence) -> int:
        if absence.absence_id in self.levels:
            return self.levels[absence.absence_id]
        return self._resumed_level(absence)

    def _resumed_level(self, absence: Absence) -> int:
        earlier = [a for a in self.absences if a.first_day < absence.first_day]
        if not earlier:
            return 0
        previous, months = earlier[-1], self.rulebook.long_term.resume_within_months
        if months is None or previous.last_day is None or self.became_long_term(previous) is None:
            return 0
        returned = previous.last_day + ONE_DAY
        window = add_months(returned, months)
        return self.level_of(previous) if absence.first_day <= window else 0

    def _lapsed(self, absence: Absence, horizon: date) -> bool:
        """A long-term review not held by the day after the employee's return
        lapses: back at work, they revert to the short-term track (W22 11.3);
        the stage reached still counts for the resume rule."""
        return absence.last_day is not None and absence.last_day + ONE_DAY < horizon

    def _absence(self, due: ReviewDue) -> Absence:
        absence_id = due.rules[0].absences[0]
        return next(a for a in self.absences if a.absence_id == absence_id)

    def next_firing(self, absence: Absence, horizon: date) -> tuple[int, Firing] | None:
        """The absence's next stage evaluated up to `horizon`."""
        stage_no = self.level_of(absence) + 1
        if stage_no not in self.rulebook.long_term_stage:
            return None
        stage = self.rulebook.long_term_stage[stage_no]
        threshold = threshold_day(absence.first_day, stage.after, self.calendar)
        reached = reaches_day(absence, threshold, min(horizon, self.as_of))
        triggered = max(reached, self.last_review.get(absence.absence_id, date.min)) if reached else None
        if triggered is not None and triggered > horizon:
            triggered = None
        # Counted: calendar days absent, or expected to be by the fit notes
        # received, on the day the review became due (or on `horizon`).
        seen_on = triggered or horizon
        expected = [absence.last_day_by(seen_on)] + [
            n.covers_to for n in absence.fit_notes if n.received_on <= seen_on
        ]
        days = (max(expected) - absence.first_day).days + 1
        firing = Firing(f"long-term-stage{stage_no}", stage.citation, triggered, days,
                        (threshold - absence.first_day).days + 1, absence.first_day, max(expected),
                        (absence.absence_id,))
        return stage_no, firing

    def advance(self, horizon: date) -> None:
        if self.due is not None and self._lapsed(self._absence(self.due), horizon):
            self.due = None
        if self.due is not None or self.closed:
            return
        candidates = []
        for absence in self.absences:
            if absence.first_day > horizon:
                break
            if self._lapsed(absence, horizon):
                continue
            evaluated = self.next_firing(absence, horizon)
            if evaluated is not None and (fired_on := evaluated[1].fired_on) is not None:
                stage_no, firing = evaluated
                candidates.append(ReviewDue(stage_no, "long_term", fired_on, (firing,)))
        if candidates:
            self.due = min(candidates, key=lambda r: r.triggered_on)
            if self.due.stage == 1:
                self.case_start = self.due.triggered_on

    def hold(self, meeting: MeetingHeld, stage: int, escalation_citation: str) -> None:
        absence = self.absence_on(meeting.date)
        self.due = None
        if absence is None:
            return
        level = self.level_of(absence)
        if meeting.outcome != "no_further_action":
            level = stage
            self.case_start = self.case_start or meeting.date
        self.levels[absence.absence_id] = level
        self.last_review[absence.absence_id] = meeting.date
        if meeting.outcome in ("dismissal", "ill_health_retirement"):
            self.closed = True
        elif meeting.outcome == "escalate" and stage < 3:
            self.due = _escalated(stage, "long_term", meeting, escalation_citation, absence.absence_id)

    def transfer(self, assignment: PolicyAssigned, level: int) -> None:
        absence = self.absence_on(assignment.effective)
        self.due = None
        if absence is not None and absence.ongoing_on(assignment.effective):
            self.levels[absence.absence_id] = level
            self.last_review[absence.absence_id] = assignment.effective

    def current(self) -> tuple[int, Absence | None]:
        """The long-term level on `as_of`: that of the ongoing absence, else 0
        (on return the employee reverts to the short-term track, W22 11.3)."""
        ongoing = [a for a in self.absences if a.ongoing_on(self.as_of)]
        if not ongoing:
            return 0, None
        return self.level_of(ongoing[-1]), ongoing[-1]


@dataclass(frozen=True)
class TrackStatus:
    short_term: ShortTermTrack
    long_term: LongTermTrack
    counter: Counter
    as_of: date

    @property
    def reviews_due(self) -> list[ReviewDue]:
        due = [d for d in (self.short_term.due, self.long_term.due) if d is not None]
        return sorted(due, key=lambda d: (d.triggered_on, d.track))

    @property
    def counts_12m(self) -> tuple[int, int]:
        """Working days lost and episodes in the rolling 12 months (SPEC 8)."""
        year_start = add_months(self.as_of, -12) + ONE_DAY
        return (self.counter.count("working_days_lost", year_start, self.as_of)[0],
                self.counter.count("episodes", year_start, self.as_of)[0])


def _meeting_track(meeting: MeetingHeld, stage: int, short: ShortTermTrack, long: LongTermTrack) -> str:
    """A review's track when the meeting does not say: the track of the
    review that was due (SPEC 3, MeetingHeld), else the long-term track while
    a long-term absence is ongoing."""
    if meeting.track is not None:
        return meeting.track
    due = [d for d in (long.due, short.due) if d is not None]
    if due:
        matching = [d for d in due if d.stage == stage] or due
        return min(matching, key=lambda d: d.triggered_on).track
    absence = long.absence_on(meeting.date)
    if absence is not None and absence.ongoing_on(meeting.date):
        became = long.became_long_term(absence)
        if became is not None and became <= meeting.date:
            return "long_term"
    return "short_term"


def _starts(view: EmployeeView) -> list[date]:
    registration: EmployeeRegistered = view.registration
    return [registration.starts] + [r.effective for r in view.of_type(RoleChanged)]


def evaluate_tracks(view: EmployeeView, rulebook: Rulebook) -> TrackStatus:
    as_of = view.as_of
    eligible = [a for a in view.absences if not a.excluded_from_triggers]
    long = LongTermTrack(rulebook, eligible, view.calendar, as_of)
    short_term_absences = [a for a in eligible if long.became_long_term(a) is None]
    episodes = link(short_term_absences, rulebook.episodes.link_same_reason_within_days,
                    view.calendar, as_of)
    patterns = [p.date for p in view.of_type(PatternOfAbsenceIdentified)]
    counter = Counter(episodes, patterns, _starts(view))
    short = ShortTermTrack(rulebook, counter, Thresholds(view.calendar, view.of_type(TriggerAdjusted)))

    # Reviews held, and transitions into this rulebook, in date order. A
    # review overturned on appeal has no effect: the level before it stands
    # (SPEC 11).
    overturned = {d.against for d in view.of_type(AppealDecided) if d.outcome == "overturned"}
    changes: list[tuple[date, MeetingHeld | PolicyAssigned]] = [
        (m.date, m) for m in view.of_type(MeetingHeld)
        if m.kind in STAGE_OF_REVIEW and (m.meeting_id is None or m.meeting_id not in overturned)
    ] + [(p.effective, p) for p in view.of_type(PolicyAssigned) if p.policy == rulebook.id and p.level_mapping]
    for day, change in sorted(changes, key=lambda c: c[0]):
        short.advance(day)
        long.advance(day)
        if isinstance(change, PolicyAssigned):
            mapping = change.level_mapping or {}
            if "short_term" in mapping:
                short.transfer(change, mapping["short_term"])
            if "long_term" in mapping:
                long.transfer(change, mapping["long_term"])
            continue
        stage = STAGE_OF_REVIEW[change.kind]
        track = short if _meeting_track(change, stage, short, long) == "short_term" else long
        track.hold(change, stage, rulebook.escalation_citation)
    short.advance(as_of)
    long.advance(as_of)
    return TrackStatus(short, long, counter, as_of)


def concerns(status: TrackStatus, rulebook: Rulebook) -> list[Firing]:
    """The rulebook's information-only counts on `as_of` (never a review)."""
    counter, as_of = status.counter, status.as_of
    return [
        _evaluate(rule, counter, status.short_term.thresholds, as_of,
                  lambda day, months=rule.months: add_months(day, -months) + ONE_DAY)  # type: ignore[misc]
        for rule in rulebook.concerns
    ]
