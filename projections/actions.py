"""Actions the policy asks of a manager, with due dates (SPEC 5.1 Actions).

Each action is a deadline derived from the history: done when the event that
satisfies it is in the ledger, overdue when `as_of` is past its due date and
it is not. The list covers deadlines falling in the 12 months up to `as_of`,
any later ones, and the standing obligations (annual wellbeing conversation,
contact during long-term absence, suspension reviews) however old; older
deadlines are history, not a manager's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.calendar import add_months
from domain.events import (
    AnnualLeaveBooked,
    AnnualLeaveCancelled,
    AppealLodged,
    MedicalSuspensionEnded,
    MedicalSuspensionStarted,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
)
from domain.history import Absence
from domain.rulebook import Rulebook, WindowAction
from projections.episodes import reaches_day, threshold_day
from projections.pay import SickPay
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
FORMAL_MEETINGS = ("formal_review", "final_review")
#: deadlines that outlive employment (an appeal against dismissal)
AFTER_EMPLOYMENT = frozenset({"appeal_window", "outcome_letter"})
#: obligations about the present (not a past deadline): listed however old
STANDING = frozenset({"wellbeing_conversation", "long_term_contact", "medical_suspension_review"})


@dataclass(frozen=True)
class Action:
    kind: str
    due_by: date
    done: bool
    citation: str
    subject: str  # the absence or meeting it concerns
    done_on: date | None = None
    overdue_possible: bool = True  # False for the employee's own deadlines

    def overdue(self, as_of: date) -> bool:
        return self.overdue_possible and not self.done and as_of > self.due_by

    def as_dict(self, as_of: date) -> dict[str, Any]:
        return {
            "kind": self.kind, "due_by": self.due_by.isoformat(), "done": self.done,
            "overdue": self.overdue(as_of), "subject": self.subject, "citation": self.citation,
            "done_on": self.done_on.isoformat() if self.done_on else None,
        }


def _first_meeting(meetings: list[MeetingHeld], kinds: tuple[str, ...], start: date,
                   before: date | None) -> date | None:
    held = [m.date for m in meetings if m.kind in kinds and m.date >= start
            and (before is None or m.date < before)]
    return min(held, default=None)


def _return_to_work(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld]) -> list[Action]:
    rule = rulebook.actions.return_to_work_discussion
    if rule is None:
        return []
    actions = []
    absences = view.absences
    for index, absence in enumerate(absences):
        if absence.last_day is None or absence.last_day >= view.as_of:
            continue
        back = absence.last_day + ONE_DAY
        following = absences[index + 1].first_day if index + 1 < len(absences) else None
        held = _first_meeting(meetings, ("welcome_back",), back, following)
        actions.append(Action("return_to_work_discussion", back + timedelta(days=rule.days),
                              held is not None, rule.citation, absence.absence_id, held))
    return actions


def _fit_notes(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    rule = rulebook.actions.fit_note
    if rule is None:
        return []
    actions = []
    leave_ends = _leave_ends(view) if rule.from_day_one_after_leave else set()
    for absence in view.absences:
        after_leave = view.calendar.add_working_days(absence.first_day, -1) in leave_ends or \
            absence.first_day - ONE_DAY in leave_ends
        required_from = absence.first_day + timedelta(days=0 if after_leave else rule.from_calendar_day - 1)
        last = absence.last_day_by(view.as_of)
        if last < required_from:
            continue
        uncovered = _first_uncovered(absence, required_from, last)
        received = [n.received_on for n in absence.fit_notes]
        if uncovered is None:
            actions.append(Action("fit_note", max(received) if received else required_from, True,
                                  rule.citation, absence.absence_id, max(received, default=None)))
        else:
            actions.append(Action("fit_note", uncovered + timedelta(days=rule.due_within_days), False,
                                  rule.citation, absence.absence_id))
    return actions


def _leave_ends(view: EmployeeView) -> set[date]:
    withdrawn = {c.leave_id for c in view.of_type(AnnualLeaveCancelled)}
    return {b.to for b in view.of_type(AnnualLeaveBooked) if b.leave_id not in withdrawn}


def _first_uncovered(absence: Absence, start: date, end: date) -> date | None:
    day = start
    for note in sorted(absence.fit_notes, key=lambda n: n.covers_from):
        if note.covers_from <= day <= note.covers_to:
            day = note.covers_to + ONE_DAY
    return day if day <= end else None


def _long_term_contact(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld]) -> list[Action]:
    rule = rulebook.actions.long_term_contact
    ongoing = [a for a in view.absences if a.ongoing_on(view.as_of)]
    if rule is None or not ongoing:
        return []
    absence = ongoing[-1]
    threshold = threshold_day(absence.first_day, rulebook.episodes.long_term_after, view.calendar)
    became = reaches_day(absence, threshold, view.as_of)
    if became is None:
        return []
    contacts = [m.date for m in meetings if absence.first_day <= m.date]
    since = max([became, *contacts])
    return [Action("long_term_contact", add_months(since, rule.months), False,
                   rule.citation, absence.absence_id)]


def _sick_pay_review(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld],
                     sick_pay: SickPay | None) -> list[Action]:
    rule = rulebook.actions.sick_pay_review
    ongoing = [a for a in view.absences if a.ongoing_on(view.as_of)]
    drop = sick_pay and (sick_pay.half_pay_from or sick_pay.nil_pay_from)
    if rule is None or not ongoing or drop is None:
        return []
    absence = ongoing[-1]
    due = drop - timedelta(days=rule.days)
    # A review counts when it is held close enough to the drop to discuss it:
    # from one lead period before the due date until the drop itself.
    held = _first_meeting(meetings, ("wellbeing_conversation", "informal_review", "formal_review",
                                     "final_review"), max(absence.first_day, due - timedelta(days=rule.days)),
                          drop)
    return [Action("sick_pay_review", due, held is not None, rule.citation, absence.absence_id, held)]


def _medical_suspension(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    rule = rulebook.actions.medical_suspension_review
    starts = sorted(s.date for s in view.of_type(MedicalSuspensionStarted))
    ends = sorted(e.date for e in view.of_type(MedicalSuspensionEnded))
    if rule is None or not starts or (ends and ends[-1] >= starts[-1]):
        return []
    start = starts[-1]
    intervals = (view.as_of - start).days // rule.days + 1
    return [Action("medical_suspension_review", start + timedelta(days=rule.days * intervals), False,
                   rule.citation, f"suspension from {start}")]


def _meeting_deadlines(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld]) -> list[Action]:
    cancelled = {c.meeting_id for c in view.of_type(MeetingCancelled)}
    held_ids = {m.meeting_id for m in meetings if m.meeting_id}
    notice, evidence = rulebook.actions.formal_meeting_notice, rulebook.actions.final_review_evidence
    actions = []
    for meeting in view.of_type(MeetingScheduled):
        if meeting.meeting_id in cancelled or meeting.kind not in FORMAL_MEETINGS:
            continue
        if notice is not None:
            due = meeting.date - timedelta(days=notice.days)
            actions.append(Action("formal_meeting_notice", due, meeting.notified_on <= due,
                                  notice.citation, meeting.meeting_id, meeting.notified_on))
        upcoming = meeting.meeting_id not in held_ids and meeting.date >= view.as_of
        if evidence is not None and meeting.kind == "final_review" and upcoming:
            due = view.calendar.add_working_days(meeting.date, -evidence.working_days)
            actions.append(Action("final_review_evidence", due, False, evidence.citation, meeting.meeting_id))
    actions += _after_final_review(view, meetings, "appeal_window", rulebook.actions.appeal_window,
                                   {a.against: a.date for a in view.of_type(AppealLodged)})
    actions += _after_final_review(view, meetings, "outcome_letter", rulebook.actions.outcome_letter, {})
    return actions


def _after_final_review(view: EmployeeView, meetings: list[MeetingHeld], kind: str,
                        window: WindowAction | None, done: dict[str, date]) -> list[Action]:
    """A period opened by a final review: the employee's appeal window
    (W22 11.11; soj-ma-1.5 8.5.7) or the written outcome (soj-ma-1.5 8.5.5).
    Neither can be overdue for the manager: one is the employee's, and the
    ledger records no letters."""
    if window is None:
        return []
    actions = []
    for meeting in meetings:
        if meeting.kind != "final_review" or (window.against == "dismissal" and meeting.outcome != "dismissal"):
            continue
        subject = meeting.meeting_id or f"{meeting.kind} on {meeting.date}"
        due = (meeting.date + timedelta(days=window.days) if window.days is not None
               else view.calendar.add_working_days(meeting.date, window.working_days or 0))
        actions.append(Action(kind, due, subject in done, window.citation, subject, done.get(subject),
                              overdue_possible=False))
    return actions


def _wellbeing(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld]) -> list[Action]:
    rule = rulebook.actions.wellbeing_conversation
    if rule is None:
        return []
    # The obligation runs from when the policy took effect: the ledger cannot
    # know of conversations held before it did.
    last = max([view.registration.starts, rulebook.effective_from,
                *(m.date for m in meetings if m.kind == "wellbeing_conversation")])
    return [Action("wellbeing_conversation", add_months(last, rule.months), False,
                   rule.citation, "annual")]


def actions_due(view: EmployeeView, rulebook: Rulebook, sick_pay: SickPay | None) -> list[Action]:
    """Every action relevant on `as_of`, by due date."""
    meetings = view.of_type(MeetingHeld)
    actions = (
        _return_to_work(view, rulebook, meetings) + _fit_notes(view, rulebook)
        + _long_term_contact(view, rulebook, meetings)
        + _sick_pay_review(view, rulebook, meetings, sick_pay)
        + _medical_suspension(view, rulebook) + _meeting_deadlines(view, rulebook, meetings)
        + _wellbeing(view, rulebook, meetings)
    )
    ended = view.employment_ended
    if ended is not None:
        actions = [a for a in actions if a.kind in AFTER_EMPLOYMENT or a.due_by <= ended]
    horizon = add_months(view.as_of, -12)
    relevant = [a for a in actions if a.due_by > horizon or a.kind in STANDING]
    return sorted(relevant, key=lambda a: (a.due_by, a.kind, a.subject))
