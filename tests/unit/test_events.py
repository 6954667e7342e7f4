"""Each event validates its own fields and names the one at fault."""

import pytest
from pydantic import ValidationError

from domain.casefile import parse_case
from domain.events import FACT_TYPES, SicknessReported, parse_fact
from domain.exceptions import InvalidEvent
from tests.cases import case

SPEC_EVENTS = {
    "EmployeeRegistered", "ContractChanged", "RoleChanged", "PolicyAssigned", "EmploymentEnded",
    "SicknessReported", "PartDayAbsenceRecorded", "SelfCertified", "FitNoteReceived", "ReturnedToWork",
    "AbsenceAmended", "AbsenceDiscounted", "EventRetracted", "UnauthorisedAbsenceDeclared",
    "UnauthorisedAbsenceRescinded", "MedicalSuspensionStarted", "MedicalSuspensionEnded",
    "AnnualLeaveBooked", "AnnualLeaveCancelled", "AnnualLeaveConvertedToSickness",
    "AnnualLeaveTakenWhileSick", "PhasedReturnAgreed", "AdjustmentAgreed", "OccupationalHealthReferred",
    "OccupationalHealthReported", "SickPayExtended", "InjuryAllowanceGranted",
    "PatternOfAbsenceIdentified", "TriggerAdjusted", "MeetingScheduled", "MeetingHeld",
    "MeetingCancelled", "AppealLodged", "AppealDecided",
    # SPEC 11 (issue 10): the case-management workflow
    "StressRiskAssessmentCompleted", "RedeploymentConsidered", "OutcomeLetterSent",
    "MedicalSuspensionReviewed", "SickPayWithheld", "ActionPlanAgreed",
}


def test_the_vocabulary_is_exactly_the_specification_s_events():
    assert set(FACT_TYPES) == SPEC_EVENTS


def _error(event: dict) -> str:
    with pytest.raises(InvalidEvent) as raised:
        parse_case(case("E1", event))
    return str(raised.value)


@pytest.mark.parametrize("event, message", [
    ({"type": "FitNoteReceived", "absence_id": "A1", "issued_on": "2025-03-01", "covers_from": "2025-03-10",
      "covers_to": "2025-03-09", "received_on": "2025-03-02"},
     "events[0].covers_to: must not be before covers_from (2025-03-10)"),
    ({"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-03-03", "reason": "S50"},
     "events[0].reason: unknown ESR reason code 'S50'"),
    ({"type": "PartDayAbsenceRecorded", "date": "2025-03-03", "hours": 0, "reason": "S13"},
     "events[0].hours: Input should be greater than 0"),
    ({"type": "AnnualLeaveBooked", "leave_id": "L1", "from": "2025-03-03", "to": "2025-03-01", "hours": 15},
     "events[0].to: must not be before from_"),
    ({"type": "SicknessWished", "absence_id": "A1"}, "events[0].type: unknown event type 'SicknessWished'"),
    ({"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-03-03", "reason": "S13",
      "diagnosis": "x"}, "events[0].diagnosis: Extra inputs are not permitted"),
    ({"type": "SicknessReported", "absence_id": "A1", "reason": "S13"}, "events[0].first_day: Field required"),
    ({"type": "AbsenceAmended", "absence_id": "A1", "reason": "S11"},
     "events[0].recorded_at: required: a AbsenceAmended has no effective date"),
])
def test_an_invalid_field_is_named_with_its_event_index(event, message):
    assert _error(event).startswith(message)


def test_contracted_hours_above_168_are_refused():
    with pytest.raises(InvalidEvent, match=r"^employee\.contracted_hours: Input should be less than or equal to 168"):
        parse_case(case("E1", contracted_hours=169))


def test_pregnancy_reason_implies_pregnancy_related():
    assert SicknessReported(absence_id="A", first_day="2025-01-06", reason="S30").is_pregnancy_related


def test_the_default_recorded_at_is_the_end_of_the_effective_day():
    parsed = parse_case(case("E1", {"type": "SicknessReported", "absence_id": "A1",
                                    "first_day": "2025-03-03", "reason": "S13"}))
    assert parsed.events[0][1].recorded_at.isoformat() == "2025-03-03T23:59:59+00:00"


def test_a_fingerprint_ignores_who_recorded_the_fact():
    a = parse_fact({"type": "SelfCertified", "absence_id": "A1", "on": "2025-03-03", "actor": "x"})
    b = parse_fact({"type": "SelfCertified", "absence_id": "A1", "on": "2025-03-03", "actor": "y"})
    assert a.fingerprint == b.fingerprint


def test_payload_round_trips_through_the_store_format():
    fact = parse_fact({"type": "UnauthorisedAbsenceDeclared", "from": "2025-03-03", "reason": "no contact"})
    assert parse_fact(fact.payload()) == fact
    assert fact.payload()["from"] == "2025-03-03"


def test_validation_errors_are_pydantic_errors_before_a_case_file_names_them():
    with pytest.raises(ValidationError):
        parse_fact({"type": "ReturnedToWork", "absence_id": "A1"})


def test_optional_hours_stay_optional():
    assert parse_fact({"type": "PartDayAbsenceRecorded", "date": "2025-03-03", "reason": "S13"}).hours is None
    change = parse_fact({"type": "ContractChanged", "effective": "2025-03-03", "manager_id": "M2"})
    assert change.contracted_hours is None


def test_a_leave_booking_over_168_hours_is_refused():
    with pytest.raises(ValidationError, match="less than or equal to 168"):
        parse_fact({"type": "AnnualLeaveBooked", "leave_id": "L1", "from": "2025-08-04", "to": "2025-09-05",
                    "hours": 187.5})


def test_a_discounted_absence_without_recorded_at_is_recorded_with_the_event_before_it():
    parsed = parse_case(case("E1", {"type": "SicknessReported", "absence_id": "A1",
                                    "first_day": "2025-03-03", "reason": "S13"},
                             {"type": "AbsenceDiscounted", "absence_id": "A1", "reason": "outbreak"}))
    assert parsed.events[1][1].recorded_at.isoformat() == "2025-03-03T23:59:59+00:00"
