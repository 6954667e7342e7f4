"""SPEC 12's limits through the HTTP API: 422 naming the field, never a 500,
nothing stored (issue 9: a lone surrogate in a note gave a 500; a day in
year 1 or 9999 was stored and broke organisation-wide views)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from service.ledger import AttendanceLedger
from domain.casefile import parse_case
from tests.cases import case


@pytest.fixture
def ledger(tmp_path, monkeypatch) -> AttendanceLedger:
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    ledger.import_case(parse_case(case("E1", manager_id="MGR1")))
    return ledger


@pytest.fixture
def client(ledger, tmp_path) -> TestClient:
    return TestClient(create_app(ledger, access_log=tmp_path / "access.log"))


@pytest.fixture
def hr(ledger) -> dict[str, str]:  # after the signing key is set
    return {"Authorization": f"Bearer {issue(Role.hr, 'hr1')}", "Content-Type": "application/json"}


# the body as raw JSON text: `\ud800` and `1e999` as a client would send them
HOSTILE = {
    "first_day": ('{"type": "SicknessReported", "absence_id": "A1", "first_day": "9999-12-31", "reason": "S10"}',
                  "first_day"),
    "absence_id": (json.dumps({"type": "SicknessReported", "absence_id": "A" * 900_000,
                               "first_day": "2025-06-02", "reason": "S10"}), "absence_id"),
    "note": ('{"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-06-02", "reason": "S10", '
             '"note": "ill \\ud800"}', "note"),
    "basic_salary": ('{"type": "ContractChanged", "effective": "2025-06-02", "basic_salary": 1e999}',
                     "basic_salary"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_recorded_event_beyond_the_limits_is_422_naming_the_field(client, ledger, hr, name):
    body, field = HOSTILE[name]
    response = client.post("/employees/E1/events", content=body, headers=hr)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{field}: "), response.json()
    assert len(ledger.history("E1")) == 1


def test_an_imported_case_dated_year_one_is_422_and_nothing_stored(client, ledger, hr):
    bad = case("E2", {"type": "SicknessReported", "absence_id": "A1", "first_day": "0001-01-01", "reason": "S10"})
    response = client.post("/import", json=bad, headers=hr)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "events[0].first_day: must be between 1900-01-01 and 2100-12-31"
    assert client.get("/employees/E2/history", headers=hr).status_code == 404
