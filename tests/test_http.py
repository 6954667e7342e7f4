"""The HTTP API as each role uses it: the authorization matrix, recording an
absence and seeing the review due, problem+json errors, idempotent retries."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from eventsourcing.cipher import AESCipher
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from api.render import status_document
from service import evaluation, read_views
from service.ledger import AttendanceLedger
from tests.cases import TEN_DAYS, case

AS_OF = "2025-10-01"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    ledger.import_case(parse_case(case("E2", manager_id="MGR2")))
    app = create_app(ledger, access_log=tmp_path / "access.log")
    read_views.project(app.state.services, date.fromisoformat(AS_OF))  # queries read it, never move it
    test_client = TestClient(app)
    test_client.access_log = tmp_path / "access.log"
    return test_client


def headers(role: Role, sub: str = "u1", employee: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(role, sub, employee)}"}


@pytest.fixture
def callers(client) -> dict[str, dict[str, str]]:
    """One caller of each kind (tokens signed with the test's key)."""
    return {
        "employee-self": headers(Role.employee, "e1", "E1"),
        "employee-other": headers(Role.employee, "e2", "E2"),
        "manager-of-E1": headers(Role.manager, "MGR1"),
        "manager-of-E2": headers(Role.manager, "MGR2"),
        "hr": headers(Role.hr, "hr1"),
        "payroll": headers(Role.payroll, "pay1"),
        "auditor": headers(Role.auditor, "aud1"),
    }
READS_OF_E1 = {
    f"/employees/E1/status?as_of={AS_OF}": {"employee-self", "manager-of-E1", "hr", "auditor"},
    f"/employees/E1/explain?as_of={AS_OF}": {"employee-self", "manager-of-E1", "hr", "auditor"},
    "/employees/E1/history": {"employee-self", "manager-of-E1", "hr", "auditor"},
    "/employees/E1/pay?from=2025-06-01&to=2025-06-10": {"employee-self", "hr", "payroll", "auditor"},
    "/employees/E1/leave?year=2025": {"employee-self", "manager-of-E1", "hr", "payroll", "auditor"},
    f"/worklist?as_of={AS_OF}": {"manager-of-E1", "manager-of-E2", "hr", "auditor"},
    f"/priority-cases?as_of={AS_OF}": {"hr", "auditor"},
    f"/stats?as_of={AS_OF}": {"manager-of-E1", "manager-of-E2", "hr", "auditor"},
}


@pytest.mark.parametrize("path", READS_OF_E1)
def test_every_role_is_allowed_exactly_what_it_needs(client, path, callers):
    for name, auth in callers.items():
        response = client.get(path, headers=auth)
        expected = 200 if name in READS_OF_E1[path] else 403
        assert response.status_code == expected, (name, path, response.text)
        if expected == 403:
            assert response.headers["content-type"] == "application/problem+json"


def test_only_hr_may_register_and_import(client, callers):
    body = {"employee_id": "E9", "service_start": "2020-01-06", "contracted_hours": 37.5, "policy": "sath-w22-v6"}
    for name, auth in callers.items():
        expected = 201 if name == "hr" else 403
        assert client.post("/employees", json=body, headers=auth).status_code == expected, name


def test_no_token_or_a_forged_one_is_unauthorised(client):
    assert client.get(f"/employees/E1/status?as_of={AS_OF}").status_code == 401
    forged = {"Authorization": "Bearer " + issue(Role.hr, "x").rsplit(".", 1)[0] + ".forged"}
    response = client.get(f"/employees/E1/status?as_of={AS_OF}", headers=forged)
    assert response.status_code == 401 and response.json()["title"] == "Unauthorized"


def test_a_status_read_on_the_read_model_s_day_is_the_document_it_holds_and_sees_a_new_event_at_once(client, callers):
    services, hr = client.app.state.services, callers["hr"]
    live = status_document(evaluation.status(services, "E1", date.fromisoformat(AS_OF)))
    version, held = services.read_model.status_document("E1")
    assert held == live and version == len(services.ledger.history("E1"))
    read = client.get(f"/employees/E1/status?as_of={AS_OF}", headers=hr)
    assert read.status_code == 200 and read.json() == live
    # another day and a what-if are evaluated live, the same shape
    assert client.get("/employees/E1/status?as_of=2025-10-02", headers=hr).json().keys() == live.keys()
    # an event the read model has not yet applied is in the very next read
    assert client.post("/employees/E1/events", headers=hr, json={
        "type": "SicknessReported", "absence_id": "A9", "first_day": "2025-09-29", "reason": "S16"}).status_code == 201
    after = client.get(f"/employees/E1/status?as_of={AS_OF}", headers=hr).json()
    assert after["tracks"]["long_term"]["current_absence_id"] == "A9"
    assert services.read_model.status_document("E1") == (version, held), "the read did not move the read model"


def test_a_manager_records_an_absence_and_sees_the_review_due(client, callers):
    manager = callers["manager-of-E1"]
    recorded = client.post("/employees/E1/events", headers=manager, json={
        "type": "SicknessReported", "absence_id": "A9", "first_day": "2025-09-22", "reason": "S16"})
    assert recorded.status_code == 201
    status = client.get(f"/employees/E1/status?as_of={AS_OF}", headers=manager).json()
    assert status["reviews_due"][0]["triggered_on"] == "2025-09-05"
    history = client.get("/employees/E1/history", headers=manager).json()
    assert history[-1]["actor"] == "MGR1"  # the token's subject
    assert {f.get("reason") for f in history if f["type"] == "SicknessReported"} == {
        "respiratory", "gastrointestinal", "other_known"}   # groups, never the ESR codes
    full = client.get("/employees/E1/history", headers=callers["hr"]).json()
    assert {f.get("reason") for f in full if f["type"] == "SicknessReported"} == {"S13", "S25", "S16"}


def test_a_manager_may_not_record_for_someone_else_s_report(client, callers):
    response = client.post("/employees/E2/events", headers=callers["manager-of-E1"], json={
        "type": "SicknessReported", "absence_id": "A1", "first_day": "2025-09-22", "reason": "S16"})
    assert response.status_code == 403


def test_an_invalid_event_is_a_problem_naming_the_field_and_stores_nothing(client, callers):
    before = client.get("/employees/E1/history", headers=callers["hr"])
    assert before.status_code == 200, before.text
    response = client.post("/employees/E1/events", headers=callers["hr"], json={
        "type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-05-01"})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "first_day_back"
    assert client.get("/employees/E1/history", headers=callers["hr"]).json() == before.json()


def test_a_retry_with_the_same_idempotency_key_records_once(client, callers):
    event = {"type": "PatternOfAbsenceIdentified", "date": "2025-09-29", "description": "Mondays"}
    key = {"Idempotency-Key": "req-123", **callers["hr"]}
    first = client.post("/employees/E2/events", headers=key, json=event).json()
    second = client.post("/employees/E2/events", headers=key, json=event).json()
    assert first["event_id"] == second["event_id"] and second["replayed"] is True
    history = client.get("/employees/E2/history", headers=callers["hr"]).json()
    assert sum(1 for f in history if f["type"] == "PatternOfAbsenceIdentified") == 1


def test_every_read_of_health_data_is_written_to_the_access_log(client, callers):
    assert client.get(f"/employees/E1/status?as_of={AS_OF}", headers=callers["auditor"]).status_code == 200
    entries = [json.loads(line) for line in client.access_log.read_text().splitlines()]
    assert entries[-1]["who"] == "auditor:aud1" and entries[-1]["employee"] == "E1"
    assert entries[-1]["read"] == "status"


@pytest.mark.parametrize("path, read", [
    ("/employees/E1/pay?from=2025-06-01&to=2025-06-10", "pay"),
    (f"/worklist?as_of={AS_OF}", "worklist"),
    (f"/priority-cases?as_of={AS_OF}", "priority cases"),
    (f"/stats?as_of={AS_OF}", "stats"),
    ("/reports/priority-cases?month=2025-09", "priority cases snapshot"),
    (f"/reports/rtw?as_of={AS_OF}", "return-to-work report"),
])
def test_pay_and_every_organisation_wide_read_are_written_to_the_access_log(client, callers, path, read):
    assert client.get(path, headers=callers["hr"]).status_code == 200
    entry = json.loads(client.access_log.read_text().splitlines()[-1])
    assert (entry["who"], entry["read"]) == ("hr:hr1", read)


def test_the_openapi_document_is_published(client):
    assert client.get("/openapi.json").json()["info"]["title"] == "Attendance Ledger"


def test_an_employee_can_export_their_whole_record_as_a_case_file(client, callers):
    exported = client.get("/employees/E1/export", headers=callers["employee-self"]).json()
    assert exported["employee"]["employee_id"] == "E1" and len(exported["events"]) == 4
    assert client.get("/employees/E1/export", headers=callers["manager-of-E1"]).status_code == 403
    assert client.get("/employees/E1/export", headers=callers["employee-other"]).status_code == 403


def test_a_replay_runs_as_a_job_with_progress(client, callers):
    started = client.post("/replay", headers=callers["hr"],
                          json={"policy": "nw-wam-2024", "compare": "sath-w22-v6", "as_of": AS_OF})
    assert started.status_code == 202
    for _ in range(100):
        job = client.get(started.json()["poll"], headers=callers["hr"]).json()
        if job["state"] == "finished":
            break
        time.sleep(0.05)
    assert (job["done"], job["total"]) == (2, 2)
    assert job["result"]["comparison"]["employees_differing"] == 1
    assert client.post("/replay", headers=callers["manager-of-E1"],
                       json={"policy": "nw-wam-2024", "as_of": AS_OF}).status_code == 403
    unknown = client.post("/replay", headers=callers["hr"], json={"policy": "nw-wam-2024", "compare": "nope",
                                                                   "as_of": AS_OF})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "compare"


def test_oversized_and_deeply_nested_bodies_are_refused(client, callers):
    huge = client.post("/import", headers={**callers["hr"], "Content-Type": "application/json"},
                       content=b'{"employee": "' + b"x" * 1_100_000 + b'"}')
    assert huge.status_code == 413 and huge.headers["content-type"] == "application/problem+json"
    deep = client.post("/import", headers={**callers["hr"], "Content-Type": "application/json"},
                       content=b"[" * 100 + b"]" * 100)
    assert deep.status_code == 400
    # the depth scan reads bytes: a UTF-16 body (a U+2200 holds the byte of a quote) must not slip past it
    wide = client.post("/employees/E1/events", headers={**callers["hr"], "Content-Type": "application/json"},
                       content=('["a\u2200b", ' + "[" * 50 + "]" * 50 + "]").encode("utf-16-le"))
    assert wide.status_code == 400 and wide.json()["detail"] == "a JSON body must be UTF-8"
    for refused in (huge, deep, wide):  # the edge's own answers are not kept by a browser either
        assert refused.headers["cache-control"] == "no-store"


def test_a_body_that_is_not_json_is_refused_naming_the_body_and_where_it_stops_being_json(client, callers):
    response = client.post("/employees/E1/events", headers={**callers["hr"], "Content-Type": "application/json"},
                           content=b'{"type": nojson}')
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "body", "message": "is not JSON: Expecting value at character 9"}]


def test_injection_attempts_are_inert(client, callers):
    for employee_id in ("E1' OR '1'='1", "E1; DROP TABLE stored_events", "../../etc/passwd"):
        response = client.get(f"/employees/{employee_id}/status", params={"as_of": AS_OF}, headers=callers["hr"])
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/employees/E1/status?as_of={AS_OF}", headers=callers["hr"]).status_code == 200


def test_hr_erases_a_leaver_after_retention_and_the_record_is_gone(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    monkeypatch.setenv("CIPHER_KEY", AESCipher.create_key(32))  # crypto-shredding needs it (SPEC 12 / issue 9)
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"), crypto_shredding=True)
    ledger.import_case(parse_case(case("OLD", {"type": "EmploymentEnded", "effective": "2015-03-31",
                                               "reason": "resignation"})))
    client = TestClient(create_app(ledger, access_log=tmp_path / "access.log"))
    hr = headers(Role.hr, "hr1")
    for other in (headers(Role.employee, "old", "OLD"), headers(Role.manager, "M"), headers(Role.payroll, "p"),
                  headers(Role.auditor, "a")):
        assert client.delete("/employees/OLD", headers=other).status_code == 403
    assert client.delete("/employees/OLD", headers=hr).status_code == 204
    gone = client.get("/employees/OLD/history", headers=hr)
    assert gone.status_code == 410 and gone.headers["content-type"] == "application/problem+json"


def test_odd_idempotency_keys_are_refused_or_kept_as_plain_data(client, callers):
    event = {"type": "PatternOfAbsenceIdentified", "date": "2025-09-29", "description": "x"}
    too_long = client.post("/employees/E2/events", json=event, headers={"Idempotency-Key": "k" * 200, **callers["hr"]})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "Idempotency-Key"
    odd = "'; DROP TABLE stored_events; --"
    stored = client.post("/employees/E2/events", json=event, headers={"Idempotency-Key": odd, **callers["hr"]})
    assert stored.status_code == 201
    assert client.get("/employees/E2/history", headers=callers["hr"]).json()[-1]["correlation_id"] == odd


def test_the_openapi_document_carries_examples(client):
    document = client.get("/openapi.json").json()
    body = document["paths"]["/employees/{employee_id}/events"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["examples"][0]["type"] == "SicknessReported"


WRITES = [
    ("post", "/employees/E1/events", {"type": "PatternOfAbsenceIdentified", "date": "2025-09-29", "description": "x"},
     {"manager-of-E1", "hr"}),
    ("post", "/import", {"employee": {"employee_id": "E7", "service_start": "2020-01-06", "contracted_hours": 37.5,
                                      "policy": "sath-w22-v6"}, "events": []}, {"hr"}),
    ("post", "/replay", {"policy": "sath-w22-v6", "as_of": AS_OF}, {"hr", "auditor"}),
    ("get", "/employees/E1/export", None, {"employee-self", "hr", "auditor"}),
]


@pytest.mark.parametrize("method, path, body, allowed", WRITES, ids=[f"{m} {p}" for m, p, _, _ in WRITES])
def test_every_role_may_change_only_what_it_should(client, callers, method, path, body, allowed):
    for name, auth in callers.items():
        response = client.request(method, path, json=body, headers=auth)
        if name in allowed:
            assert response.is_success, (name, response.status_code, response.text)
        else:
            assert response.status_code == 403, (name, response.status_code)


def test_an_unreadable_known_at_is_a_problem_naming_it(client, callers):
    response = client.get(f"/employees/E1/status?as_of={AS_OF}&known_at=yesterday", headers=callers["hr"])
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "known_at"


HR_DECISIONS = [
    {"type": "PolicyAssigned", "effective": "2025-09-01", "policy": "sath-w22-v6",
     "level_mapping": {"short_term": 3, "long_term": 3}},
    {"type": "SickPayExtended", "from": "2025-09-01", "until": "2026-12-31", "band": "full"},
    {"type": "ContractChanged", "effective": "2025-09-01", "manager_id": "MGR2"},
    {"type": "EventRetracted", "event_ref": "2", "reason": "entered in error"},
]


@pytest.mark.parametrize("event", HR_DECISIONS, ids=[e["type"] for e in HR_DECISIONS])
def test_a_line_manager_cannot_record_an_hr_decision_about_their_report(client, callers, event):
    before = client.get("/employees/E1/history", headers=callers["hr"]).json()
    answer = client.post("/employees/E1/events", json=event, headers=callers["manager-of-E1"])
    assert answer.status_code == 403, answer.text
    assert event["type"] in answer.json()["detail"]
    assert client.get("/employees/E1/history", headers=callers["hr"]).json() == before


def test_a_line_manager_records_the_absence_of_their_report(client, callers):
    answer = client.post("/employees/E1/events", headers=callers["manager-of-E1"],
                         json={"type": "SicknessReported", "absence_id": "M1", "first_day": "2025-09-22",
                               "reason": "S13"})
    assert answer.status_code == 201, answer.text


def test_a_pay_window_of_centuries_is_refused_naming_to(client, callers):
    answer = client.get("/employees/E1/pay?from=1900-01-01&to=2199-12-31", headers=callers["hr"])
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "to"


def test_health_data_answers_tell_browsers_and_proxies_not_to_keep_them(client, callers):
    answer = client.get(f"/employees/E1/status?as_of={AS_OF}", headers=callers["hr"])
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert client.get("/sign-in").headers["cache-control"] == "no-store"


def test_a_manager_or_an_employee_cannot_tell_which_employee_ids_are_held(client, callers):
    for caller in ("manager-of-E2", "employee-other"):
        held = client.get(f"/employees/E1/status?as_of={AS_OF}", headers=callers[caller])
        unknown = client.get(f"/employees/NOBODY/status?as_of={AS_OF}", headers=callers[caller])
        assert held.status_code == unknown.status_code == 403, (held.text, unknown.text)
