"""The `attendance` command as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cases import TEN_DAYS, absence, case

ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
SPEC_KEYS = {"employee_id", "policy", "as_of", "tracks", "reviews_due", "actions", "sick_pay",
             "annual_leave", "bradford_factor"}


def run(*args: str, cwd: Path, env: dict | None = None, code: int = 0) -> subprocess.CompletedProcess:
    """`attendance ...` in a process; it must exit with `code` (a crash is never a pass)."""
    environment = {k: v for k, v in os.environ.items() if k != "ATTENDANCE_DATABASE_URL"}
    environment.update(env or {})
    done = subprocess.run([ATTENDANCE, *args], cwd=cwd, env=environment, capture_output=True, text=True)
    assert done.returncode == code, f"attendance {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "e1.json").write_text(json.dumps(case("E1", *TEN_DAYS, manager_id="MGR1")))
    return tmp_path


def test_evaluate_prints_the_specification_s_status_document(workdir):
    done = run("evaluate", "e1.json", "--as-of", "2025-10-01", cwd=workdir)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert SPEC_KEYS <= set(status)
    assert status["tracks"]["short_term"]["working_days_lost_12m"] == 10
    assert status["reviews_due"][0]["triggered_on"] == "2025-09-05"
    assert not (workdir / "attendance.db").exists(), "evaluate writes nothing"


def test_evaluate_is_byte_identical_run_after_run(workdir):
    outputs = {run("evaluate", "e1.json", "--as-of", "2025-10-01", "--known-at", "2025-12-01T00:00:00Z",
                   cwd=workdir).stdout for _ in range(2)}
    assert len(outputs) == 1


def test_evaluate_as_text_names_the_rule_and_its_citation(workdir):
    done = run("evaluate", "e1.json", "--as-of", "2025-10-01", "--format", "text", cwd=workdir)
    assert "stage 1 informal_review (short_term), triggered 2025-09-05" in done.stdout
    assert "[sath-w22-v6 11.1.1 stage 1" in done.stdout


def test_an_invalid_case_file_exits_2_with_one_line_naming_index_and_field(workdir):
    bad = case("E1", *absence("A1", "2025-06-02"),
               {"type": "FitNoteReceived", "absence_id": "A1", "issued_on": "2025-06-09",
                "covers_from": "2025-06-09", "covers_to": "2025-06-01", "received_on": "2025-06-10"})
    (workdir / "bad.json").write_text(json.dumps(bad))
    for command in (["evaluate", "bad.json", "--as-of", "2025-10-01"], ["import", "e1.json", "bad.json"]):
        done = run(*command, cwd=workdir, code=2)
        assert done.stderr.strip().splitlines() == [
            "error: events[1].covers_to: must not be before covers_from (2025-06-09)"]
    assert "E1" not in run("worklist", "--as-of", "2025-10-01", cwd=workdir).stdout, \
        "a failed import writes nothing, not even the valid file before it"


def test_import_twice_stores_nothing_new_and_status_reads_the_ledger(workdir):
    first = run("import", "e1.json", cwd=workdir)
    second = run("import", "e1.json", cwd=workdir)
    assert "5 new events stored" in first.stdout
    assert "0 new events stored, 5 already in the ledger" in second.stdout
    status = json.loads(run("status", "E1", "--as-of", "2025-10-01", cwd=workdir).stdout)
    evaluated = json.loads(run("evaluate", "e1.json", "--as-of", "2025-10-01", cwd=workdir).stdout)
    assert status == evaluated


def test_the_database_url_selects_the_store(workdir):
    run("import", "e1.json", cwd=workdir, env={"ATTENDANCE_DATABASE_URL": "sqlite:///other.db"})
    assert (workdir / "other.db").exists() and not (workdir / "attendance.db").exists()


def test_worklist_lists_reviews_due_and_overdue_actions_oldest_first(workdir):
    (workdir / "e2.json").write_text(json.dumps(case("E2", *absence("A1", "2025-09-22", "2025-09-24"))))
    run("import", "e1.json", "e2.json", cwd=workdir)
    done = run("worklist", "--as-of", "2025-10-01", "--format", "json", cwd=workdir)
    items = json.loads(done.stdout)
    assert [(i["date"], i["employee_id"], i["kind"]) for i in items] == [
        ("2025-06-12", "E1", "action_overdue"),   # welcome back after A1 (back 9 Jun)
        ("2025-09-05", "E1", "review_due"),
        ("2025-09-11", "E1", "action_overdue"),   # welcome back after A2 (back 8 Sep)
        ("2025-09-27", "E2", "action_overdue"),   # welcome back after A1 (back 24 Sep)
    ]
    assert items[1]["manager_id"] == "MGR1"


def test_status_of_an_unknown_employee_exits_2(workdir):
    done = run("status", "NOPE", "--as-of", "2025-10-01", cwd=workdir, code=2)
    assert "employee 'NOPE' is not in the ledger" in done.stderr


def test_logs_carry_the_employee_but_never_the_reason(workdir):
    done = run("import", "e1.json", cwd=workdir, env={"ATTENDANCE_LOG_LEVEL": "INFO"})
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert any(line.get("employee") == "E1" for line in lines)
    assert "S13" not in done.stderr and "S25" not in done.stderr


def test_replay_compares_two_policies_as_text_json_and_csv(workdir):
    run("import", "e1.json", cwd=workdir)
    text = run("replay", "--policy", "sath-w22-v6", "--compare", "nw-wam-2024", "--as-of", "2025-10-01",
               cwd=workdir)
    assert "sath-w22-v6: 1 employees, 1 with a review due, 0 formal processes" in text.stdout
    assert re.search(r"^E1 +stage 1 informal_review \(short_term\) +-$", text.stdout, re.MULTILINE)
    summary = json.loads(run("replay", "--policy", "nw-wam-2024", "--compare", "sath-w22-v6", "--as-of",
                             "2025-10-01", "--format", "json", cwd=workdir).stdout)
    assert summary["comparison"]["employees_differing"] == 1
    table = run("replay", "--policy", "sath-w22-v6", "--as-of", "2025-10-01", "--format", "csv", cwd=workdir)
    assert table.stdout.splitlines()[1].startswith("E1,MGR1,sath-w22-v6,0,0,stage 1 informal_review (short_term)")


def test_replay_under_a_provisional_rulebook_warns(workdir):
    run("import", "e1.json", cwd=workdir)
    done = run("replay", "--policy", "sath-w22-v5.13", "--as-of", "2025-10-01", cwd=workdir)
    assert "warning: rulebook sath-w22-v5.13 is provisional" in done.stderr


def test_evaluate_under_another_policy(workdir):
    done = run("evaluate", "e1.json", "--as-of", "2025-10-01", "--policy", "nw-wam-2024", cwd=workdir)
    status = json.loads(done.stdout)
    assert status["policy"] == "nw-wam-2024" and status["reviews_due"] == []


def test_transition_review_lists_then_applies_once(workdir):
    (workdir / "old.json").write_text(json.dumps(case("OLD1", *absence("A1", "2025-05-06", "2025-05-07"),
                                                      *absence("A2", "2025-07-09", "2025-07-10", "S16"),
                                                      *absence("A3", "2025-09-09", "2025-09-10", "S25"),
                                                      policy="sath-w22-v5.13")))
    run("import", "old.json", cwd=workdir)
    review = ["transition-review", "--from", "sath-w22-v5.13", "--to", "sath-w22-v6", "--as-of", "2025-09-30"]
    listed = run(*review, "--format", "json", cwd=workdir)
    [row] = json.loads(listed.stdout)
    assert row["employee_id"] == "OLD1" and row["reason"].startswith("new case since 2025-04-23")
    applied = run(*review, "--apply", cwd=workdir)
    assert "recorded PolicyAssigned (sath-w22-v6) for 1 employees" in applied.stderr
    assert run(*review, "--apply", cwd=workdir).stdout.strip() == "No case under sath-w22-v5.13 to review."
    status = json.loads(run("status", "OLD1", "--as-of", "2025-10-01", cwd=workdir).stdout)
    assert status["policy"] == "sath-w22-v6"


def test_explain_names_rules_numbers_events_and_is_reproducible(workdir):
    run("import", "e1.json", cwd=workdir)
    args = ["explain", "E1", "--as-of", "2025-10-01", "--known-at", "2025-12-01T00:00:00Z", "--format", "json"]
    first, second = (run(*args, cwd=workdir).stdout for _ in range(2))
    assert first == second
    explanation = json.loads(first)
    assert explanation["policy"]["id"] == "sath-w22-v6" and len(explanation["policy"]["content_hash"]) == 64
    [days] = [r for r in explanation["rules_evaluated"] if r["rule"] == "stage1-working-days-12m"]
    assert (days["counted"], days["threshold"], days["fired_on"], days["met"]) == (10, 10, "2025-09-05", True)
    assert [(e["event_id"], e["type"], e["recorded_at"]) for e in explanation["events_counted"]][:2] == [
        ("2", "SicknessReported", "2025-06-02T23:59:59Z"), ("3", "ReturnedToWork", "2025-06-09T23:59:59Z")]
    text = run("explain", "E1", "--as-of", "2025-10-01", cwd=workdir).stdout
    assert "stage1-working-days-12m: 10 counted against 10 from 2024-09-06 to 2025-09-05: MET on 2025-09-05" in text


def test_explain_at_an_earlier_known_at_does_not_see_a_later_correction(workdir):
    corrected = case("C1", *absence("A1", "2025-06-02", "2025-06-09"), *absence("A2", "2025-09-01", "2025-09-05", "S25"),
                     {"type": "AbsenceAmended", "absence_id": "A2", "first_day_back": "2025-09-08",
                      "recorded_at": "2025-09-15T11:00:00Z"})
    (workdir / "c1.json").write_text(json.dumps(corrected))
    run("import", "c1.json", cwd=workdir)
    then = json.loads(run("explain", "C1", "--as-of", "2025-10-01", "--known-at", "2025-09-10",
                          "--format", "json", cwd=workdir).stdout)
    now = json.loads(run("explain", "C1", "--as-of", "2025-10-01", "--format", "json", cwd=workdir).stdout)
    assert then["reviews_due"] == [] and "AbsenceAmended" not in [e["type"] for e in then["events_counted"]]
    assert now["reviews_due"][0]["triggered_on"] == "2025-09-05"
    assert "AbsenceAmended" in [e["type"] for e in now["events_counted"]]


def test_an_organisation_rulebook_directory_is_used_and_checked(workdir):
    rulebooks = workdir / "rulebooks"
    rulebooks.mkdir()
    (rulebooks / "bad.yaml").write_text("id: ours\ntitle: x\n")
    done = run("evaluate", "e1.json", "--as-of", "2025-10-01", cwd=workdir,
               env={"ATTENDANCE_RULEBOOKS": str(rulebooks)}, code=2)
    assert done.stderr.startswith("error: bad.yaml line 1: source: Field required")


def test_pay_prints_each_day_with_its_band_ssp_and_rule(workdir):
    run("import", "e1.json", cwd=workdir)
    done = run("pay", "E1", "--from", "2025-06-01", "--to", "2025-06-09", cwd=workdir)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("date,status,band,pay_percent,ssp,ssp_on_top,rule")
    assert lines[1].startswith("2025-06-01,at_work,")
    assert lines[2].startswith("2025-06-02,sick,full,100,0.0000,0.0000,full pay: day 1 of 183 full-pay days")
    assert lines[5].startswith("2025-06-05,sick,full,100,23.7500,")
    days = json.loads(run("pay", "E1", "--from", "2025-06-02", "--to", "2025-06-02", "--format", "json",
                          cwd=workdir).stdout)
    assert days[0]["ssp_rule"] == "no SSP: waiting day 1 of 3"


def test_pay_refuses_a_period_ending_before_it_starts(workdir):
    run("import", "e1.json", cwd=workdir)
    done = run("pay", "E1", "--from", "2025-06-09", "--to", "2025-06-01", cwd=workdir, code=2)
    assert "must not be before --from" in done.stderr


def test_leave_prints_the_year_s_ledger_with_citations(workdir):
    run("import", "e1.json", cwd=workdir)
    text = run("leave", "E1", "--year", "2025", cwd=workdir).stdout
    assert text.splitlines()[0] == ("Annual leave of E1 for the leave year from 2025-04-01 (sath-w22-v6), "
                                    "as of 2026-03-31")
    assert "entitlement" in text and "AfC 13.1; sath-w22-v6 9.4" in text
    ledger = json.loads(run("leave", "E1", "--year", "2025", "--format", "json", cwd=workdir).stdout)
    assert ledger["entitlement_hours"] == 307.5   # after 10 years: (33 + 8) x 7.5


def test_a_manager_s_worklist_shows_only_their_staff_and_what_is_coming_within_the_horizon(workdir):
    # E2 (manager MGR2) back Mon 22 Sep 2025: the discussion is due 25 Sep.
    (workdir / "e2.json").write_text(json.dumps(case("E2", *absence("A1", "2025-09-15", "2025-09-22"),
                                                     manager_id="MGR2")))
    run("import", "e1.json", "e2.json", cwd=workdir)
    done = run("worklist", "--as-of", "2025-09-23", "--manager", "MGR2", "--horizon", "7",
               "--format", "json", cwd=workdir)
    assert done.returncode == 0, done.stderr
    items = json.loads(done.stdout)
    assert {i["employee_id"] for i in items} == {"E2"}
    assert [(i["section"], i["due"], i["about"]) for i in items if i["kind"] == "action_upcoming"] == [
        ("upcoming", "2025-09-25", "sickness absence 2025-09-15 to 2025-09-21")]
    text = run("worklist", "--as-of", "2025-09-23", "--manager", "MGR2", cwd=workdir)
    assert text.returncode == 0 and "UPCOMING" in text.stdout and "Hold the return-to-work" in text.stdout


def test_the_monthly_priority_snapshot_marks_cases_new_this_month(workdir):
    run("import", "e1.json", cwd=workdir)
    done = run("query", "priority-cases", "--month", "2025-09", "--format", "json", cwd=workdir)
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(done.stdout)
    # E1's 10th working day (5 Sep) made stage 1 due in September: new this month.
    assert [(e["employee_id"], e["new_this_month"], e["sickness_days_lost_12m"]) for e in snapshot["entries"]] == [
        ("E1", True, 10)]
    bad = run("query", "priority-cases", "--month", "2025-13", cwd=workdir, code=2)
    assert "--month" in bad.stderr


def test_the_rtw_metric_and_the_audit_sample_come_out_of_query(workdir):
    run("import", "e1.json", cwd=workdir)
    rtw = run("query", "rtw", "--as-of", "2025-10-01", cwd=workdir)
    assert rtw.returncode == 0, rtw.stderr
    overall = [r for r in json.loads(rtw.stdout) if r["period"] == "overall" and r["by"] == "policy"]
    assert overall == [{"period": "overall", "name": "overall", "by": "policy", "value": "sath-w22-v6",
                        "returns": 2, "discussed_on_time": 0, "rate": 0.0}]
    sample = run("query", "audit-sample", "--as-of", "2025-10-01", "--size", "3", "--seed", "1", cwd=workdir)
    assert sample.returncode == 0, sample.stderr
    assert [s["employee_id"] for s in json.loads(sample.stdout)["sample"]] == ["E1"]


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.strip().splitlines() if line.startswith("error: ")
             or line.startswith("Error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("year", ["99999", "1899", "2200"])
def test_a_leave_year_outside_1900_to_2199_is_refused_as_over_http(workdir, year):
    run("import", "e1.json", cwd=workdir)
    line = _one_error_line(run("leave", "E1", "--year", year, cwd=workdir, code=2))
    assert "--year" in line


def test_projecting_back_to_an_earlier_day_says_which_day_it_holds_and_that_it_needs_a_rebuild(workdir):
    run("import", "e1.json", cwd=workdir)
    run("project", "--once", "--as-of", "2025-11-28", cwd=workdir)
    line = _one_error_line(run("project", "--once", "--as-of", "2025-11-01", cwd=workdir, code=2))
    assert line == ("error: the read model holds 2025-11-28, a later day: going back to 2025-11-01 "
                    "needs a rebuild (attendance rebuild --as-of 2025-11-01)")
    run("rebuild", "--as-of", "2025-11-01", cwd=workdir)


@pytest.mark.parametrize(("variable", "value"), [
    ("ATTENDANCE_RETENTION_YEARS", "abc"), ("ATTENDANCE_KAFKA_PARTITIONS", "x"),
    ("ATTENDANCE_DATABASE_URL", "mysql://x")])
def test_an_unusable_setting_is_refused_in_one_line_naming_its_variable(workdir, variable, value):
    done = run("import", "e1.json", cwd=workdir, env={variable: value}, code=2)
    assert _one_error_line(done).startswith(f"error: {variable}: ")
    assert not (workdir / "attendance.db").exists()
