"""Queries never write (SPEC 12, issue 9 item 4): an organisation-wide
query for a day the read model does not hold says so, and what every other
caller sees stays the same. Tried from outside, over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from service.ledger import AttendanceLedger
from tests.cases import TEN_DAYS, case

AS_OF = "2025-10-01"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1", department="Ward 7")))
    ledger.import_case(parse_case(case("E2", manager_id="MGR2", department="Ward 7")))
    return TestClient(create_app(ledger, access_log=tmp_path / "access.log"))


def auth(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(role, sub)}"}


def HR() -> dict[str, str]:
    return auth(Role.hr, "hr1")


def MANAGER() -> dict[str, str]:
    return auth(Role.manager, "MGR1")


def AUDITOR() -> dict[str, str]:
    return auth(Role.auditor, "aud1")


def test_before_anyone_moves_the_read_model_a_query_says_it_holds_no_day(client):
    response = client.get("/priority-cases", headers=HR())
    assert response.status_code == 409 and response.headers["content-type"] == "application/problem+json"
    assert "holds no day" in response.json()["detail"]


def test_only_hr_moves_the_read_model(client):
    for who in (MANAGER(), AUDITOR()):
        assert client.post("/admin/read-model", json={"as_of": AS_OF}, headers=who).status_code == 403
    moved = client.post("/admin/read-model", json={"as_of": AS_OF}, headers=HR())
    assert moved.status_code == 200 and moved.json()["as_of"] == AS_OF


def test_a_manager_s_stats_and_an_auditor_s_far_future_query_leave_everyone_else_s_results_unchanged(client):
    assert client.post("/admin/read-model", json={"as_of": AS_OF}, headers=HR()).status_code == 200
    priority = client.get("/priority-cases", params={"as_of": AS_OF}, headers=HR())
    stats = client.get("/stats", params={"as_of": AS_OF}, headers=HR())
    assert priority.status_code == 200 and [c["employee_id"] for c in priority.json()] == ["E1"]
    assert stats.status_code == 200 and stats.json()

    manager = client.get("/stats", headers=MANAGER())  # no as_of: the day the read model holds
    assert manager.status_code == 200 and manager.json() == stats.json()
    future = client.get("/priority-cases", params={"as_of": "2199-12-31"}, headers=AUDITOR())
    assert future.status_code == 409 and future.json()["read_model_as_of"] == AS_OF
    assert AS_OF in future.json()["detail"]

    assert client.get("/priority-cases", params={"as_of": AS_OF}, headers=HR()).json() == priority.json()
    assert client.get("/stats", params={"as_of": AS_OF}, headers=HR()).json() == stats.json()


def test_hr_may_move_the_read_model_back_to_an_earlier_day(client):
    assert client.post("/admin/read-model", json={"as_of": "2025-12-01"}, headers=HR()).status_code == 200
    assert client.post("/admin/read-model", json={"as_of": AS_OF}, headers=HR()).status_code == 200
    assert client.get("/priority-cases", params={"as_of": AS_OF}, headers=HR()).status_code == 200
