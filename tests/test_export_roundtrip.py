"""The export is portable: what GET /employees/{id}/export gives is a case
file that POST /import and `attendance evaluate` accept, and it reproduces
the same status byte for byte (issue 9, item 7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import load_case
from service.ledger import AttendanceLedger

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.*"))
ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
AS_OF = "2025-11-28"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_an_export_imports_and_evaluates_to_the_same_status_byte_for_byte(example, tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", "test-signing-key-of-a-decent-length-0123456789")
    hr = {"Authorization": f"Bearer {issue(Role.hr, 'hr1')}"}
    source = AttendanceLedger(str(tmp_path / "source.db"))
    employee_id = source.import_case(load_case(example)).employee_id
    exporting = TestClient(create_app(source, access_log=tmp_path / "access.log"))
    exported = exporting.get(f"/employees/{employee_id}/export", headers=hr)
    assert exported.status_code == 200, exported.text
    status = exporting.get(f"/employees/{employee_id}/status", params={"as_of": AS_OF}, headers=hr)
    assert status.status_code == 200, status.text

    importing = TestClient(create_app(AttendanceLedger(str(tmp_path / "target.db")), access_log=tmp_path / "a.log"))
    imported = importing.post("/import", json=exported.json(), headers=hr)
    assert imported.status_code == 200, imported.text
    assert imported.json()["stored"] == len(exported.json()["events"]) + 1
    again = importing.get(f"/employees/{employee_id}/status", params={"as_of": AS_OF}, headers=hr)
    assert again.content == status.content

    case_file = tmp_path / "exported.json"
    case_file.write_text(exported.text)
    evaluated = subprocess.run([ATTENDANCE, "evaluate", str(case_file), "--as-of", AS_OF, "--format", "json"],
                               capture_output=True, text=True, cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout) == status.json()
