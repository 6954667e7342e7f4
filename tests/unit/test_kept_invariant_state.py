"""The Employee aggregate keeps what its invariants ask about (ids in use,
absences, the end of employment) up to date a fact at a time: a long career
imports with every fact still checked, and what it holds is what folding the
whole history says."""

from copy import deepcopy
from datetime import date, timedelta, timezone

import pytest

from domain.casefile import parse_case
from domain.employee import Employee
from domain.events import Fact, parse_fact, stored_fact
from domain.exceptions import InvalidEvent
from domain.history import fold_absences, visible_facts
from service.ledger import apply_case
from tests.cases import case
from tests.every_event import every_event_cases

CAREER_START = date(2000, 1, 3)


def _long_career(absences: int) -> dict:
    """An absence every fortnight with a return, a meeting each tenth, leave
    each seventh, and now and then a correction known later."""
    events = []
    for n in range(absences):
        first = CAREER_START + timedelta(days=14 * n)
        events += [{"type": "SicknessReported", "absence_id": f"A{n}", "first_day": str(first), "reason": "S13"},
                   {"type": "ReturnedToWork", "absence_id": f"A{n}", "first_day_back": str(first + timedelta(days=3))}]
        if n % 10 == 0:
            events += [{"type": "MeetingScheduled", "meeting_id": f"M{n}", "kind": "welcome_back",
                        "date": str(first + timedelta(days=3)), "notified_on": str(first + timedelta(days=3))}]
        if n % 7 == 0:
            events += [{"type": "AnnualLeaveBooked", "leave_id": f"L{n}", "from": str(first + timedelta(days=7)),
                        "to": str(first + timedelta(days=8)), "hours": 15}]
        if n % 50 == 1:  # the return corrected a day later, recorded long after
            events += [{"type": "AbsenceAmended", "absence_id": f"A{n}", "first_day_back": str(first + timedelta(days=4)),
                        "recorded_at": f"{first + timedelta(days=30)}T09:00:00Z"}]
    return case("LONG", *events, service_start="1999-01-04")


def _record(employee: Employee, **event) -> None:
    employee.record(parse_fact({**event, "recorded_at": "2040-01-01T09:00:00Z"}))


def test_a_long_career_imports_with_every_fact_still_checked(registry):
    employee, stored, _ = apply_case(parse_case(_long_career(1500)), registry)
    assert stored == len(employee.facts) > 3000
    # what the aggregate kept equals folding the whole history again
    assert employee.absences == fold_absences(visible_facts(employee.facts))
    last = employee.absences["A1499"]
    refusals = [
        ({"type": "SicknessReported", "absence_id": "B1", "first_day": str(last.first_day), "reason": "S13"},
         f"first_day: {last.first_day} falls inside absence 'A1499' (from {last.first_day}, to {last.last_day})"),
        ({"type": "SicknessReported", "absence_id": "A7", "first_day": "2039-01-03", "reason": "S13"},
         "absence_id: absence 'A7' was already reported"),
        ({"type": "ReturnedToWork", "absence_id": "A3", "first_day_back": "2039-01-03"},
         f"absence_id: already returned on {employee.absences['A3'].last_day + timedelta(days=1)}: "
         "correct it with AbsenceAmended"),
        ({"type": "MeetingCancelled", "meeting_id": "M11", "reason": "none"}, "meeting_id: unknown meeting 'M11'"),
        ({"type": "AnnualLeaveCancelled", "leave_id": "L8"}, "leave_id: unknown leave 'L8'"),
        ({"type": "SelfCertified", "absence_id": "A1500", "on": "2039-01-03"}, "absence_id: unknown absence 'A1500'"),
    ]
    for event, message in refusals:
        with pytest.raises(InvalidEvent) as refused:
            _record(employee, **event)
        assert str(refused.value) == message
    assert stored == len(employee.facts)  # nothing refused was appended


def test_ids_retractions_and_the_end_of_employment_are_kept_as_facts_arrive(registry):
    employee, _, _ = apply_case(parse_case(_long_career(40)), registry)
    _record(employee, type="SicknessReported", absence_id="B1", first_day="2039-01-03", reason="S13",
            event_id="late-report")
    with pytest.raises(InvalidEvent, match="event id 'late-report' is already used"):
        _record(employee, type="SelfCertified", absence_id="B1", on="2039-01-04", event_id="late-report")
    _record(employee, type="EventRetracted", event_ref="late-report", reason="entered in error", event_id="oops")
    assert "B1" not in employee.absences  # the retraction withdrew it
    assert employee.absences == fold_absences(visible_facts(employee.facts))
    with pytest.raises(InvalidEvent, match="a retraction cannot itself be retracted"):
        _record(employee, type="EventRetracted", event_ref="oops", reason="again")
    _record(employee, type="SicknessReported", absence_id="B2", first_day="2039-01-03", reason="S13")
    # a correction imported as learned before the facts already held: folded again, in known order
    employee.record(parse_fact({"type": "AbsenceAmended", "absence_id": "A5", "first_day_back": "2000-03-17",
                                "recorded_at": "2039-12-01T09:00:00Z"}))
    assert employee.absences["A5"].last_day == date(2000, 3, 16)
    assert employee.absences == fold_absences(visible_facts(employee.facts))
    _record(employee, type="EmploymentEnded", effective="2039-06-30", reason="resignation")
    with pytest.raises(InvalidEvent) as refused:
        _record(employee, type="SicknessReported", absence_id="B3", first_day="2039-07-01", reason="S13")
    assert str(refused.value) == "first_day: 2039-07-01 is after employment ended on 2039-06-30"
    with pytest.raises(InvalidEvent, match="employment already ended on 2039-06-30"):
        _record(employee, type="EmploymentEnded", effective="2039-07-30", reason="resignation")


def test_a_copy_from_the_aggregate_cache_does_not_share_what_a_command_changes(registry):
    employee, _, _ = apply_case(parse_case(_long_career(5)), registry)
    copy = deepcopy(employee)
    _record(copy, type="SicknessReported", absence_id="B1", first_day="2039-01-03", reason="S13", event_id="x1")
    assert "B1" in copy.absences and "B1" not in employee.absences
    assert "x1" not in employee._ids(Fact, "event_id")
    assert len(employee.facts) == len(copy.facts) - 1 and employee.version == copy.version - 1


def test_a_fact_recorded_is_the_fact_read_back_from_its_payload(registry):
    # `record` keeps the fact it decoded instead of re-reading its payload:
    # the two must be the same for every event type
    for file in every_event_cases():
        employee, _, _ = apply_case(parse_case(file), registry)
        assert employee.facts == [stored_fact(f.payload()) for f in employee.facts]


def test_a_fact_read_back_without_validation_is_the_one_validation_makes(registry):
    # `stored_fact` constructs the ledger's own facts with only their JSON
    # types decoded: every field must come back as validation makes it, of
    # the same type (a float stays a float, a moment is in UTC)
    for file in every_event_cases():
        employee, _, _ = apply_case(parse_case(file), registry)
        for fact in employee.facts:
            validated, stored = parse_fact(fact.payload()), stored_fact(fact.payload())
            assert type(stored) is type(validated)
            assert {k: (type(v), v) for k, v in stored.__dict__.items()} == \
                {k: (type(v), v) for k, v in validated.__dict__.items()}
            assert stored.model_fields_set == validated.model_fields_set
            assert stored == validated and repr(stored) == repr(validated)
            assert stored.payload() == fact.payload() and stored.fingerprint == validated.fingerprint
            assert stored.recorded_at is not None and stored.recorded_at.tzinfo is timezone.utc

