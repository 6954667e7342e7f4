"""Recording from the console's forms, without a browser: the same models
and use case as the API, the signed-in user as the actor, CSRF required,
the role checks of POST /employees/{id}/events, and nothing stored on an
error."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from service.ledger import AttendanceLedger
from tests.cases import TEN_DAYS, case


@pytest.fixture
def ledger(tmp_path, monkeypatch) -> AttendanceLedger:
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    ledger.import_case(parse_case(case("E2", manager_id="MGR2")))
    return ledger


def signed_in(ledger: AttendanceLedger, tmp_path, role: Role, sub: str) -> TestClient:
    client = TestClient(create_app(ledger, access_log=tmp_path / "access.log"))
    client.cookies.set("attendance_session", issue(role, sub))
    return client


def form_token(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


SICKNESS = {"absence_id": "A9", "first_day": "2025-11-03", "reason": "S13", "expected_return": ""}


def test_a_manager_reports_sickness_from_the_form_and_is_recorded_as_its_actor(ledger, tmp_path):
    client = signed_in(ledger, tmp_path, Role.manager, "MGR1")
    token = form_token(client, "/people/E1/record/sickness")
    done = client.post("/people/E1/record/sickness", data={**SICKNESS, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/people/E1?recorded=")
    stored = ledger.history("E1")[-1]
    assert (stored.type, stored.absence_id, stored.reason, stored.work_related, stored.actor) == \
        ("SicknessReported", "A9", "S13", False, "MGR1")


def test_a_form_posted_without_its_csrf_token_is_refused_and_stores_nothing(ledger, tmp_path):
    client = signed_in(ledger, tmp_path, Role.hr, "HR1")
    before = len(ledger.history("E1"))
    done = client.post("/people/E1/record/sickness", data=SICKNESS, follow_redirects=False)
    assert done.status_code == 403 and "You cannot see this page" in done.text
    assert len(ledger.history("E1")) == before


def test_an_invalid_form_names_the_field_on_the_form_and_stores_nothing(ledger, tmp_path):
    client = signed_in(ledger, tmp_path, Role.hr, "HR1")
    before = len(ledger.history("E1"))
    token = form_token(client, "/people/E1/record/sickness")
    done = client.post("/people/E1/record/sickness", data={**SICKNESS, "first_day": "", "csrf_token": token})
    assert done.status_code == 422
    assert '<a href="#first_day">First day: Field required</a>' in done.text
    assert 'id="first_day-error"' in done.text and 'aria-invalid="true"' in done.text
    assert len(ledger.history("E1")) == before


def test_a_manager_may_not_record_for_another_manager_s_report_nor_an_auditor_for_anyone(ledger, tmp_path):
    manager = signed_in(ledger, tmp_path, Role.manager, "MGR1")
    assert manager.get("/people/E2/record/sickness").status_code == 403
    auditor = signed_in(ledger, tmp_path, Role.auditor, "A1")
    assert auditor.get("/people/E1/record/sickness").status_code == 403


def test_an_unknown_employee_or_form_or_a_bad_date_is_a_page_saying_so(ledger, tmp_path):
    client = signed_in(ledger, tmp_path, Role.hr, "HR1")
    assert client.get("/people/NOPE").status_code == 404
    assert client.get("/people/E1/record/no-such-form").status_code == 404
    bad = client.get("/people/E1?as_of=yesterday")
    assert bad.status_code == 400 and "as_of: &#39;yesterday&#39; is not a date" in bad.text


def test_hr_moves_the_chosen_cases_to_the_new_policy_from_the_transition_review(ledger, tmp_path):
    from pathlib import Path

    from domain.casefile import load_case

    examples = Path(__file__).resolve().parents[1] / "examples"
    for name in ("theatres-odp-v5.13-formal-stage.json", "outpatients-receptionist-v5.13-new-case.json"):
        ledger.import_case(load_case(examples / name))
    client = signed_in(ledger, tmp_path, Role.hr, "HR1")
    review = "/policies/transition?old=sath-w22-v5.13&new=sath-w22-v6&as_of=2025-11-28"
    listed = client.get(review)
    assert listed.status_code == 200 and "ESR-105330" in listed.text and "ESR-106012" in listed.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', listed.text).group(1)
    done = client.post("/policies/transition", data={"csrf_token": token, "old": "sath-w22-v5.13",
                                                     "new": "sath-w22-v6", "as_of": "2025-11-28",
                                                     "employee_id": ["ESR-105330"]}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("&applied=1")
    moved = ledger.history("ESR-105330")[-1]
    assert (moved.type, moved.policy, str(moved.effective), moved.actor) == \
        ("PolicyAssigned", "sath-w22-v6", "2025-11-28", "HR1")
    assert ledger.history("ESR-106012")[-1].type != "PolicyAssigned", "a case not chosen stays where it is"
    auditor = signed_in(ledger, tmp_path, Role.auditor, "A1")
    refused = auditor.post("/policies/transition", data={"csrf_token": form_token(auditor, "/policies"),
                                                         "old": "sath-w22-v5.13", "new": "sath-w22-v6",
                                                         "employee_id": ["ESR-106012"]})
    assert refused.status_code == 403 and "the auditor role may not do this" in refused.text


def test_a_record_that_cannot_be_evaluated_opens_as_needing_attention_and_the_worklist_still_answers(tmp_path,
                                                                                                    monkeypatch):
    from tests.test_isolation import BROKEN, OneBrokenRulebook
    from tests.cases import absence

    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"), OneBrokenRulebook())
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    ledger.import_case(parse_case(case("BAD", *absence("A1", "2025-09-01", "2025-09-20"), manager_id="MGR1",
                                       policy=BROKEN)))
    client = signed_in(ledger, tmp_path, Role.manager, "MGR1")
    worklist = client.get("/?as_of=2025-10-01")
    assert worklist.status_code == 200 and "Record needs attention" in worklist.text and "E1" in worklist.text
    page = client.get("/people/BAD?as_of=2025-10-01")
    assert page.status_code == 500 and "This record needs attention" in page.text
    assert "ArithmeticError: evaluation failed for this record" in page.text


def test_hr_filters_the_worklist_by_manager_and_a_manager_sees_only_their_own_reports(ledger, tmp_path):
    ledger.import_case(parse_case(case("E3", *TEN_DAYS, manager_id="MGR2")))
    hr = signed_in(ledger, tmp_path, Role.hr, "HR1")
    everyone = hr.get("/?as_of=2025-10-01").text
    assert "/people/E1?" in everyone and "/people/E3?" in everyone
    filtered = hr.get("/?as_of=2025-10-01&manager=MGR2").text
    assert "/people/E3?" in filtered and "/people/E1?" not in filtered
    manager = signed_in(ledger, tmp_path, Role.manager, "MGR1").get("/?as_of=2025-10-01&manager=MGR2").text
    assert "/people/E1?" in manager and "/people/E3?" not in manager and 'id="manager"' not in manager
