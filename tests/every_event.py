"""A generated history that holds every event type of the vocabulary: two
employees' careers, valid and told in the order things happen, as an HR
adviser would record them. The journey tests (tests/test_journeys.py,
tests/kafka/test_feeds.py) take it through every path; a test fails when an
event type is added to `domain.events.FACT_TYPES` and not to this story.

Free text is written as a manager might write it, naming health, so the
paths that must never show it (payroll, the relay, a manager's view) are
tried with something to leak.
"""

from __future__ import annotations

from typing import Any

#: the day the journeys evaluate: after the last event of both stories
AS_OF = "2025-11-28"
MANAGER = "MGR-JOURNEY"
#: prose about health in the story: no payroll row or relayed event may hold it
HEALTH_TEXT = ("hurt back moving a patient", "norovirus outbreak on the ward", "asthma worse on nights",
               "awaiting occupational health clearance", "absences follow night shifts")


def _sick(absence_id: str, first_day: str, reason: str, back: str | None = None, **fields: Any) -> list[dict]:
    events = [{"type": "SicknessReported", "absence_id": absence_id, "first_day": first_day,
               "reason": reason, **fields}]
    if back:
        events.append({"type": "ReturnedToWork", "absence_id": absence_id, "first_day_back": back})
    return events


def _meeting(meeting_id: str, kind: str, day: str, notified_on: str, outcome: str, **held: Any) -> list[dict]:
    return [{"type": "MeetingScheduled", "meeting_id": meeting_id, "kind": kind, "date": day,
             "notified_on": notified_on},
            {"type": "MeetingHeld", "meeting_id": meeting_id, "kind": kind, "date": day, "outcome": outcome,
             **held}]


def ward_nurse() -> dict[str, Any]:
    """A staff nurse under SaTH W22, moved from V5.13 to V6, through short
    absences, a work injury, a suspension, reviews and an appeal."""
    return {
        "employee": {"employee_id": "GEN-W22", "service_start": "2012-09-03", "contracted_hours": 37.5,
                     "calendar": "england-and-wales", "policy": "sath-w22-v5.13", "department": "Ward 12",
                     "manager_id": MANAGER, "basic_salary": 31000, "average_weekly_earnings": 590},
        "events": [
            {"type": "ContractChanged", "effective": "2024-04-01", "basic_salary": 32500,
             "average_weekly_earnings": 620},
            {"type": "RoleChanged", "effective": "2024-04-01", "kind": "promotion"},
            {"type": "PolicyAssigned", "effective": "2024-06-03", "policy": "sath-w22-v6",
             "reason": "the Trust adopted version 6"},
            {"type": "AnnualLeaveBooked", "leave_id": "L1", "from": "2024-07-15", "to": "2024-07-19", "hours": 37.5,
             "recorded_at": "2024-05-02T09:00:00Z"},
            {"type": "AnnualLeaveConvertedToSickness", "leave_id": "L1", "absence_id": "A1",
             "from": "2024-07-17", "to": "2024-07-19"},
            {"type": "AnnualLeaveBooked", "leave_id": "L2", "from": "2024-08-12", "to": "2024-08-16", "hours": 37.5,
             "recorded_at": "2024-05-02T09:00:00Z"},
            {"type": "AnnualLeaveCancelled", "leave_id": "L2", "recorded_at": "2024-08-01T09:00:00Z"},
            *_sick("A2", "2024-10-07", "S13", "2024-10-11", reported_on="2024-10-07", note="heavy cold"),
            {"type": "SelfCertified", "absence_id": "A2", "on": "2024-10-10"},
            *_meeting("M1", "welcome_back", "2024-10-11", "2024-10-11", "no_further_action", attended=True),
            {"type": "PartDayAbsenceRecorded", "date": "2024-11-05", "hours": 3, "reason": "S25"},
            *_sick("A3", "2025-01-13", "S11", work_related=True, note=HEALTH_TEXT[0]),
            {"type": "FitNoteReceived", "absence_id": "A3", "issued_on": "2025-01-20", "covers_from": "2025-01-20",
             "covers_to": "2025-02-16", "received_on": "2025-01-21"},
            {"type": "InjuryAllowanceGranted", "absence_id": "A3", "from": "2025-01-13"},
            {"type": "OccupationalHealthReferred", "date": "2025-01-27", "note": HEALTH_TEXT[0]},
            {"type": "AnnualLeaveTakenWhileSick", "absence_id": "A3", "from": "2025-02-03", "to": "2025-02-04",
             "hours": 15},
            {"type": "OccupationalHealthReported", "date": "2025-02-10", "outcome": "fit_with_adjustments",
             "note": "no lifting above 10 kg for six weeks"},
            {"type": "ReturnedToWork", "absence_id": "A3", "first_day_back": "2025-02-17"},
            {"type": "PhasedReturnAgreed", "absence_id": "A3", "start": "2025-02-17", "weeks": 4,
             "pattern": "mornings only for two weeks"},
            {"type": "AdjustmentAgreed", "start": "2025-02-17", "review_on": "2025-05-19",
             "description": "no lifting above 10 kg"},
            {"type": "AbsenceAmended", "absence_id": "A3", "reason": "S28", "recorded_at": "2025-02-20T10:00:00Z"},
            {"type": "MeetingScheduled", "meeting_id": "M2", "kind": "informal_review", "date": "2025-03-10",
             "notified_on": "2025-03-03"},
            {"type": "MeetingCancelled", "meeting_id": "M2", "reason": "manager on leave",
             "recorded_at": "2025-03-05T12:00:00Z"},
            *_meeting("M3", "informal_review", "2025-03-17", "2025-03-07", "monitoring", track="short_term",
                      attended=True),
            {"type": "ActionPlanAgreed", "date": "2025-03-17", "review_on": "2025-06-17",
             "description": "weekly check-ins with the ward manager"},
            *_sick("A4", "2025-04-07", "S25", "2025-04-10"),
            {"type": "AbsenceDiscounted", "absence_id": "A4", "reason": "outbreak", "note": HEALTH_TEXT[1]},
            {"type": "StressRiskAssessmentCompleted", "date": "2025-04-14"},
            {"type": "PatternOfAbsenceIdentified", "date": "2025-05-06", "description": HEALTH_TEXT[4]},
            {"type": "TriggerAdjusted", "from": "2025-05-06", "until": "2026-05-05", "extra_days": 5,
             "reason": HEALTH_TEXT[2]},
            {"type": "MedicalSuspensionStarted", "date": "2025-05-19", "reason": HEALTH_TEXT[3]},
            {"type": "MedicalSuspensionReviewed", "date": "2025-05-29", "note": HEALTH_TEXT[3]},
            {"type": "MedicalSuspensionEnded", "date": "2025-06-09"},
            *_sick("A5", "2025-07-07", "S10", notification_compliant=False),
            {"type": "SickPayWithheld", "from": "2025-07-07", "to": "2025-07-08", "reason": "procedure_not_followed"},
            {"type": "FitNoteReceived", "absence_id": "A5", "issued_on": "2025-07-14", "covers_from": "2025-07-14",
             "covers_to": "2025-08-31", "received_on": "2025-07-15"},
            {"type": "SickPayExtended", "from": "2025-08-01", "until": "2025-08-31", "band": "full",
             "reason": "awaiting surgery date"},
            {"type": "ReturnedToWork", "absence_id": "A5", "first_day_back": "2025-09-01"},
            {"type": "UnauthorisedAbsenceDeclared", "from": "2025-09-15", "to": "2025-09-16",
             "reason": "did not attend and could not be reached"},
            {"type": "UnauthorisedAbsenceRescinded", "from": "2025-09-15"},
            *_meeting("M4", "formal_review", "2025-10-06", "2025-09-26", "monitoring", track="short_term",
                      attended=True, note=HEALTH_TEXT[2]),
            {"type": "OutcomeLetterSent", "date": "2025-10-08", "meeting_id": "M4"},
            {"type": "AppealLodged", "date": "2025-10-15", "against": "M4"},
            {"type": "RedeploymentConsidered", "date": "2025-10-20", "outcome": "not_appropriate"},
            {"type": "AppealDecided", "date": "2025-11-10", "against": "M4", "outcome": "upheld"},
            {"type": "OccupationalHealthReferred", "event_id": "ohr-twice", "date": "2025-11-12",
             "note": HEALTH_TEXT[0]},
            {"type": "EventRetracted", "event_ref": "ohr-twice", "reason": "entered twice",
             "recorded_at": "2025-11-13T09:00:00Z"},
        ],
    }


def jersey_officer() -> dict[str, Any]:
    """A Jersey civil servant under the Managing Attendance Policy: a
    transfer, a long absence, a final review and ill-health retirement,
    appealed after employment ended."""
    return {
        "employee": {"employee_id": "GEN-SOJ", "service_start": "2019-02-04", "contracted_hours": 37,
                     "calendar": "jersey", "policy": "soj-ma-1.5", "terms": "soj", "department": "Customer Services",
                     "manager_id": MANAGER, "basic_salary": 42000},
        "events": [
            *_sick("B1", "2025-03-03", "S13", "2025-03-06"),
            {"type": "RoleChanged", "effective": "2025-04-01", "kind": "transfer"},
            *_sick("B2", "2025-06-02", "S10"),
            {"type": "FitNoteReceived", "absence_id": "B2", "issued_on": "2025-06-09", "covers_from": "2025-06-09",
             "covers_to": "2025-09-30", "received_on": "2025-06-10"},
            *_meeting("F1", "final_review", "2025-09-15", "2025-09-01", "ill_health_retirement",
                      track="long_term", attended=True),
            {"type": "EmploymentEnded", "effective": "2025-09-30", "reason": "ill_health_retirement"},
            {"type": "AppealLodged", "date": "2025-10-06", "against": "F1"},
        ],
    }


def every_event_cases() -> list[dict[str, Any]]:
    return [ward_nurse(), jersey_officer()]
