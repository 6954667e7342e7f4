"""Episodes for trigger purposes (SPEC section 4).

An absence becomes long-term on its 29th calendar day, or earlier when a
fit note received says it is expected to last that long. Short-term counts use
only absences that never became long-term; same-reason absences starting
within the link interval of the previous one's last day count as one episode,
their working days adding up.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from itertools import chain

from domain.calendar import WorkingCalendar
from domain.history import Absence
from domain.rulebook import Duration


def threshold_day(first_day: date, duration: Duration, calendar: WorkingCalendar) -> date:
    """The first day on which an absence from `first_day` has lasted longer
    than `duration`: day N+1, or the (N+1)th working day of the absence."""
    if duration.days is not None:
        return first_day + timedelta(days=duration.days)
    assert duration.working_days is not None  # exactly one is set (Duration)
    return calendar.add_working_days(first_day - timedelta(days=1), duration.working_days + 1)


def reaches_day(absence: Absence, threshold: date, as_of: date) -> date | None:
    """When, as known on `as_of`, the absence was seen to reach `threshold`:
    the day itself if the employee was still absent then, or the receipt of a
    fit note covering it, whichever is earlier (W22 11.1.2 "exceeds or is
    expected to exceed")."""
    dates = []
    if threshold <= absence.last_day_by(as_of) and threshold <= as_of:
        dates.append(threshold)
    for note in absence.fit_notes:
        received_while_absent = absence.last_day is None or note.received_on <= absence.last_day
        if note.covers_to >= threshold and note.received_on <= as_of and received_while_absent:
            dates.append(max(note.received_on, absence.first_day))
    return min(dates, default=None)


@dataclass(frozen=True)
class Episode:
    """One or more linked absences counted as a single episode."""

    absences: tuple[Absence, ...]
    lost_days: tuple[date, ...]  # working days lost, up to as_of, in order

    @property
    def first_day(self) -> date:
        return self.absences[0].first_day

    @property
    def certified(self) -> bool:
        """Covered by a fit note (soj-ma-1.5 7.5: a medical certificate)."""
        return any(a.fit_notes for a in self.absences)

    @cached_property  # counted windows name an episode's absences many times
    def absence_ids(self) -> tuple[str, ...]:
        return tuple(a.absence_id for a in self.absences)

    def lost_between(self, start: date, end: date) -> int:
        days = self._lost_in_order
        return bisect_right(days, end) - bisect_left(days, start)

    @cached_property
    def _lost_in_order(self) -> list[date]:
        """The lost days sorted, counted by bisection: trigger windows ask many times."""
        return sorted(self.lost_days)


def link(absences: Iterable[Absence], within_days: int | None, calendar: WorkingCalendar,
         as_of: date) -> list[Episode]:
    """Group absences (started by `as_of`) into episodes, linking a same-reason
    absence that starts within `within_days` of the previous one's last day."""
    groups: list[list[Absence]] = []
    for absence in sorted(absences, key=lambda a: a.first_day):
        if absence.first_day > as_of:
            continue
        previous = groups[-1][-1] if groups else None
        if (within_days is not None and previous is not None and previous.reason is not None
                and previous.reason == absence.reason
                and absence.first_day <= previous.last_day_by(as_of) + timedelta(days=within_days)):
            groups[-1].append(absence)
        else:
            groups.append([absence])
    return [
        Episode(tuple(group), tuple(chain.from_iterable(
            calendar.working_days(a.first_day, a.last_day_by(as_of)) for a in group
        )))
        for group in groups
    ]
