"""The work around a case (SPEC 11): fit-note renewals, occupational health,
adjustment reviews, stress risk assessments, the checks before a final
review, appeal decisions, and what a manager follows up (W22 6.2, the NW
toolkit's action plans).

Each builder reads the history (and, for the final-review checks, the
reviews due) and returns `Action`s; `actions_due` merges and filters them
with the others. Deadlines the policy does not set come from the rulebook,
marked there as the product's choice.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.calendar import add_months
from domain.events import (
    ActionPlanAgreed,
    AdjustmentAgreed,
    AppealDecided,
    AppealLodged,
    MeetingHeld,
    MeetingScheduled,
    OccupationalHealthReferred,
    OccupationalHealthReported,
    PhasedReturnAgreed,
    RedeploymentConsidered,
    StressRiskAssessmentCompleted,
)
from domain.rulebook import Rulebook
from projections.actions import Action, earliest, meeting_subject
from projections.triggers import TrackStatus
from projections.view import EmployeeView

ONE_DAY = timedelta(days=1)
#: meetings at which a plan or a notification can be talked through
CONVERSATIONS = ("welcome_back", "wellbeing_conversation", "adjustment_review", "informal_review",
                 "formal_review", "final_review")


def fit_note_renewals(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    """Each fit note of an absence ending on D: renewal due D, listed from
    D - days; done by a note covering D + 1, or a return by D + 1."""
    rule = rulebook.actions.fit_note_renewal
    if rule is None:
        return []
    actions = []
    for absence in view.absences:
        notes = sorted(absence.fit_notes, key=lambda n: n.covers_to)
        for note in notes:
            end = note.covers_to
            if any(other.covers_from <= end < other.covers_to for other in notes if other is not note):
                continue  # another note already runs past it
            returned = absence.last_day is not None and absence.last_day <= end
            renewed = earliest(n.received_on for n in notes if n.covers_from <= end + ONE_DAY <= n.covers_to)
            done_on = absence.last_day + ONE_DAY if returned and absence.last_day is not None else renewed
            actions.append(Action("fit_note_renewal", end, done_on is not None, rule.citation,
                                  f"fit note ending {end} for the {absence.described}", done_on,
                                  ref=absence.absence_id, listed_from=end - timedelta(days=rule.days),
                                  product_choice=rule.product_choice))
    return actions


def occupational_health(view: EmployeeView, rulebook: Rulebook, tracks: TrackStatus) -> list[Action]:
    """Referrals when they arise (W22 3.5, 11.1.2, 10.3.3) and the report
    each referral awaits."""
    referrals = sorted(r.date for r in view.of_type(OccupationalHealthReferred))
    reports = sorted(r.date for r in view.of_type(OccupationalHealthReported))
    actions = []
    rule = rulebook.actions.occupational_health_referral
    if rule is not None:
        for arose, subject, ref in _referral_reasons(view, rulebook, tracks):
            done = earliest(d for d in referrals if d >= arose)
            actions.append(Action("occupational_health_referral", arose + timedelta(days=rule.days),
                                  done is not None, rule.citation, subject, done, ref=ref,
                                  product_choice=rule.product_choice))
    report = rulebook.actions.occupational_health_report
    if report is not None:
        for referred in referrals:
            done = earliest(d for d in reports if d >= referred)
            actions.append(Action("occupational_health_report", referred + timedelta(days=report.days),
                                  done is not None, report.citation, f"occupational health referral of {referred}",
                                  done, product_choice=report.product_choice))
    return actions


def _referral_reasons(view: EmployeeView, rulebook: Rulebook,
                      tracks: TrackStatus) -> list[tuple[date, str, str | None]]:
    rule = rulebook.actions.occupational_health_referral
    assert rule is not None
    arising: list[tuple[date, str, str | None]] = [
        (a.first_day, a.described, a.absence_id) for a in view.absences if a.reason in rule.reasons
    ]
    if rule.on_long_term_stage_one and 1 in rulebook.long_term_stage:
        for absence in tracks.long_term.absences:
            became = tracks.long_term.became_long_term(absence)
            if became is not None:
                arising.append((became, f"long-term {absence.described}", absence.absence_id))
    if rule.after_adjustment_reviews is not None:
        reviews = [m for m in view.of_type(MeetingHeld) if m.kind == "adjustment_review"]
        for agreed in _adjustments(view):
            held = [m for m in reviews if m.date >= agreed.start]
            # Still in place after the reviews: the last of them continued them
            # (outcome other than no_further_action).
            if len(held) >= rule.after_adjustment_reviews:
                last = held[rule.after_adjustment_reviews - 1]
                if last.outcome != "no_further_action":
                    arising.append((last.date, f"adjustments from {agreed.start} still in place after "
                                               f"{rule.after_adjustment_reviews} reviews", None))
    return arising


def _adjustments(view: EmployeeView) -> list[AdjustmentAgreed | PhasedReturnAgreed]:
    return sorted([*view.of_type(AdjustmentAgreed), *view.of_type(PhasedReturnAgreed)], key=lambda a: a.start)


def adjustment_reviews(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    """An adjustment reviewed on its review date, a phased return at its end
    (W22 10.3), by an `adjustment_review` meeting."""
    rule = rulebook.actions.adjustment_review
    if rule is None:
        return []
    reviews = sorted(m.date for m in view.of_type(MeetingHeld) if m.kind == "adjustment_review")
    actions = []
    for agreed in _adjustments(view):
        if isinstance(agreed, AdjustmentAgreed):
            due, subject = agreed.review_on, f"adjustments agreed from {agreed.start}"
        else:
            due = agreed.start + timedelta(days=round(agreed.weeks * 7)) - ONE_DAY
            subject = f"phased return from {agreed.start} to {due}"
        done = earliest(d for d in reviews if d >= agreed.start)
        actions.append(Action("adjustment_review", due, done is not None, rule.citation, subject, done,
                              product_choice=rule.product_choice))
    return actions


def stress_risk_assessments(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    """An individual stress risk assessment after an absence for one of the
    rule's reasons (W22 5.6), due a set time after the return."""
    rule = rulebook.actions.stress_risk_assessment
    if rule is None:
        return []
    completed = view.of_type(StressRiskAssessmentCompleted)
    actions = []
    for absence in view.absences:
        if absence.reason not in rule.reasons or absence.last_day is None or absence.last_day >= view.as_of:
            continue
        done = earliest(c.date for c in completed if c.absence_id == absence.absence_id
                      or (c.absence_id is None and c.date >= absence.first_day))
        actions.append(Action("stress_risk_assessment", absence.last_day + ONE_DAY + timedelta(days=rule.days),
                              done is not None, rule.citation, absence.described, done,
                              ref=absence.absence_id, product_choice=rule.product_choice))
    return actions


def final_review_checks(view: EmployeeView, rulebook: Rulebook, tracks: TrackStatus) -> list[Action]:
    """Before a final review (W22 11.6.4): occupational health advice no older
    than the rulebook's months and redeployment considered. Due at the final
    review scheduled or held, or, while only due, on the day it became due."""
    rule = rulebook.actions.final_review_checks
    if rule is None:
        return []
    scheduled = sorted(m.date for m in view.of_type(MeetingScheduled) if m.kind == "final_review")
    reports = [r.date for r in view.of_type(OccupationalHealthReported)]
    redeployment = [r.date for r in view.of_type(RedeploymentConsidered)]
    occasions = [(m.date, meeting_subject(m), m.meeting_id)
                 for m in view.of_type(MeetingHeld) if m.kind == "final_review"]
    for due in tracks.reviews_due:
        if due.stage == 3:
            when = earliest(d for d in scheduled if d >= due.triggered_on) or due.triggered_on
            occasions.append((when, f"final review due ({due.track.replace('_', '-')}) since {due.triggered_on}",
                              None))
    actions = []
    for when, subject, ref in occasions:
        since = add_months(when, -rule.report_within_months)
        report = max((d for d in reports if since <= d <= min(when, view.as_of)), default=None)
        considered = max((d for d in redeployment if since <= d <= min(when, view.as_of)), default=None)
        done_on = max(report, considered) if report and considered else None
        actions.append(Action("final_review_checks", when, done_on is not None, rule.citation, subject, done_on,
                              ref=ref, product_choice=rule.product_choice))
    return actions


def appeal_decisions(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    rule = rulebook.actions.appeal_decision
    if rule is None:
        return []
    decided = view.of_type(AppealDecided)
    actions = []
    for appeal in view.of_type(AppealLodged):
        done = earliest(d.date for d in decided if d.against == appeal.against and d.date >= appeal.date)
        actions.append(Action("appeal_decision", appeal.date + timedelta(days=rule.days), done is not None,
                              rule.citation, f"appeal lodged {appeal.date}", done, ref=appeal.against,
                              product_choice=rule.product_choice))
    return actions


def notification_followups(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    """Absence not notified as the procedure requires (W22 6.2): the manager
    talks it through at the next conversation; whether it is misconduct or
    sick pay is withheld (9.2) is theirs to decide and record."""
    rule = rulebook.actions.notification_followup
    if rule is None:
        return []
    meetings = [m.date for m in view.of_type(MeetingHeld) if m.kind in CONVERSATIONS]
    return [
        Action("notification_followup", absence.first_day + timedelta(days=rule.days),
               (done := earliest(d for d in meetings if d >= absence.first_day)) is not None,
               rule.citation, f"how the {absence.described} was reported", done,
               ref=absence.absence_id, product_choice=rule.product_choice)
        for absence in view.absences if not absence.notification_compliant
    ]


def action_plan_reviews(view: EmployeeView, rulebook: Rulebook) -> list[Action]:
    """A personalised improvement action plan reviewed on the date agreed
    (nw-wam-2024), at a later conversation."""
    rule = rulebook.actions.action_plan_review
    if rule is None:
        return []
    meetings = [m.date for m in view.of_type(MeetingHeld) if m.kind in CONVERSATIONS]
    return [
        Action("action_plan_review", plan.review_on,
               (done := earliest(d for d in meetings if d > plan.date)) is not None,
               rule.citation, f"action plan agreed {plan.date}", done, product_choice=rule.product_choice)
        for plan in view.of_type(ActionPlanAgreed)
    ]


def casework_actions(view: EmployeeView, rulebook: Rulebook, tracks: TrackStatus) -> list[Action]:
    return (fit_note_renewals(view, rulebook) + occupational_health(view, rulebook, tracks)
            + adjustment_reviews(view, rulebook) + stress_risk_assessments(view, rulebook)
            + final_review_checks(view, rulebook, tracks) + appeal_decisions(view, rulebook)
            + notification_followups(view, rulebook) + action_plan_reviews(view, rulebook))

