"""The employee timeline: absences, fit notes, meetings, monitoring windows
and stage changes on one time axis, drawn as inline SVG on the server (no
script needed, so it prints and works with no network).

This module only places items: what counts as a monitoring window or a stage
change is the evaluator's answer, handed in by the caller; the items read
straight from the record (absences, fit notes, meetings) come from the view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.events import MeetingHeld
from domain.history import Absence
from domain.reasons import GROUP_OF, REASONS
from domain.rulebook import STAGE_OF_REVIEW
from projections.status import Status

#: the lanes, top to bottom
LANES = ("Absences", "Fit notes", "Meetings", "Monitoring", "Stage changes")
WIDTH, LANE_HEIGHT, LABEL_WIDTH, AXIS_HEIGHT = 900, 34, 120, 28


@dataclass(frozen=True)
class Item:
    """One thing on the timeline: a span (`end` set) or a day mark."""

    lane: str
    start: date
    end: date | None
    label: str
    kind: str  # the CSS modifier: absence, absence-open, fit-note, meeting, monitoring, stage

    @property
    def when(self) -> str:
        if self.end is None or self.end == self.start:
            return self.start.isoformat()
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def reason_label(code: str | None, full_reason: bool) -> str:
    """What a reader may see of an absence's reason: managers see its group only."""
    if code is None:
        return "sickness (from annual leave)"
    if full_reason:
        return f"{code} {REASONS[code]}"
    return GROUP_OF[code].replace("_", " ")


def absence_items(absences: Iterable[Absence], as_of: date, full_reason: bool) -> list[Item]:
    items = []
    for absence in absences:
        ongoing = absence.last_day is None or absence.last_day > as_of
        items.append(Item("Absences", absence.first_day, absence.last_day_by(as_of),
                          f"{'ongoing ' if ongoing else ''}absence: {reason_label(absence.reason, full_reason)}",
                          "absence-open" if ongoing else "absence"))
        items.extend(Item("Fit notes", note.covers_from, note.covers_to,
                          "fit note" + (" (may be fit)" if note.may_be_fit else ""), "fit-note")
                     for note in absence.fit_notes)
    return items


def meeting_items(meetings: Iterable[MeetingHeld]) -> list[Item]:
    return [Item("Meetings", m.date, None, f"{m.kind.replace('_', ' ')}: {m.outcome.replace('_', ' ')}", "meeting")
            for m in meetings]


@dataclass(frozen=True)
class Placed:
    item: Item
    x: float
    y: float
    width: float  # 0 for a mark


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class TimelineChart:
    """A chart ready to draw: every coordinate computed, nothing for the template to work out."""

    title: str
    start: date
    end: date
    placed: tuple[Placed, ...]
    ticks: tuple[Tick, ...]
    today_x: float | None
    lanes: tuple[tuple[str, float], ...]  # (label, y of its middle)
    width: int = WIDTH

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + LANE_HEIGHT * len(LANES)

    @property
    def items(self) -> list[Item]:
        """The same items in date order: the chart's text alternative."""
        return sorted((p.item for p in self.placed), key=lambda i: (i.start, LANES.index(i.lane)))


def _months(start: date, end: date) -> list[date]:
    month = date(start.year, start.month, 1)
    if month < start:
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    firsts = []
    while month <= end:
        firsts.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return firsts


def chart(title: str, items: Sequence[Item], start: date, end: date, today: date | None = None) -> TimelineChart:
    """Place `items` between `start` and `end` (inclusive); items outside are
    clipped to the range, items wholly outside it left out."""
    if end < start:
        raise ValueError("the timeline must not end before it starts")
    days = (end - start).days + 1
    scale = (WIDTH - LABEL_WIDTH) / days

    def x_of(day: date) -> float:
        return round(LABEL_WIDTH + (day - start).days * scale, 1)

    placed = []
    for item in items:
        last = item.end or item.start
        if last < start or item.start > end:
            continue
        first, last = max(item.start, start), min(last, end)
        y = AXIS_HEIGHT + LANE_HEIGHT * LANES.index(item.lane) + 8
        width = round(((last - first).days + 1) * scale, 1) if item.end is not None else 0
        placed.append(Placed(item, x_of(first), y, max(width, 2) if item.end is not None else 0))
    # at most about twelve labelled ticks, whatever the range
    months = _months(start, end)
    step = max(1, len(months) // 12 + (len(months) % 12 > 0))
    ticks = tuple(Tick(x_of(m), m.strftime("%b %Y")) for m in months[::step])
    lanes = tuple((lane, AXIS_HEIGHT + LANE_HEIGHT * i + LANE_HEIGHT / 2) for i, lane in enumerate(LANES))
    today_x = x_of(today) if today and start <= today <= end else None
    return TimelineChart(title, start, end, tuple(placed), ticks, today_x, lanes)


def last_year(as_of: date) -> tuple[date, date]:
    """The default range: the rolling year the triggers count, to as_of."""
    return as_of - timedelta(days=364), as_of


def monitoring_items(status: Status) -> list[Item]:
    """The short-term monitoring window the evaluator set, if any."""
    short = status.short_term
    if short.monitoring_start is None:
        return []
    return [Item("Monitoring", short.monitoring_start, short.monitoring_until or status.as_of,
                 f"monitoring period (short-term track, level {short.level})", "monitoring")]


def stage_items(status: Status, meetings: Iterable[MeetingHeld]) -> list[Item]:
    """Reviews held (a stage reached) and reviews now due (a stage triggered)."""
    held = [Item("Stage changes", m.date, None,
                 f"stage {STAGE_OF_REVIEW[m.kind]} {m.kind.replace('_', ' ')} held: {m.outcome.replace('_', ' ')}",
                 "stage") for m in meetings if m.kind in STAGE_OF_REVIEW]
    due = [Item("Stage changes", r.triggered_on, None,
                f"stage {r.stage} {r.kind.replace('_', ' ')} due ({r.track.replace('_', '-')} track)", "stage")
           for r in status.reviews_due]
    return held + due
