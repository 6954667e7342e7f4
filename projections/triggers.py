"""The trigger engine: which review is due on each track, and why.

A pure function of the employee's view (events known at `known_at`, in
effect by `as_of`) and a rulebook. The two tracks of W22 11.1 are simulated
through time: between review meetings each track looks for the first day a
rule of its next stage fires; a review held moves the track's level and
restarts its counting (SPEC 5.1).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.calendar import WorkingCalendar, add_months
from domain.events import MeetingHeld, PatternOfAbsenceIdentified, TriggerAdjusted
from domain.history import Absence
from domain.rulebook import STAGE_OF_REVIEW, CountingRule, Rulebook, ShortTermStage
from projections.episodes import Episode, link, reaches_day
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
REVIEW_OF_STAGE = {stage: kind for kind, stage in STAGE_OF_REVIEW.items()}


@dataclass(frozen=True)
class Firing:
    """A rule met: what it counted, against which threshold, over which window."""

    rule: str
    citation: str
    fired_on: date
    counted: float
    threshold: float
    window_from: date
    window_to: date
    absences: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "citation": self.citation,
            "counted": _number(self.counted), "threshold": _number(self.threshold),
            "fired_on": self.fired_on.isoformat(),
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
    if not firings:
        return None
    firings.sort(key=lambda f: (f.fired_on, f.rule))
    return ReviewDue(stage, track, firings[0].fired_on, tuple(firings))


class Thresholds:
    """Rule thresholds on a given day: pro rata to the days worked that week,
    raised by any `TriggerAdjusted` in force (SPEC 5.1)."""

    def __init__(self, calendar: WorkingCalendar, adjustments: list[TriggerAdjusted]) -> None:
        self.calendar = calendar
        self.adjustments = adjustments

    def on(self, rule: CountingRule, day: date) -> float:
        value = rule.threshold.value(self.calendar.days_per_week(day))
        for adjustment in self.adjustments:
            if adjustment.from_ <= day and (adjustment.until is None or day <= adjustment.until):
                if rule.measure == "working_days_lost":
                    value = value * (adjustment.days_multiplier or 1) + (adjustment.extra_days or 0)
                elif rule.measure == "episodes":
                    value += adjustment.extra_episodes or 0
        return value

    def change_days(self) -> list[date]:
        """Days a threshold can fall with no new absence: an adjustment ends,
        or the working pattern (the pro-rata base) changes."""
        ends = [a.until + ONE_DAY for a in self.adjustments if a.until is not None]
        return sorted(set(ends + self.calendar.pattern_starts))


class Counter:
    """Counts one measure over windows, for the days a count can change."""

    def __init__(self, episodes: list[Episode], patterns: list[date]) -> None:
        self.episodes = sorted(episodes, key=lambda e: e.first_day)
        self.starts = [e.first_day for e in self.episodes]
        self.patterns = sorted(patterns)
        self.lost_days = sorted(day for e in self.episodes for day in e.lost_days)

    def candidates(self, measure: str, low: date, high: date, also: list[date]) -> list[date]:
        """The days within [low, high] on which a rule on `measure` can first
        be met: when the count rises, or on one of the days in `also`."""
        source = {"episodes": self.starts, "patterns": self.patterns,
                  "working_days_lost": self.lost_days}[measure]
        days = source[bisect_left(source, low):bisect_right(source, high)]
        return sorted(set(days).union(d for d in also if low <= d <= high))

    def in_window(self, start: date, end: date) -> list[Episode]:
        """Episodes counted in a window: those whose first day falls in it."""
        return self.episodes[bisect_left(self.starts, start):bisect_right(self.starts, end)]

    def count(self, measure: str, start: date, end: date) -> tuple[int, tuple[str, ...]]:
        if measure == "patterns":
            return bisect_right(self.patterns, end) - bisect_left(self.patterns, start), ()
        episodes = self.in_window(start, end)
        ids = tuple(i for e in episodes for i in e.absence_ids)
        if measure == "episodes":
            return len(episodes), ids
        return sum(e.lost_between(start, end) for e in episodes), ids


def first_firing(rule: CountingRule, counter: Counter, thresholds: Thresholds,
                 low: date, high: date, window_start) -> Firing | None:
    """The first day in [low, high] on which `rule` is met, where
    `window_start(day)` is the first day of the window ending that day."""
    for day in counter.candidates(rule.measure, low, high, thresholds.change_days()):
        start = window_start(day)
        counted, ids = counter.count(rule.measure, start, day)
        threshold = thresholds.on(rule, day)
        if counted >= threshold:
            return Firing(rule.id, rule.citation, day, counted, threshold, start, day, ids)
    return None


@dataclass
class ShortTermTrack:
    """W22 11.1.1: levels 0-3, rolling triggers at level 0, monitoring after a review."""

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

    def _stage(self) -> ShortTermStage:
        return self.rulebook.short_term_stage[min(self.level + 1, len(self.rulebook.short_term.stages))]

    def advance(self, horizon: date) -> None:
        """Look for the next stage's trigger up to `horizon` (inclusive)."""
        while self.due is None and not self.closed:
            stage = self._stage()
            if stage.counting == "rolling" or self.monitoring_start is None:
                low = max(self.segment_start, self.count_from)
                firings = [
                    f for rule in stage.rules
                    if (f := first_firing(rule, self.counter, self.thresholds, low, horizon,
                                          self._rolling_start(rule.months)))
                ]
                self.due = _first_review(firings, stage.stage, "short_term")
                return
            assert self.monitoring_until is not None
            start = self.monitoring_start
            low = max(self.segment_start, start)
            last_monitored = self.monitoring_until - ONE_DAY
            firings = [
                f for rule in stage.rules
                if (f := first_firing(rule, self.counter, self.thresholds, low,
                                      min(horizon, last_monitored, add_months(start, rule.months) - ONE_DAY),
                                      lambda _day: start))
            ]
            self.due = _first_review(firings, stage.stage, "short_term")
            if self.due is not None or horizon < self.monitoring_until:
                return
            # 12 months in monitoring without a trigger: out of monitoring (W22 11.1).
            self.level = 0
            self.segment_start = self.monitoring_until
            self.monitoring_start = self.monitoring_until = None

    def _rolling_start(self, months: int):
        return lambda day: max(add_months(day, -months) + ONE_DAY, self.count_from)

    def hold(self, meeting: MeetingHeld, stage: int, escalation_citation: str) -> None:
        start = meeting.monitoring_start or meeting.date
        months = meeting.monitoring_months or self.rulebook.short_term.monitoring_months
        self.due = None
        self.segment_start = meeting.date
        self.count_from = start
        if meeting.outcome == "no_further_action":
            if self.level > 0:
                self.monitoring_start, self.monitoring_until = start, add_months(start, months)
            return
        self.level = stage
        self.monitoring_start, self.monitoring_until = start, add_months(start, months)
        if meeting.outcome in ("dismissal", "ill_health_retirement"):
            self.closed = True
        elif meeting.outcome == "escalate" and stage < 3:
            self.due = _escalated(stage, "short_term", meeting, escalation_citation)


def _escalated(stage: int, track: str, meeting: MeetingHeld, citation: str,
               absence_id: str | None = None) -> ReviewDue:
    absences = (absence_id,) if absence_id else ()
    firing = Firing("escalated-by-review", citation, meeting.date, 1, 1, meeting.date, meeting.date, absences)
    return ReviewDue(stage + 1, track, meeting.date, (firing,))


@dataclass
class LongTermTrack:
    """W22 11.1.2: reviews at 4, 8 and 20 weeks of one continuous absence,
    progressive, resumed after a return within 3 months (11.3)."""

    rulebook: Rulebook
    absences: list[Absence]  # trigger-eligible, by first day
    as_of: date
    levels: dict[str, int] = field(default_factory=dict)
    last_review: dict[str, date] = field(default_factory=dict)
    due: ReviewDue | None = None
    closed: bool = False

    def became_long_term(self, absence: Absence) -> date | None:
        return reaches_day(absence, self.rulebook.episodes.long_term_after_days, self.as_of)

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
        previous = earlier[-1]
        if previous.last_day is None or self.became_long_term(previous) is None:
            return 0
        returned = previous.last_day + ONE_DAY
        window = add_months(returned, self.rulebook.long_term.resume_within_months)
        return self.level_of(previous) if absence.first_day <= window else 0

    def _lapsed(self, absence: Absence, horizon: date) -> bool:
        """A long-term review not held by the day after the employee's return
        lapses: back at work, they revert to the short-term track (W22 11.3);
        the stage reached still counts for the 3-month rule."""
        return absence.last_day is not None and absence.last_day + ONE_DAY < horizon

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
            stage_no = self.level_of(absence) + 1
            if stage_no not in self.rulebook.long_term_stage:
                continue
            stage = self.rulebook.long_term_stage[stage_no]
            reached = reaches_day(absence, stage.after_days, min(horizon, self.as_of))
            if reached is None:
                continue
            triggered = max(reached, self.last_review.get(absence.absence_id, date.min))
            if triggered <= horizon:
                # Counted: calendar days absent, or expected to be by the fit
                # notes received, on the day the review became due.
                expected = [absence.last_day_by(triggered)] + [
                    n.covers_to for n in absence.fit_notes if n.received_on <= triggered
                ]
                days = (max(expected) - absence.first_day).days + 1
                firing = Firing(f"long-term-stage{stage_no}", stage.citation, triggered,
                                days, stage.after_days + 1, absence.first_day, max(expected),
                                (absence.absence_id,))
                candidates.append(ReviewDue(stage_no, "long_term", triggered, (firing,)))
        if candidates:
            self.due = min(candidates, key=lambda r: r.triggered_on)

    def _absence(self, due: ReviewDue) -> Absence:
        absence_id = due.rules[0].absences[0]
        return next(a for a in self.absences if a.absence_id == absence_id)

    def hold(self, meeting: MeetingHeld, stage: int, escalation_citation: str) -> None:
        absence = self.absence_on(meeting.date)
        self.due = None
        if absence is None:
            return
        level = self.level_of(absence)
        if meeting.outcome != "no_further_action":
            level = stage
        self.levels[absence.absence_id] = level
        self.last_review[absence.absence_id] = meeting.date
        if meeting.outcome in ("dismissal", "ill_health_retirement"):
            self.closed = True
        elif meeting.outcome == "escalate" and stage < 3:
            self.due = _escalated(stage, "long_term", meeting, escalation_citation, absence.absence_id)

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
    counter_12m: tuple[int, int]  # working days lost, episodes in the rolling 12 months

    @property
    def reviews_due(self) -> list[ReviewDue]:
        due = [d for d in (self.short_term.due, self.long_term.due) if d is not None]
        return sorted(due, key=lambda d: (d.triggered_on, d.track))


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


def evaluate_tracks(view: EmployeeView, rulebook: Rulebook) -> TrackStatus:
    as_of = view.as_of
    eligible = [a for a in view.absences if not a.excluded_from_triggers]
    long = LongTermTrack(rulebook, eligible, as_of)
    short_term_absences = [a for a in eligible if long.became_long_term(a) is None]
    episodes = link(short_term_absences, rulebook.episodes.link_same_reason_within_days,
                    view.calendar, as_of)
    patterns = [p.date for p in view.of_type(PatternOfAbsenceIdentified)]
    counter = Counter(episodes, patterns)
    thresholds = Thresholds(view.calendar, view.of_type(TriggerAdjusted))
    short = ShortTermTrack(rulebook, counter, thresholds)

    reviews = sorted(
        (m for m in view.of_type(MeetingHeld) if m.kind in STAGE_OF_REVIEW),
        key=lambda m: m.date,
    )
    for meeting in reviews:
        stage = STAGE_OF_REVIEW[meeting.kind]
        short.advance(meeting.date)
        long.advance(meeting.date)
        track = short if _meeting_track(meeting, stage, short, long) == "short_term" else long
        track.hold(meeting, stage, rulebook.escalation_citation)
    short.advance(as_of)
    long.advance(as_of)

    year_start = add_months(as_of, -12) + ONE_DAY
    lost, _ = counter.count("working_days_lost", year_start, as_of)
    count, _ = counter.count("episodes", year_start, as_of)
    return TrackStatus(short, long, (lost, count))
