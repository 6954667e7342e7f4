"""The case-management workflow as an HR adviser and a manager run it
(issue 10), through the command line and the HTTP API alike: every new
event type recorded both ways gives the same status, each completes the
action it answers, and the reports agree between the CLI and the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.event_flags import flag
from api.http import create_app
from service.ledger import AttendanceLedger
from tests.test_cli import run

AS_OF = "2025-10-20"
F01 = {"employee_id": "F01", "service_start": "2015-01-05", "contracted_hours": 37.5,
       "working_days": ["mon", "tue", "wed", "thu", "fri"], "policy": "sath-w22-v6",
       "manager_id": "MGR1", "department": "Wards"}
N01 = {"employee_id": "N01", "service_start": "2015-01-05", "contracted_hours": 37.5, "policy": "nw-wam-2024",
       "manager_id": "MGR2", "department": "Estates"}
EVENTS = {"F01": [
    {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-03-03", "reason": "S10"},
    {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-03-06"},
    {"type": "SickPayWithheld", "from": "2025-03-03", "to": "2025-03-04", "reason": "procedure_not_followed"},
    {"type": "StressRiskAssessmentCompleted", "date": "2025-03-10"},
    {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-06-02", "outcome": "escalate", "track": "short_term"},
    {"type": "MeetingHeld", "kind": "formal_review", "date": "2025-07-07", "outcome": "escalate", "track": "short_term"},
    {"type": "OutcomeLetterSent", "date": "2025-07-10"},
    {"type": "RedeploymentConsidered", "date": "2025-08-01", "outcome": "no_suitable_vacancy"},
    {"type": "MeetingScheduled", "meeting_id": "M9", "kind": "final_review", "date": "2025-09-01",
     "notified_on": "2025-08-11"},
    {"type": "OccupationalHealthReported", "date": "2025-08-25", "outcome": "unfit"},
    {"type": "MedicalSuspensionStarted", "date": "2025-10-01"},
    {"type": "MedicalSuspensionReviewed", "date": "2025-10-10"},
], "N01": [
    {"type": "ActionPlanAgreed", "date": "2025-10-01", "review_on": "2025-11-01"},
]}
# Worked out from the rulebooks' settings (`attendance explain` lists them):
# sath-w22-v6 - stress risk assessment 7 days after the return from an S10
# absence (back Thu 6 Mar, last day Wed 5 Mar: due Thu 13 Mar); outcome letter
# 7 days after a formal review (7 Jul: due 14 Jul); final-review checks at the
# final review scheduled for 1 Sep, done when both occupational health advice
# (25 Aug) and redeployment (1 Aug) fall in the 3 months before it: on 25 Aug;
# medical suspension reviewed every 10 days (from 1 Oct: due 11 Oct);
# nw-wam-2024 - the action plan reviewed on its review day.
COMPLETED = [
    {"kind": "stress_risk_assessment", "due_by": "2025-03-13", "done": True, "done_on": "2025-03-10"},
    {"kind": "outcome_letter", "due_by": "2025-07-14", "done": True, "done_on": "2025-07-10"},
    {"kind": "final_review_checks", "due_by": "2025-09-01", "done": True, "done_on": "2025-08-25"},
    {"kind": "medical_suspension_review", "due_by": "2025-10-11", "done": True, "done_on": "2025-10-10"},
]


def _flags(event: dict) -> list[str]:
    return [part for name, value in event.items() if name != "type"
            for part in (flag(name), ",".join(value) if isinstance(value, list) else str(value))]


def _ok(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, monkeypatch_module):
    """The same cases recorded from the CLI in one ledger and over HTTP in another."""
    by_cli, by_http = tmp_path_factory.mktemp("cli"), tmp_path_factory.mktemp("http")
    for registration in (F01, N01):
        _ok(run("register", *_flags(registration), cwd=by_cli))
        for event in EVENTS[registration["employee_id"]]:
            _ok(run("record", registration["employee_id"], event["type"], *_flags(event), cwd=by_cli))
    app = create_app(AttendanceLedger(str(by_http / "attendance.db")), access_log=by_http / "access.log")
    client = TestClient(app)
    hr = _as(Role.hr, "hr1")
    for registration in (F01, N01):
        assert client.post("/employees", json=registration, headers=hr).status_code == 201
        for event in EVENTS[registration["employee_id"]]:
            answer = client.post(f"/employees/{registration['employee_id']}/events", json=event, headers=hr)
            assert answer.status_code == 201, answer.text
    return by_cli, by_http, client


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTENDANCE_JWT_KEY", "workflow-signing-key-of-a-decent-length-0123456789")
        yield patch


def _as(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(role, sub)}"}


def _cli_json(*args: str, cwd: Path):
    return json.loads(_ok(run(*args, "--format", "json", cwd=cwd)))


@pytest.mark.parametrize("employee", ["F01", "N01"])
def test_the_same_events_from_the_cli_and_over_http_give_the_same_status(recorded, employee):
    by_cli, _, client = recorded
    over_http = client.get(f"/employees/{employee}/status?as_of={AS_OF}", headers=_as(Role.hr, "hr1"))
    assert over_http.status_code == 200
    assert _cli_json("status", employee, "--as-of", AS_OF, cwd=by_cli) == over_http.json()


def test_each_new_event_completes_the_action_it_answers(recorded):
    _, _, client = recorded
    actions = client.get(f"/employees/F01/status?as_of={AS_OF}", headers=_as(Role.hr, "hr1")).json()["actions"]
    for expected in COMPLETED:
        assert any(expected.items() <= action.items() for action in actions), (expected, actions)
    plan = client.get(f"/employees/N01/status?as_of={AS_OF}", headers=_as(Role.hr, "hr1")).json()["actions"]
    assert any({"kind": "action_plan_review", "due_by": "2025-11-01", "done": False}.items() <= a.items()
               for a in plan), plan


def test_sick_pay_withheld_is_nil_pay_on_those_days_over_http_and_from_the_cli(recorded):
    by_cli, _, client = recorded
    over_http = client.get("/employees/F01/pay?from=2025-03-03&to=2025-03-05", headers=_as(Role.payroll, "pay1"))
    assert over_http.status_code == 200
    days = over_http.json()
    assert [(d["band"], d["rule"]) for d in days] == [
        ("nil", "nil pay: sick pay withheld"), ("nil", "nil pay: sick pay withheld"),
        ("full", "full pay: day 1 of 183 full-pay days")]
    assert json.loads(_ok(run("pay", "F01", "--from", "2025-03-03", "--to", "2025-03-05", "--format", "json",
                              cwd=by_cli))) == days


def test_the_worklist_by_manager_and_horizon_is_the_same_from_the_cli_and_over_http(recorded):
    _, by_http, client = recorded
    cli = _cli_json("worklist", "--as-of", AS_OF, "--manager", "MGR2", "--horizon", "14", cwd=by_http)
    as_hr = client.get(f"/worklist?as_of={AS_OF}&manager=MGR2&horizon=14", headers=_as(Role.hr, "hr1"))
    as_manager = client.get(f"/worklist?as_of={AS_OF}&horizon=14", headers=_as(Role.manager, "MGR2"))
    assert as_hr.status_code == as_manager.status_code == 200
    assert cli == as_hr.json() == as_manager.json()
    plan = {"employee_id": "N01", "section": "upcoming", "label": "Review the action plan", "due": "2025-11-01"}
    assert sum(plan.items() <= item.items() for item in cli) == 1
    narrower = client.get(f"/worklist?as_of={AS_OF}&manager=MGR2&horizon=5", headers=_as(Role.hr, "hr1")).json()
    assert not any(plan.items() <= item.items() for item in narrower), "due 1 Nov: beyond 5 days from 20 Oct"
    other = client.get(f"/worklist?as_of={AS_OF}&manager=MGR1", headers=_as(Role.manager, "MGR2"))
    assert other.status_code == 403 and other.headers["content-type"].startswith("application/problem+json")


REPORTS = [
    (f"/reports/rtw?as_of={AS_OF}", ("query", "rtw", "--as-of", AS_OF)),
    (f"/reports/audit-sample?as_of={AS_OF}&size=1&seed=3", ("query", "audit-sample", "--as-of", AS_OF,
                                                            "--size", "1", "--seed", "3")),
    ("/reports/priority-cases?month=2025-10", ("query", "priority-cases", "--month", "2025-10", "--format", "json")),
]


@pytest.mark.parametrize(("path", "command"), REPORTS)
def test_the_reports_over_http_are_the_cli_s_for_hr_and_auditors_only(recorded, path, command):
    _, by_http, client = recorded
    cli = json.loads(_ok(run(*command, cwd=by_http)))
    for role in (Role.hr, Role.auditor):
        answer = client.get(path, headers=_as(role, "someone"))
        assert answer.status_code == 200, answer.text
        assert answer.json() == cli
    for role in (Role.manager, Role.employee, Role.payroll):
        headers = {"Authorization": f"Bearer {issue(role, 'x', 'F01' if role is Role.employee else None)}"}
        assert client.get(path, headers=headers).status_code == 403


def test_the_audit_sample_is_reproducible_and_logged_as_a_read_of_each_case(recorded):
    _, by_http, client = recorded
    path = f"/reports/audit-sample?as_of={AS_OF}&size=2&seed=11"
    first, second = (client.get(path, headers=_as(Role.auditor, "aud1")).json() for _ in range(2))
    assert first == second and first["open_cases"] >= 1
    assert all("product_choices" in case and "rules_evaluated" in case for case in first["sample"])
    logged = [json.loads(line) for line in (by_http / "access.log").read_text().splitlines()]
    sampled = {case["employee_id"] for case in first["sample"]}
    assert sampled <= {e["employee"] for e in logged if e["read"] == "audit-sample" and e["who"] == "auditor:aud1"}


@pytest.mark.parametrize("month", ["2025-13", "0000-01", "2025-1"])
def test_a_month_that_is_not_yyyy_mm_is_refused_naming_it(recorded, month):
    _, _, client = recorded
    answer = client.get(f"/reports/priority-cases?month={month}", headers=_as(Role.hr, "hr1"))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "month"


def test_a_wellbeing_conversation_never_held_is_not_described_as_last_held(recorded):
    _, _, client = recorded
    actions = client.get(f"/employees/N01/status?as_of={AS_OF}", headers=_as(Role.hr, "hr1")).json()["actions"]
    # nw-wam-2024 took effect on 1 April 2024 and no conversation is recorded:
    # the yearly one was due on 1 April 2025
    [wellbeing] = [a for a in actions if a["kind"] == "wellbeing_conversation"]
    assert (wellbeing["subject"], wellbeing["due_by"]) == (
        "yearly health and wellbeing conversation (none recorded since 2024-04-01)", "2025-04-01")


def test_registering_an_employee_twice_over_http_is_a_conflict_that_names_them(recorded):
    _, _, client = recorded
    answer = client.post("/employees", json=F01, headers=_as(Role.hr, "hr1"))
    assert answer.status_code == 409 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"] == "employee 'F01' is already in the ledger (record a ContractChanged instead)"


def test_the_rtw_metric_and_the_audit_sample_read_as_text_too(recorded):
    _, by_http, _ = recorded
    rtw = _ok(run("query", "rtw", "--as-of", AS_OF, "--format", "text", cwd=by_http)).splitlines()
    assert rtw[0].split() == ["period", "name", "by", "value", "returns", "discussed", "within", "72h", "rate"]
    # F01 came back on 6 Mar 2025 with no welcome-back discussion recorded: 0 of 1 on time
    assert any(line.split()[:4] == ["month", "2025-03", "department", "Wards"] and line.split()[4:] == ["1", "0", "0%"]
               for line in rtw)
    sample = _ok(run("query", "audit-sample", "--as-of", AS_OF, "--size", "1", "--seed", "3", "--format", "text",
                     cwd=by_http))
    assert sample.startswith(f"Case audit sample on {AS_OF} (seed 3): 1 of ")
    assert "Employee " in sample and "The product's choices where the policy is silent" in sample
