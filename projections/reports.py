"""The council's reporting (seed 002, SPEC 10): the top-100 priority cases
and their monthly snapshot, the return-to-work-within-72-hours metric, and a
reproducible sample of open cases for the monthly case audit.

Pure functions of the histories, the rulebooks, the day and `known_at`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from domain.calendar import add_months
from domain.events import Fact
from domain.rulebook import RulebookRegistry
from projections.actions import return_to_work_actions
from projections.attention import NeedsAttention, each_evaluated
from projections.explain import explain_view
from projections.status import Status, evaluate_view
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
DEFAULT_LIMIT = 100


def _evaluated(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date,
               known_at: datetime | None) -> Iterable[tuple[EmployeeView, Status]]:
    """Each employee evaluated; one whose record cannot be is left to the
    worklist's "needs attention" and never stops a report (SPEC 12)."""
    for each in each_evaluated(histories, as_of, known_at, lambda view: evaluate_view(view, registry.get(view.policy))):
        if not isinstance(each, NeedsAttention):
            yield each


def sickness_days_lost(view: EmployeeView) -> tuple[int, int]:
    """Working days lost to sickness in the rolling 12 months ending `as_of`,
    short- and long-term alike (an ongoing absence up to `as_of`), and the
    absences that lost them (SPEC 10). Absences left out of trigger counts
    (pregnancy-related, discounted) are left out here too: the list is of
    cases to manage."""
    start = add_months(view.as_of, -12) + ONE_DAY
    lost = absences = 0
    for absence in view.absences:
        if absence.excluded_from_triggers:
            continue
        days = view.calendar.count_working_days(max(start, absence.first_day), absence.last_day_by(view.as_of))
        lost += days
        absences += days > 0
    return lost, absences


def priority_entry(view: EmployeeView, status: Status) -> dict[str, Any] | None:
    """The employee's line on the priority list, or None when no case is open:
    no level reached, no review due and no long-term absence under way."""
    short, long = status.short_term, status.long_term
    long_term_now = bool(long.current_absence_id) and bool(long.level or any(
        r.track == "long_term" for r in status.reviews_due))
    if not (short.level or long.level or status.reviews_due or long_term_now):
        return None
    lost, absences = sickness_days_lost(view)
    return {"employee_id": view.employee_id, "manager_id": view.manager_id, "department": view.department,
            "policy": status.policy, "sickness_days_lost_12m": lost, "absences_12m": absences,
            "triggers_hit": sum(len(r.rules) for r in status.reviews_due),
            "short_term_level": short.level, "long_term_level": long.level}


def rank(entries: Iterable[dict[str, Any]], limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """By all working days lost, then absences, then triggers hit (SPEC 10)."""
    ordered = sorted(entries, key=lambda e: (-e["sickness_days_lost_12m"], -e["absences_12m"],
                                             -e["triggers_hit"], e["employee_id"]))
    return [{"rank": n, **e} for n, e in enumerate(ordered[:limit], start=1)]


def priority_cases(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date,
                   known_at: datetime | None = None, limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    entries = (priority_entry(view, status) for view, status in _evaluated(histories, registry, as_of, known_at))
    return rank((e for e in entries if e is not None), limit)


def month_end(month: str) -> date:
    """The last day of a `YYYY-MM` month."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValueError(f"--month: expected YYYY-MM, got {month!r}") from None
    return add_months(first, 1) - ONE_DAY


def monthly_snapshot(histories: Callable[[], Iterable[list[Fact]]], registry: RulebookRegistry, month: str,
                     known_at: datetime | None = None, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The list at the end of `month` beside the previous month's: each
    entry new this month or not and its movement (places up, + ; down, -),
    and the cases that left the list (seed 002: "new" top priority cases)."""
    end = month_end(month)
    previous_end = end.replace(day=1) - ONE_DAY
    now = priority_cases(histories(), registry, end, known_at, limit)
    before = {e["employee_id"]: e["rank"] for e in priority_cases(histories(), registry, previous_end, known_at, limit)}
    entries = [{**e, "previous_rank": before.get(e["employee_id"]),
                "new_this_month": e["employee_id"] not in before,
                "movement": before[e["employee_id"]] - e["rank"] if e["employee_id"] in before else None}
               for e in now]
    listed = {e["employee_id"] for e in now}
    return {"month": month, "as_of": end.isoformat(), "previous_as_of": previous_end.isoformat(),
            "entries": entries, "left_the_list": sorted(i for i in before if i not in listed)}


def _periods(day: date) -> tuple[str, str]:
    return day.strftime("%Y-%m"), f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def return_to_work_metric(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date,
                          known_at: datetime | None = None) -> list[dict[str, Any]]:
    """Returns to work and the share whose discussion was held on time (within
    72 hours; one held late does not count, SPEC 11), by month, quarter and
    overall, each by department and by policy (seed 002's metric)."""
    counts: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    discussions = each_evaluated(histories, as_of, known_at,
                                 lambda view: return_to_work_actions(view, registry.get(view.policy)))
    for each in discussions:
        if isinstance(each, NeedsAttention):
            continue
        view, returns = each
        rulebook = registry.get(view.policy)
        for back, action in returns:
            month, quarter = _periods(back)
            on_time = action.done and not action.late
            for period, name in (("month", month), ("quarter", quarter), ("overall", "overall")):
                for dimension, value in (("department", view.department or ""), ("policy", rulebook.id)):
                    tally = counts[(period, name, dimension, value)]
                    tally[0] += 1
                    tally[1] += on_time
    order = {"month": 0, "quarter": 1, "overall": 2}
    return [{"period": period, "name": name, "by": dimension, "value": value, "returns": total,
             "discussed_on_time": on_time, "rate": round(on_time / total, 4)}
            for (period, name, dimension, value), (total, on_time)
            in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1:]))]


def audit_sample(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date, size: int, seed: int,
                 known_at: datetime | None = None) -> dict[str, Any]:
    """A reproducible random sample of open cases, each with its explanation
    (seed 002: "monthly case audits"): the same ledger, day and seed give the
    same sample."""
    open_cases = [(view.employee_id, view, status.rulebook)
                  for view, status in _evaluated(histories, registry, as_of, known_at)
                  if priority_entry(view, status) is not None]
    open_cases.sort(key=lambda c: c[0])
    chosen = random.Random(seed).sample(open_cases, min(size, len(open_cases)))
    return {"as_of": as_of.isoformat(), "seed": seed, "open_cases": len(open_cases),
            "sample": [explain_view(view, rulebook, registry) for _, view, rulebook in sorted(chosen, key=lambda c: c[0])]}
