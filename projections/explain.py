"""Explain an employee's status: the audit view (SPEC 6).

Which rulebook applied (id and content hash), every rule of the next stage
on each track with the numbers it counted against its threshold and window,
the events those numbers came from (with when the ledger learned them), the
decisions taken and the rules they were taken under, and the resulting
reviews and actions. A pure function of the same inputs as the status, so
it is byte-identical for the same ledger, rulebook, as_of and known_at.
"""

from __future__ import annotations

from typing import Any

from domain.events import (
    Fact,
    MeetingHeld,
    PatternOfAbsenceIdentified,
    PolicyAssigned,
    TriggerAdjusted,
)
from domain.rulebook import STAGE_OF_REVIEW, Rulebook, RulebookRegistry
from projections.status import evaluate_view, iso_timestamp
from projections.triggers import Firing, TrackStatus, evaluate_tracks
from projections.view import EmployeeView


def _rule(track: str, stage: int, review: str, firing: Firing) -> dict[str, Any]:
    return {"track": track, "stage": stage, "review": review, "met": firing.fired_on is not None,
            **firing.as_dict()}


def rules_evaluated(tracks: TrackStatus, rulebook: Rulebook) -> list[dict[str, Any]]:
    short, long = tracks.short_term, tracks.long_term
    rules = []
    stage = short.next_stage()
    if stage is not None and not short.closed:
        rules += [_rule("short_term", stage.stage, stage.review, f) for f in short.evaluate_rules(tracks.as_of)]
    current = [a for a in long.absences if a.ongoing_on(tracks.as_of)]
    if current and not long.closed:
        evaluated = long.next_firing(current[-1], tracks.as_of)
        if evaluated is not None:
            stage_no, firing = evaluated
            rules.append(_rule("long_term", stage_no, rulebook.long_term_stage[stage_no].review, firing))
    return rules


def _event(fact: Fact) -> dict[str, Any]:
    return {"event_id": fact.event_id, "type": fact.type,
            "effective": fact.effective_day.isoformat() if fact.effective_day else None,
            "recorded_at": fact.recorded_at.isoformat().replace("+00:00", "Z") if fact.recorded_at else None}


def _chosen(rule: Any) -> dict[str, Any]:
    """What the product chose: the rule's settings, without its citation."""
    return rule.model_dump(mode="json", exclude={"citation", "product_choice"}, exclude_none=True)


def product_choices(rulebook: Rulebook) -> list[dict[str, Any]]:
    """The deadlines and settings that are the product's choice where the
    policy is silent (SPEC 11): what was chosen, and the section it serves."""
    choices = [{"setting": f"actions.{name}", "value": _chosen(getattr(rulebook.actions, name)),
                "citation": citation}
               for name, citation in rulebook.actions.product_choices().items()]
    suggestions = rulebook.pattern_suggestions
    if suggestions is not None and suggestions.product_choice:
        choices.append({"setting": "pattern_suggestions", "value": _chosen(suggestions),
                        "citation": suggestions.citation})
    return choices


def explain_view(view: EmployeeView, rulebook: Rulebook, registry: RulebookRegistry) -> dict[str, Any]:
    tracks = evaluate_tracks(view, rulebook)
    status = evaluate_view(view, rulebook, tracks)
    rules = rules_evaluated(tracks, rulebook)
    due_rules = [r.as_dict() for review in status.reviews_due for r in review.rules]
    counted = {a for r in rules + due_rules for a in r["absences"]}
    evidence = [
        f for f in view.facts
        if getattr(f, "absence_id", None) in counted
        or isinstance(f, (PatternOfAbsenceIdentified, TriggerAdjusted, PolicyAssigned))
        or (isinstance(f, MeetingHeld) and f.kind in STAGE_OF_REVIEW)
    ]
    decisions = []
    for meeting in view.of_type(MeetingHeld):
        if meeting.kind not in STAGE_OF_REVIEW:
            continue
        taken_under = registry.get(meeting.policy) if meeting.policy and meeting.policy in registry else None
        decisions.append({
            "event_id": meeting.event_id, "kind": meeting.kind, "date": meeting.date.isoformat(),
            "outcome": meeting.outcome, "policy": meeting.policy, "rulebook_hash": meeting.rulebook_hash,
            "status_shown": meeting.status_shown,
            "rulebook_unchanged_since": (taken_under.content_hash == meeting.rulebook_hash)
            if taken_under and meeting.rulebook_hash else None,
        })
    return {
        "employee_id": view.employee_id,
        "as_of": status.as_of.isoformat(),
        "known_at": iso_timestamp(status.known_at),
        "policy": {"id": rulebook.id, "title": rulebook.title, "content_hash": rulebook.content_hash,
                   "source": rulebook.source, "provisional": rulebook.provisional},
        "warnings": status.warnings,
        "tracks": status.tracks_as_dict(),
        "rules_evaluated": rules,
        "reviews_due": [r.as_dict() for r in status.reviews_due],
        "concerns": [c.as_dict() for c in status.concerns],
        "pattern_suggestions": list(status.pattern_suggestions),
        "actions": [a.as_dict(status.as_of) for a in status.actions],
        "product_choices": product_choices(rulebook),
        "events_counted": [_event(f) for f in evidence],
        "decisions": decisions,
    }
