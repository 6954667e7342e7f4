"""An employee's status: the document of SPEC section 8.

`evaluate` is a pure function of (history, rulebook, as_of, known_at): the
same inputs give the same dictionary, and `to_json` renders it byte for byte
the same, which is what lets an audit be reproduced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from domain.events import Fact
from domain.rulebook import Rulebook, RulebookRegistry
from projections.actions import actions_due
from projections.casework import casework_actions
from projections.episodes import link
from projections.leave import annual_leave
from projections.patterns import pattern_suggestions
from projections.pay import PayCalendar
from projections.triggers import TrackStatus, concerns, evaluate_tracks
from projections.view import EmployeeView

BRADFORD_WEEKS = 52


def bradford_factor(view: EmployeeView, rulebook: Rulebook) -> int:
    """S x S x D over the rolling 52 weeks, closed episodes only (SPEC 4);
    reported for information, never a W22 trigger."""
    start = view.as_of - timedelta(weeks=BRADFORD_WEEKS) + timedelta(days=1)
    closed = [a for a in view.absences
              if not a.excluded_from_triggers and a.last_day is not None and a.last_day < view.as_of]
    episodes = [e for e in link(closed, rulebook.episodes.link_same_reason_within_days,
                                view.calendar, view.as_of)
                if start <= e.first_day]
    lost = sum(e.lost_between(start, view.as_of) for e in episodes)
    return len(episodes) ** 2 * lost


def evaluate_view(view: EmployeeView, rulebook: Rulebook, tracks: TrackStatus | None = None) -> dict[str, Any]:
    tracks = tracks or evaluate_tracks(view, rulebook)
    pay = PayCalendar(view, rulebook.sick_pay) if rulebook.sick_pay else None
    sick_pay = pay.summary() if pay else None
    ended = view.employment_ended
    employed = ended is None or view.as_of <= ended
    short, long = tracks.short_term, tracks.long_term
    long_level, ongoing = long.current()
    lost_12m, episodes_12m = tracks.counts_12m
    return {
        "employee_id": view.employee_id,
        "policy": rulebook.id,
        "policy_hash": rulebook.content_hash,
        "warnings": [provisional_warning(rulebook)] if rulebook.provisional else [],
        "as_of": view.as_of.isoformat(),
        "known_at": _timestamp(view.known_at),
        "employment_ended": ended.isoformat() if ended else None,
        "tracks": {
            "short_term": {
                "level": short.level,
                "working_days_lost_12m": lost_12m,
                "episodes_12m": episodes_12m,
                "monitoring_start": _day(short.monitoring_start),
                "monitoring_until": _day(short.monitoring_until),
                "case_start": _day(short.case_start if short.level or short.due else None),
            },
            "long_term": {
                "level": long_level,
                "case_start": _day(long.case_start if long_level or long.due else None),
                "current_absence_days": (view.as_of - ongoing.first_day).days + 1 if ongoing else 0,
                "current_absence_id": ongoing.absence_id if ongoing else None,
            },
        },
        "reviews_due": [r.as_dict() for r in tracks.reviews_due] if employed else [],
        "concerns": [c.as_dict() for c in concerns(tracks, rulebook)],
        "pattern_suggestions": pattern_suggestions(view, rulebook),
        "actions": [a.as_dict(view.as_of)
                    for a in actions_due(view, rulebook, sick_pay, casework_actions(view, rulebook, tracks))],
        "sick_pay": sick_pay.as_dict() if sick_pay else NOT_COVERED,
        "ssp": pay.ssp_summary() if pay else NOT_COVERED,
        "annual_leave": annual_leave(view, rulebook.annual_leave, rulebook.sick_pay, pay).as_dict()
        if rulebook.annual_leave
        else NOT_COVERED,
        "bradford_factor": bradford_factor(view, rulebook),
    }


#: pay or leave for a rulebook whose organisation's terms it does not hold
NOT_COVERED = {"band": None, "note": "not covered by this rulebook: see the employee's terms and conditions"}


def provisional_warning(rulebook: Rulebook) -> str:
    return (f"rulebook {rulebook.id} is provisional: its thresholds are not the issued policy's "
            f"and must be replaced by the organisation's before decisions rest on them")


def evaluate(history: Iterable[Fact], registry: RulebookRegistry, as_of: date,
             known_at: datetime | None = None, policy: str | None = None) -> dict[str, Any]:
    """Evaluate one employee's history under their policy on `as_of`, or
    under `policy` when given (a what-if replay)."""
    view = EmployeeView.of(history, as_of, known_at)
    return evaluate_view(view, registry.get(policy or view.policy))


def to_json(status: dict[str, Any]) -> str:
    return json.dumps(status, indent=2, sort_keys=False, ensure_ascii=False)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _timestamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
