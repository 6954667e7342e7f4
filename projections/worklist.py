"""The worklist as a manager's day (SPEC 1, 11): what is overdue, what is
due (reviews whose trigger is met, actions due today), what is coming up
within a horizon (default 14 days), actions done late recently, and
patterns to consider - each in plain words with its due date and what it is
about - and every employee whose record could not be evaluated (needing
attention, SPEC 12)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from domain.events import Fact
from domain.rulebook import RulebookRegistry
from projections.actions import Action
from projections.attention import NeedsAttention, each_evaluated
from projections.status import Status, evaluate_view
from projections.view import EmployeeView

DEFAULT_HORIZON_DAYS = 14
#: what each action asks of the manager, in plain English
LABELS = {
    "return_to_work_discussion": "Hold the return-to-work (welcome back) discussion",
    "fit_note": "Obtain a fit note",
    "fit_note_renewal": "Ask for a new fit note before the current one ends",
    "long_term_contact": "Contact the employee (long-term absence)",
    "sick_pay_review": "Hold a review before sick pay drops",
    "medical_suspension_review": "Review the medical suspension",
    "formal_meeting_notice": "Give written notice of the formal meeting",
    "final_review_evidence": "Send the management evidence for the final review",
    "employee_evidence": "Employee's deadline to send their evidence for the final review",
    "appeal_window": "Employee's deadline to appeal",
    "outcome_letter": "Send the outcome letter",
    "wellbeing_conversation": "Hold the health and wellbeing conversation",
    "occupational_health_referral": "Refer to occupational health",
    "occupational_health_report": "Chase the occupational health report",
    "adjustment_review": "Review the adjustments",
    "stress_risk_assessment": "Complete the individual stress risk assessment",
    "final_review_checks": "Before the final review: recent occupational health advice and redeployment considered",
    "appeal_decision": "Decide the appeal",
    "notification_followup": "Discuss how the absence was reported",
    "action_plan_review": "Review the action plan",
}
REVIEW_LABELS = {1: "Hold an informal review (stage 1)", 2: "Hold a formal review (stage 2)",
                 3: "Hold a final review (stage 3)"}


def _section(action: Action, as_of: date, horizon: int) -> str | None:
    if action.done:
        recent = action.done_on is not None and as_of - timedelta(days=horizon) <= action.done_on <= as_of
        return "done_late" if action.late and recent else None
    if action.overdue(as_of):
        return "overdue"
    if action.listed_from is not None and as_of < action.listed_from:
        return None
    if action.due_by <= as_of:
        return "due"
    return "upcoming" if action.due_by <= as_of + timedelta(days=horizon) else None


def worklist_items(view: EmployeeView, status: Status, horizon: int = DEFAULT_HORIZON_DAYS) -> list[dict[str, Any]]:
    base = {"employee_id": view.employee_id, "manager_id": view.manager_id, "department": view.department,
            "policy": status.policy}
    items = [
        {**base, "date": r.triggered_on.isoformat(), "kind": "review_due", "section": "due",
         "label": REVIEW_LABELS[r.stage], "due": r.triggered_on.isoformat(), "late": False,
         "about": f"{r.track.replace('_', '-')} track, triggered on {r.triggered_on.isoformat()}",
         "item": f"stage {r.stage} {r.kind} due ({r.track})", "citation": r.rules[0].citation}
        for r in status.reviews_due
    ]
    for action in status.actions:
        section = _section(action, view.as_of, horizon)
        if section is None:
            continue
        label = LABELS.get(action.kind, action.kind.replace("_", " "))
        if section == "done_late":
            label += f" (done late, on {action.done_on})"
        items.append({**base, "date": action.due_by.isoformat(), "kind": f"action_{section}", "section": section,
                      "label": label, "due": action.due_by.isoformat(), "about": action.subject,
                      "late": section in ("overdue", "done_late"),
                      "item": f"{section.replace('_', ' ')} {action.kind} ({action.subject})",
                      "citation": action.citation})
    items += [
        {**base, "date": view.as_of.isoformat(), "kind": "pattern_suggested", "section": "to_consider",
         "label": f"Consider a possible pattern: {s['description']} ({s['occurrences']} times)",
         "due": None, "late": False,
         "about": ", ".join(a["first_day"] for a in s["absences"]),
         "item": f"pattern suggested: {s['pattern']}", "citation": s["citation"]}
        for s in status.pattern_suggestions
    ]
    return items


def worklist(histories: Iterable[list[Fact]], registry: RulebookRegistry, as_of: date,
             known_at: datetime | None = None, manager: str | None = None,
             horizon: int = DEFAULT_HORIZON_DAYS) -> list[dict[str, Any]]:
    """Every employee's items (or one manager's), oldest first."""
    items: list[dict[str, Any]] = []
    # one manager's reports are the only ones evaluated
    for each in each_evaluated(histories, as_of, known_at, lambda view: evaluate_view(view, registry.get(view.policy)),
                               lambda view: manager is None or view.manager_id == manager):
        items += attention_items(each, as_of) if isinstance(each, NeedsAttention) \
            else worklist_items(each[0], each[1], horizon)
    # a record that could not be read at all is listed under its registered manager
    items = [i for i in items if manager is None or i["manager_id"] == manager]
    return sorted(items, key=worklist_order)


def worklist_order(item: dict[str, Any]) -> tuple[str, str, str]:
    """Oldest first, then by employee and item: the order every worklist is shown in."""
    return item["date"], item["employee_id"], item["item"]


def attention_items(attention: NeedsAttention, as_of: date) -> list[dict[str, Any]]:
    """An employee whose record could not be evaluated, as a worklist item."""
    return [{"employee_id": attention.employee_id, "manager_id": attention.manager_id, "department": None,
             "policy": None,
             "date": as_of.isoformat(), "kind": "needs_attention", "section": "overdue",
             "label": "Record needs attention: it could not be evaluated", "due": as_of.isoformat(),
             "late": False, "about": attention.error,
             "item": f"record needs attention: {attention.error}", "citation": "-"}]
