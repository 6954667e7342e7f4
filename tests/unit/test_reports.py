"""The council's reports (seed 002, SPEC 10 corrected): priority cases on all
sickness days, the monthly snapshot, the RTW metric and the audit sample -
each worked by hand."""

from __future__ import annotations

from datetime import date

from service.ledger import apply_case
from domain.casefile import parse_case
from projections.explain import explain_view
from projections.reports import audit_sample, monthly_snapshot, priority_cases, return_to_work_metric
from projections.view import EmployeeView
from tests.cases import TEN_DAYS, absence, case

PATTERN = {"type": "PatternOfAbsenceIdentified", "date": "2025-08-01", "description": "around weekends"}


def histories(registry, *cases):
    return [apply_case(parse_case(c), registry)[0].facts for c in cases]


def population(registry):
    return histories(
        registry,
        # Off since Mon 4 Aug 2025: 19 working days in August (25 Aug is a bank
        # holiday) and 22 in September; long-term stage 1 due from 1 Sep.
        case("E1", *absence("A1", "2025-08-04", reason="S11")),
        # 10 working days (2-6 Jun, 1-5 Sep): stage 1 due 5 Sep.
        case("E2", *TEN_DAYS),
        case("E3"),
        # A pattern on 1 Aug: stage 1 due, no days lost.
        case("E4", PATTERN),
        # The same, then a review with no further action on 10 Sep: closed.
        case("E5", PATTERN, {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-09-10",
                             "outcome": "no_further_action"}),
    )


def test_a_long_term_absentee_ranks_first_on_all_working_days_lost(registry):
    ranked = priority_cases(population(registry), registry, date(2025, 9, 30))
    assert [(e["rank"], e["employee_id"], e["sickness_days_lost_12m"]) for e in ranked] == [
        (1, "E1", 41), (2, "E2", 10), (3, "E4", 0)]


def test_the_monthly_snapshot_marks_new_cases_movement_and_those_that_left(registry):
    people = population(registry)
    snapshot = monthly_snapshot(lambda: people, registry, "2025-09")
    assert (snapshot["as_of"], snapshot["previous_as_of"]) == ("2025-09-30", "2025-08-31")
    # On 31 Aug: E1 (its 10th working day, 15 Aug, made a short-term stage 1
    # due before it became long-term; 19 days), then the two pattern cases
    # with no days, E4 before E5 (ties by id). E2's second absence is in Sep.
    assert [(e["employee_id"], e["new_this_month"], e["previous_rank"], e["movement"])
            for e in snapshot["entries"]] == [("E1", False, 1, 0), ("E2", True, None, None),
                                              ("E4", False, 2, -1)]
    assert snapshot["left_the_list"] == ["E5"]


def test_the_rtw_metric_counts_only_discussions_held_within_72_hours(registry):
    welcome = [{"type": "MeetingHeld", "kind": "welcome_back", "date": day, "outcome": "no_further_action"}
               for day in ("2025-06-06", "2025-07-14")]
    people = histories(registry, case("R1", *absence("A1", "2025-06-02", "2025-06-05"), welcome[0],
                                      *absence("A2", "2025-07-01", "2025-07-07", "S16"), welcome[1],
                                      department="Ward 7"))
    rows = return_to_work_metric(people, registry, date(2025, 7, 31))
    by_department = {(r["period"], r["name"]): (r["returns"], r["discussed_on_time"], r["rate"])
                     for r in rows if r["by"] == "department"}
    # Back 5 Jun, discussed 6 Jun (due 8 Jun): on time. Back 7 Jul, discussed
    # 14 Jul (due 10 Jul): done, late, not counted.
    assert by_department == {("month", "2025-06"): (1, 1, 1.0), ("month", "2025-07"): (1, 0, 0.0),
                             ("quarter", "2025-Q2"): (1, 1, 1.0), ("quarter", "2025-Q3"): (1, 0, 0.0),
                             ("overall", "overall"): (2, 1, 0.5)}
    assert {(r["value"], r["returns"]) for r in rows if r["by"] == "policy" and r["period"] == "overall"} == \
        {("sath-w22-v6", 2)}


def test_the_audit_sample_is_reproducible_and_drawn_from_open_cases(registry):
    people = population(registry)
    first = audit_sample(people, registry, date(2025, 9, 30), size=2, seed=42)
    again = audit_sample(people, registry, date(2025, 9, 30), size=2, seed=42)
    assert first == again and first["open_cases"] == 3
    chosen = [s["employee_id"] for s in first["sample"]]
    assert len(chosen) == 2 and set(chosen) <= {"E1", "E2", "E4"}
    assert all("rules_evaluated" in s and "product_choices" in s for s in first["sample"])


def test_explain_lists_the_settings_that_are_the_product_s_choice(registry):
    [facts] = histories(registry, case("X1"))
    view = EmployeeView.of(facts, date(2025, 9, 30))
    settings = {c["setting"] for c in explain_view(view, registry.get("sath-w22-v6"), registry)["product_choices"]}
    assert {"actions.fit_note_renewal", "actions.occupational_health_report", "actions.sick_pay_review",
            "pattern_suggestions"} <= settings
    assert "actions.return_to_work_discussion" not in settings  # 72 hours is the policy's (10.1)
