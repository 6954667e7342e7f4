"""A status read for the day the read model holds is answered from it
without loading the employee's history - with the same checks, the same
refusals, the same access-log entry and the same bytes as evaluating it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from service import read_views, records
from service.ledger import AttendanceLedger
from tests.cases import TEN_DAYS, case

TODAY = date.today()
#: E3's manager changed from MGR1 to MGR2 on this day (before today)
HANDOVER = "2025-09-01"


def caller(role: Role, sub: str, employee: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(role, sub, employee)}"}


CALLERS = {
    "employee-self": (Role.employee, "e1", "E1"), "employee-other": (Role.employee, "e2", "E2"),
    "manager-of-E1": (Role.manager, "MGR1", None), "manager-of-E2": (Role.manager, "MGR2", None),
    "hr": (Role.hr, "hr1", None), "payroll": (Role.payroll, "pay1", None), "auditor": (Role.auditor, "aud1", None),
}


@pytest.fixture
def client(database_url, tmp_path, monkeypatch) -> TestClient:
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    ledger.import_case(parse_case(case("E2", manager_id="MGR2")))
    ledger.import_case(parse_case(case("E3", {"type": "ContractChanged", "effective": HANDOVER, "manager_id": "MGR2"},
                                       manager_id="MGR1")))
    test_client = TestClient(create_app(ledger, access_log=tmp_path / "access.log"))
    test_client.access_log = tmp_path / "access.log"
    return test_client


def read(client: TestClient, who: str, employee_id: str, as_of: date) -> tuple[int, bytes, list[dict]]:
    """The response's status and bytes, and the access-log entries it wrote (without their time)."""
    before = client.access_log.read_text().splitlines() if client.access_log.exists() else []
    response = client.get(f"/employees/{employee_id}/status?as_of={as_of}", headers=caller(*CALLERS[who]))
    after = client.access_log.read_text().splitlines() if client.access_log.exists() else []
    logged = [{k: v for k, v in json.loads(line).items() if k != "at"} for line in after[len(before):]]
    return response.status_code, response.content, logged


def no_history_loaded(monkeypatch) -> None:
    def refused(_services, employee_id):
        raise AssertionError(f"{employee_id}'s history was loaded for a read the read model holds")
    monkeypatch.setattr(records, "history", refused)


def test_every_role_gets_the_same_answer_from_the_read_model_as_from_evaluating(client, monkeypatch):
    allowed = {"E1": {"employee-self", "manager-of-E1", "hr", "auditor"},
               "E2": {"employee-other", "manager-of-E2", "hr", "auditor"}, "E9": set()}
    asks = [(who, employee_id) for who in CALLERS for employee_id in allowed]
    live = {ask: read(client, *ask, TODAY) for ask in asks}  # the read model holds no day yet: evaluated
    read_views.project(client.app.state.services, TODAY)
    for who, employee_id in asks:
        with monkeypatch.context() as patch:
            if who in allowed[employee_id]:
                no_history_loaded(patch)
            held = read(client, who, employee_id, TODAY)
        assert held == live[who, employee_id], (who, employee_id)
        expected = 200 if who in allowed[employee_id] else 404 if who in ("hr", "auditor") else 403
        assert held[0] == expected, (who, employee_id)


def test_a_manager_is_checked_against_today_s_manager_when_the_read_model_holds_another_day(client):
    read_views.project(client.app.state.services, date.fromisoformat("2025-08-01"))  # E3's manager: MGR1 then
    day = date.fromisoformat("2025-08-01")
    assert read(client, "manager-of-E1", "E3", day)[0] == 403, "MGR1 is no longer E3's manager"
    status, body, logged = read(client, "manager-of-E2", "E3", day)
    assert status == 200 and json.loads(body)["as_of"] == "2025-08-01"
    assert logged == [{"who": "manager:MGR2", "employee": "E3", "read": "status"}]


def test_a_held_document_for_an_older_history_is_not_served(client, monkeypatch):
    services = client.app.state.services
    read_views.project(services, TODAY)
    hr = caller(Role.hr, "hr1")
    assert client.post("/employees/E2/events", headers=hr, json={
        "type": "SicknessReported", "absence_id": "A9", "first_day": str(TODAY), "reason": "S16"}).status_code == 201
    response = client.get(f"/employees/E2/status?as_of={TODAY}", headers=hr)
    assert response.status_code == 200
    assert response.json()["tracks"]["long_term"]["current_absence_id"] == "A9"
