"""One rule, one place: the CLI and the HTTP API call the same use case, so
they give the same leave year and the same pay days (issue 9: HTTP used to
end every leave year on 31 March)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from service.ledger import AttendanceLedger
from tests.cases import absence, case

ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
KEY = "test-signing-key-of-a-decent-length-0123456789"


def test_the_cli_and_http_give_the_same_leave_year_and_pay_for_a_september_leave_year(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", KEY)
    database = str(tmp_path / "ledger.db")
    ledger = AttendanceLedger(database)
    ledger.import_case(parse_case(case("SEP", *absence("A1", "2025-10-06", "2025-10-20"),
                                       leave_year_start="09-01")))
    client = TestClient(create_app(ledger, access_log=tmp_path / "access.log"))
    hr = {"Authorization": f"Bearer {issue(Role.hr, 'hr1')}"}
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": database}

    def cli(*args: str) -> str:
        done = subprocess.run([ATTENDANCE, *args], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    over_http = client.get("/employees/SEP/leave", params={"year": 2025}, headers=hr)
    assert over_http.status_code == 200, over_http.text
    assert over_http.json()["leave_year_start"] == "2025-09-01" and over_http.json()["as_of"] == "2026-08-31"
    assert json.loads(cli("leave", "SEP", "--year", "2025", "--format", "json")) == over_http.json()

    pay = client.get("/employees/SEP/pay", params={"from": "2025-10-01", "to": "2025-10-31"}, headers=hr)
    assert pay.status_code == 200, pay.text
    assert json.loads(cli("pay", "SEP", "--from", "2025-10-01", "--to", "2025-10-31", "--format", "json")) == pay.json()
