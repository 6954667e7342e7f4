"""Pattern suggestions (SPEC 11, W22 11.2): candidate patterns of absence
for a manager to consider, each with the absences that show it.

A suggestion is never a trigger: only a manager's
`PatternOfAbsenceIdentified`, recorded after talking it through with the
employee, is. Short absences and part-day absences (W22 6.1: "Repeated part
day absence ... may trigger a review under 'patterns of absence'") count;
absences left out of triggers (pregnancy-related, discounted) do not.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.calendar import add_months
from domain.events import AnnualLeaveBooked, AnnualLeaveCancelled, PartDayAbsenceRecorded, PatternOfAbsenceIdentified
from domain.rulebook import Rulebook
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Occurrence:
    """An absence by its first and last working day lost, or a part day."""

    first_day: date
    last_day: date
    part_day: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(),
                "part_day": self.part_day}


def _occurrences(view: EmployeeView, rulebook: Rulebook, since: date) -> list[Occurrence]:
    settings = rulebook.pattern_suggestions
    assert settings is not None
    found = [Occurrence(p.date, p.date, True) for p in view.of_type(PartDayAbsenceRecorded) if p.date >= since]
    for absence in view.absences:
        if absence.excluded_from_triggers or absence.last_day is None or absence.first_day < since:
            continue
        # By the working days it took: a Friday absence with a return on
        # Monday is next to the weekend.
        lost = view.calendar.working_days(absence.first_day, absence.last_day)
        if lost and len(lost) <= settings.max_working_days:
            found.append(Occurrence(lost[0], lost[-1]))
    return sorted(found, key=lambda o: o.first_day)


def _leave_days(view: EmployeeView) -> set[date]:
    withdrawn = {c.leave_id for c in view.of_type(AnnualLeaveCancelled)}
    days: set[date] = set()
    for booking in view.of_type(AnnualLeaveBooked):
        if booking.leave_id not in withdrawn:
            days |= {booking.from_ + timedelta(days=n) for n in range((booking.to - booking.from_).days + 1)}
    return days


def _beside(occurrence: Occurrence, test) -> bool:
    """The day just before its first working day lost, or just after its
    last, passes `test`."""
    return test(occurrence.first_day - ONE_DAY) or test(occurrence.last_day + ONE_DAY)


def pattern_suggestions(view: EmployeeView, rulebook: Rulebook) -> list[dict[str, Any]]:
    settings = rulebook.pattern_suggestions
    if settings is None:
        return []
    since = add_months(view.as_of, -settings.months) + ONE_DAY
    occurrences = _occurrences(view, rulebook, since)
    calendar, leave = view.calendar, _leave_days(view)
    groups: dict[tuple[str, str], list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        if _beside(occurrence, lambda d: not calendar.works_on(d)):
            groups[("next_to_rest_days", "absences next to rest days or weekends")].append(occurrence)
        if _beside(occurrence, calendar.is_public_holiday):
            groups[("next_to_public_holidays", "absences next to public holidays")].append(occurrence)
        if _beside(occurrence, lambda d: d in leave):
            groups[("next_to_annual_leave", "absences next to annual leave")].append(occurrence)
        weekday = occurrence.first_day.weekday()
        groups[(f"same_weekday_{weekday}", f"absences starting on a {WEEKDAYS[weekday]}")].append(occurrence)
        if occurrence.part_day:
            groups[("part_days", "part-day absences (W22 6.1)")].append(occurrence)
    # A pattern the manager has already recorded since its latest absence is
    # no longer a suggestion: it is in their hands.
    identified = max((p.date for p in view.of_type(PatternOfAbsenceIdentified)), default=date.min)
    return [
        {"pattern": key, "description": description, "occurrences": len(shown),
         "absences": [o.as_dict() for o in shown], "citation": settings.citation,
         "product_choice": settings.product_choice, "is_trigger": False}
        for (key, description), shown in sorted(groups.items())
        if len(shown) >= settings.min_occurrences and shown[-1].last_day > identified
    ]
