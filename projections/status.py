"""An employee's status (SPEC 8), as a typed model.

`evaluate` is a pure function of (history, rulebook, as_of, known_at): the
same inputs give the same `Status`, and the renderer at the edge
(api.render.status_document) gives the same JSON byte for byte, which is
what lets an audit be reproduced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.events import Fact
from domain.rulebook import Rulebook, RulebookRegistry
from projections.actions import Action, actions_due
from projections.casework import casework_actions
from projections.episodes import link
from projections.leave import LeaveYear, annual_leave
from projections.patterns import pattern_suggestions
from projections.pay import PayCalendar, SickPay
from projections.triggers import Firing, ReviewDue, TrackStatus, concerns, evaluate_tracks
from projections.view import EmployeeView

BRADFORD_WEEKS = 52


@dataclass(frozen=True)
class ShortTermSummary:
    level: int
    working_days_lost_12m: int
    episodes_12m: int
    monitoring_start: date | None
    monitoring_until: date | None
    case_start: date | None

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "working_days_lost_12m": self.working_days_lost_12m,
                "episodes_12m": self.episodes_12m, "monitoring_start": _day(self.monitoring_start),
                "monitoring_until": _day(self.monitoring_until), "case_start": _day(self.case_start)}


@dataclass(frozen=True)
class LongTermSummary:
    level: int
    case_start: date | None
    current_absence_days: int
    current_absence_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "case_start": _day(self.case_start),
                "current_absence_days": self.current_absence_days, "current_absence_id": self.current_absence_id}


@dataclass(frozen=True)
class Status:
    """Where an employee stands on `as_of` under one rulebook."""

    employee_id: str
    rulebook: Rulebook
    as_of: date
    known_at: datetime | None
    employment_ended: date | None
    short_term: ShortTermSummary
    long_term: LongTermSummary
    reviews_due: tuple[ReviewDue, ...]
    concerns: tuple[Firing, ...]
    #: possible patterns for the manager to consider (never a trigger)
    pattern_suggestions: tuple[dict[str, Any], ...]
    actions: tuple[Action, ...]
    #: None: the rulebook holds no sick pay (or leave) terms
    sick_pay: SickPay | None
    ssp: dict[str, Any] | None
    annual_leave: LeaveYear | None
    bradford_factor: int

    @property
    def policy(self) -> str:
        return self.rulebook.id

    @property
    def warnings(self) -> list[str]:
        return [provisional_warning(self.rulebook)] if self.rulebook.provisional else []

    @property
    def levels(self) -> dict[str, int]:
        return {"short_term": self.short_term.level, "long_term": self.long_term.level}

    @property
    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if not a.done]

    def overdue_actions(self) -> list[Action]:
        return [a for a in self.actions if a.overdue(self.as_of)]

    def tracks_as_dict(self) -> dict[str, Any]:
        return {"short_term": self.short_term.as_dict(), "long_term": self.long_term.as_dict()}


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


def reviews_due(view: EmployeeView, tracks: TrackStatus) -> tuple[ReviewDue, ...]:
    """The reviews due on `as_of`: none once employment has ended."""
    ended = view.employment_ended
    return tuple(tracks.reviews_due) if ended is None or view.as_of <= ended else ()


def evaluate_view(view: EmployeeView, rulebook: Rulebook, tracks: TrackStatus | None = None) -> Status:
    tracks = tracks or evaluate_tracks(view, rulebook)
    pay = PayCalendar(view, rulebook.sick_pay) if rulebook.sick_pay else None
    sick_pay = pay.summary() if pay else None
    short, long = tracks.short_term, tracks.long_term
    long_level, ongoing = long.current()
    lost_12m, episodes_12m = tracks.counts_12m
    return Status(
        employee_id=view.employee_id,
        rulebook=rulebook,
        as_of=view.as_of,
        known_at=view.known_at,
        employment_ended=view.employment_ended,
        short_term=ShortTermSummary(short.level, lost_12m, episodes_12m, short.monitoring_start,
                                    short.monitoring_until, short.case_start if short.level or short.due else None),
        long_term=LongTermSummary(long_level, long.case_start if long_level or long.due else None,
                                  (view.as_of - ongoing.first_day).days + 1 if ongoing else 0,
                                  ongoing.absence_id if ongoing else None),
        reviews_due=reviews_due(view, tracks),
        concerns=tuple(concerns(tracks, rulebook)),
        pattern_suggestions=tuple(pattern_suggestions(view, rulebook)),
        actions=tuple(actions_due(view, rulebook, sick_pay, casework_actions(view, rulebook, tracks))),
        sick_pay=sick_pay,
        ssp=pay.ssp_summary() if pay else None,
        annual_leave=annual_leave(view, rulebook.annual_leave, rulebook.sick_pay, pay) if rulebook.annual_leave
        else None,
        bradford_factor=bradford_factor(view, rulebook),
    )


def provisional_warning(rulebook: Rulebook) -> str:
    return (f"rulebook {rulebook.id} is provisional: its thresholds are not the issued policy's "
            f"and must be replaced by the organisation's before decisions rest on them")


def evaluate(history: Iterable[Fact], registry: RulebookRegistry, as_of: date,
             known_at: datetime | None = None, policy: str | None = None) -> Status:
    """Evaluate one employee's history under their policy on `as_of`, or
    under `policy` when given (a what-if replay)."""
    view = EmployeeView.of(history, as_of, known_at)
    return evaluate_view(view, registry.get(policy or view.policy))


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_timestamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
