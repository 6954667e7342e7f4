"""The access log survives a crash of the API process: every read answered
before a SIGKILL is in the log, one whole line each (the log is appended
with one write per entry, nothing kept in a buffer of the process)."""

from __future__ import annotations

import json
import os
import signal
import urllib.request

from api.auth import Role, issue
from domain.casefile import parse_case
from service.ledger import AttendanceLedger
from tests.serving import start_serving, wait_for_listening
from tests.cases import TEN_DAYS, case

JWT_KEY = "test-signing-key-of-a-decent-length-0123456789"
READS = 40


def test_every_read_answered_before_a_sigkill_is_in_the_access_log(tmp_path, monkeypatch):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_")}
    environment.update(ATTENDANCE_DATABASE_URL=str(tmp_path / "ledger.db"), ATTENDANCE_JWT_KEY=JWT_KEY,
                       ATTENDANCE_ACCESS_LOG=str(tmp_path / "access.log"))
    AttendanceLedger(str(tmp_path / "ledger.db")).import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    token = issue(Role.hr, "hr1")
    server, log = start_serving(environment, tmp_path)
    try:
        url = wait_for_listening(server, log)
        for n in range(READS):
            day = f"2025-10-{n % 28 + 1:02d}"
            request = urllib.request.Request(f"{url}/employees/E1/status?as_of={day}",
                                             headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200
        server.send_signal(signal.SIGKILL)
        assert server.wait(timeout=10) == -signal.SIGKILL
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    entries = [json.loads(line) for line in (tmp_path / "access.log").read_text().splitlines()]
    assert len(entries) == READS
    assert {(e["who"], e["employee"], e["read"]) for e in entries} == {("hr:hr1", "E1", "status")}
