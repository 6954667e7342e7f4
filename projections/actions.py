"""Actions the policy asks of a manager, with due dates (SPEC 5.1 Actions).

Each action is a deadline derived from the history: done when the event that
satisfies it is in the ledger, overdue when `as_of` is past its due date and
it is not. The list covers deadlines falling in the 12 months up to `as_of`,
any later ones, and the standing obligations (annual wellbeing conversation,
contact during long-term absence, suspension reviews) however old; older
deadlines are history, not a manager's work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.calendar import add_months
from domain.events import (
    AnnualLeaveBooked,
    AnnualLeaveCancelled,
    AppealLodged,
    MedicalSuspensionEnded,
    MedicalSuspensionReviewed,
    MedicalSuspensionStarted,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    OutcomeLetterSent,
)
from domain.history import Absence
from domain.rulebook import Rulebook, WindowAction
from projections.episodes import reaches_day, threshold_day
from projections.pay import SickPay
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
FORMAL_MEETINGS = ("formal_review", "final_review")
#: deadlines that outlive employment (an appeal against dismissal)
AFTER_EMPLOYMENT = frozenset({"appeal_window", "outcome_letter", "appeal_decision"})
#: obligations about the present (not a past deadline): listed however old
STANDING = frozenset({"wellbeing_conversation", "long_term_contact", "medical_suspension_review"})


@dataclass(frozen=True)
class Action:
    kind: str
    due_by: date
    done: bool
    citation: str
    subject: str  # what it is about, in plain words (dates, not ids)
    done_on: date | None = None
    overdue_possible: bool = True  # False for the employee's own deadlines
    ref: str | None = None  # the id of the absence, meeting or plan it concerns
    listed_from: date | None = None  # shown as upcoming from this day (SPEC 11)
    product_choice: bool = False  # the deadline is the product's, not the policy's

    def overdue(self, as_of: date) -> bool:
        return self.overdue_possible and not self.done and as_of > self.due_by

    @property
    def late(self) -> bool:
        """Done, but after it was due (SPEC 11)."""
        return self.done and self.done_on is not None and self.done_on > self.due_by

    def as_dict(self, as_of: date) -> dict[str, Any]:
        return {
            "kind": self.kind, "due_by": self.due_by.isoformat(), "done": self.done,
            "done_on": self.done_on.isoformat() if self.done_on else None,
            "overdue": self.overdue(as_of), "late": self.late, "subject": self.subject,
            "ref": self.ref, "citation": self.citation, "product_choice": self.product_choice,
            "listed_from": self.listed_from.isoformat() if self.listed_from else None,
        }


def meeting_subject(meeting: MeetingHeld) -> str:
    return f"{meeting.kind.replace('_', ' ')} on {meeting.date}"


def _first_meeting(meetings: list[MeetingHeld], kinds: tuple[str, ...], start: date,
                   before: date | None) -> date | None:
    held = [m.date for m in meetings if m.kind in kinds and m.date >= start
            and (before is None or m.date < before)]
    return min(held, default=None)


def return_to_work_actions(view: EmployeeView, rulebook: Rulebook) -> list[tuple[date, Action]]:
    """Each return (its first day back) with its discussion, done by the
    first welcome-back meeting from that day until the next absence; one
    held after the due date is done and late (SPEC 11)."""
    rule = rulebook.actions.return_to_work_discussion
    if rule is None:
        return []
    meetings = view.of_type(MeetingHeld)
    actions = []
    absences = view.absences
    for index, absence in enumerate(absences):
        if absence.last_day is None or absence.last_day >= view.as_of:
            continue
        back = absence.last_day + ONE_DAY
        following = absences[index + 1].first_day if index + 1 < len(absences) else None
        held = _first_meeting(meetings, ("welcome_back",), back, following)
        actions.append((back, Action("return_to_work_discussion", back + timedelta(days=rule.days),
                                     held is not None, rule.citation, absence.described, held,
                                     ref=absence.absence_id, product_choice=rule.product_choice)))
    return actions


def _fit_notes(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    rule = rulebook.actions.fit_note
    if rule is None:
        return []
    actions = []
    leave_ends = _leave_ends(view) if rule.from_day_one_after_leave else set()
    for absence in view.absences:
        after_leave = bool(leave_ends) and (view.calendar.add_working_days(absence.first_day, -1) in leave_ends
                                            or absence.first_day - ONE_DAY in leave_ends)
        required_from = absence.first_day + timedelta(days=0 if after_leave else rule.from_calendar_day - 1)
        last = absence.last_day_by(view.as_of)
        if last < required_from:
            continue
        uncovered = _first_uncovered(absence, required_from, last)
        received = [n.received_on for n in absence.fit_notes]
        if uncovered is None:
            actions.append(Action("fit_note", max(received) if received else required_from, True,
                                  rule.citation, absence.described, max(received, default=None),
                                  ref=absence.absence_id))
        else:
            actions.append(Action("fit_note", uncovered + timedelta(days=rule.due_within_days), False,
                                  rule.citation, absence.described, ref=absence.absence_id))
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
                   rule.citation, absence.described, ref=absence.absence_id, product_choice=rule.product_choice)]


def _sick_pay_review(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld],
                     sick_pay: SickPay | None) -> list[Action]:
    rule = rulebook.actions.sick_pay_review
    ongoing = [a for a in view.absences if a.ongoing_on(view.as_of)]
    drop = (sick_pay.half_pay_from or sick_pay.nil_pay_from) if sick_pay else None
    if rule is None or not ongoing or drop is None:
        return []
    absence = ongoing[-1]
    due = drop - timedelta(days=rule.days)
    # A review counts when it is held close enough to the drop to discuss it:
    # from one lead period before the due date until the drop itself.
    held = _first_meeting(meetings, ("wellbeing_conversation", "informal_review", "formal_review",
                                     "final_review"), max(absence.first_day, due - timedelta(days=rule.days)),
                          drop)
    return [Action("sick_pay_review", due, held is not None, rule.citation,
                   f"pay drops on {drop} in the {absence.described}", held,
                   ref=absence.absence_id, product_choice=rule.product_choice)]


def _medical_suspension(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    """A review every `days` while suspended (W22 7.2), each interval counted
    from the last review recorded (`MedicalSuspensionReviewed`)."""
    rule = rulebook.actions.medical_suspension_review
    starts = sorted(s.date for s in view.of_type(MedicalSuspensionStarted))
    ends = sorted(e.date for e in view.of_type(MedicalSuspensionEnded))
    reviews = sorted(r.date for r in view.of_type(MedicalSuspensionReviewed))
    if rule is None:
        return []
    actions = []
    for start in starts:
        end = next((e for e in ends if e > start), None)
        since = start
        while True:
            due = since + timedelta(days=rule.days)
            if end is not None and due >= end:
                break
            held = next((r for r in reviews if since < r and (end is None or r < end)), None)
            actions.append(Action("medical_suspension_review", due, held is not None, rule.citation,
                                  f"medical suspension from {start}", held))
            if held is None:
                break
            since = held
    return actions


def _meeting_deadlines(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld]) -> list[Action]:
    cancelled = {c.meeting_id for c in view.of_type(MeetingCancelled)}
    held_ids = {m.meeting_id for m in meetings if m.meeting_id}
    notice, evidence = rulebook.actions.formal_meeting_notice, rulebook.actions.final_review_evidence
    actions = []
    for meeting in view.of_type(MeetingScheduled):
        if meeting.meeting_id in cancelled or meeting.kind not in FORMAL_MEETINGS:
            continue
        about = f"{meeting.kind.replace('_', ' ')} on {meeting.date}"
        if notice is not None:
            due = meeting.date - timedelta(days=notice.days)
            actions.append(Action("formal_meeting_notice", due, meeting.notified_on <= due,
                                  notice.citation, about, meeting.notified_on, ref=meeting.meeting_id))
        upcoming = meeting.meeting_id not in held_ids and meeting.date >= view.as_of
        if meeting.kind == "final_review" and upcoming:
            for kind, rule, overdue_possible in (("final_review_evidence", evidence, True),
                                                 ("employee_evidence", rulebook.actions.employee_evidence, False)):
                if rule is not None:
                    due = view.calendar.add_working_days(meeting.date, -rule.working_days)
                    actions.append(Action(kind, due, False, rule.citation, about,
                                          overdue_possible=overdue_possible, ref=meeting.meeting_id))
    actions += _after_review(view, meetings, "appeal_window", rulebook.actions.appeal_window,
                             lambda m: earliest(a.date for a in view.of_type(AppealLodged) if a.against == m.meeting_id),
                             overdue_possible=False)
    letters = view.of_type(OutcomeLetterSent)
    actions += _after_review(view, meetings, "outcome_letter", rulebook.actions.outcome_letter,
                             lambda m: _letter_for(m, meetings, letters), overdue_possible=True)
    return actions


def earliest(days: Iterable[date]) -> date | None:
    return min(days, default=None)


def _letter_for(meeting: MeetingHeld, meetings: list[MeetingHeld], letters: list[OutcomeLetterSent]) -> date | None:
    """The day the meeting's outcome letter was sent: one naming it, or one
    naming no meeting sent on or after it and before the next review."""
    following = earliest(m.date for m in meetings if m.kind in FORMAL_MEETINGS and m.date > meeting.date)
    return earliest(
        letter.date for letter in letters
        if (letter.meeting_id is not None and letter.meeting_id == meeting.meeting_id)
        or (letter.meeting_id is None and meeting.date <= letter.date and (following is None or letter.date < following))
    )


def _after_review(view: EmployeeView, meetings: list[MeetingHeld], kind: str, window: WindowAction | None,
                  done_on: Callable[[MeetingHeld], date | None], overdue_possible: bool) -> list[Action]:
    """A period opened by a review: the employee's appeal window (W22 11.11;
    soj-ma-1.5 8.5.7), never overdue for the manager, or the written outcome
    (soj-ma-1.5 8.5.5; SPEC 11), done by an `OutcomeLetterSent`."""
    if window is None:
        return []
    kinds = FORMAL_MEETINGS if window.against == "formal_or_final" else ("final_review",)
    actions = []
    for meeting in meetings:
        if meeting.kind not in kinds or (window.against == "dismissal" and meeting.outcome != "dismissal"):
            continue
        due = (meeting.date + timedelta(days=window.days) if window.days is not None
               else view.calendar.add_working_days(meeting.date, window.working_days or 0))
        done = done_on(meeting)
        actions.append(Action(kind, due, done is not None, window.citation, meeting_subject(meeting), done,
                              overdue_possible=overdue_possible, ref=meeting.meeting_id,
                              product_choice=window.product_choice))
    return actions


def _wellbeing(view: EmployeeView, rulebook: Rulebook, meetings: list[MeetingHeld]) -> list[Action]:
    rule = rulebook.actions.wellbeing_conversation
    if rule is None:
        return []
    # The obligation runs from when the policy took effect: the ledger cannot
    # know of conversations held before it did.
    held = [m.date for m in meetings if m.kind == "wellbeing_conversation"]
    start = max(view.registration.starts, rulebook.effective_from)
    last = max([start, *held])
    since = f"last held {last}" if held and last == max(held) else f"none recorded since {start}"
    return [Action("wellbeing_conversation", add_months(last, rule.months), False,
                   rule.citation, f"yearly health and wellbeing conversation ({since})",
                   product_choice=rule.product_choice)]


def actions_due(view: EmployeeView, rulebook: Rulebook, sick_pay: SickPay | None,
                casework: list[Action] | None = None) -> list[Action]:
    """Every action relevant on `as_of`, by due date; `casework`: the SPEC 11
    actions (projections.casework), filtered alike."""
    meetings = view.of_type(MeetingHeld)
    actions = (
        list(casework or []) + [a for _, a in return_to_work_actions(view, rulebook)] + _fit_notes(view, rulebook)
        + _long_term_contact(view, rulebook, meetings)
        + _sick_pay_review(view, rulebook, meetings, sick_pay)
        + _medical_suspension(view, rulebook) + _meeting_deadlines(view, rulebook, meetings)
        + _wellbeing(view, rulebook, meetings)
    )
    ended = view.employment_ended
    if ended is not None:
        actions = [a for a in actions if a.kind in AFTER_EMPLOYMENT or a.due_by <= ended]
    horizon = add_months(view.as_of, -12)
    relevant = [a for a in actions if a.due_by > horizon or (a.kind in STANDING and not a.done)]
    return sorted(relevant, key=lambda a: (a.due_by, a.kind, a.subject))
