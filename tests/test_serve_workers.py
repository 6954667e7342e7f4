"""`attendance serve --workers N`: N processes answer on one port; a replay
job started in one is answered by whichever process a poll reaches (jobs
are kept in the database); every read is in the one access log; stopping
the server stops every process. And a job whose process has stopped says
so, rather than seeming to run for ever."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from service import records
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger
from service import replay_jobs
from service.replay_jobs import STALE_AFTER, STOPPED
from tests.cases import TEN_DAYS, case
from tests.serving import start_serving, wait_for_listening

JWT_KEY = "test-signing-key-of-a-decent-length-0123456789"
READS = 30
recording = records.record  # the use case itself, before a test wraps it


def _workers(server: subprocess.Popen) -> list[int]:
    """The server's worker processes (spawned by multiprocessing; not its resource tracker)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]


def _running(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def _get(url: str, token: str) -> dict:
    """One request on a new connection (which of the processes accepts it is the kernel's choice)."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.load(response)


def test_two_processes_share_the_port_answer_each_others_replay_jobs_and_stop_together(tmp_path, monkeypatch):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_")}
    environment.update(ATTENDANCE_DATABASE_URL=str(tmp_path / "ledger.db"), ATTENDANCE_JWT_KEY=JWT_KEY,
                       ATTENDANCE_ACCESS_LOG=str(tmp_path / "access.log"))
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    for employee in ("E1", "E2"):
        ledger.import_case(parse_case(case(employee, *TEN_DAYS, manager_id="MGR1")))
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    token = issue(Role.hr, "hr1")
    server, log = start_serving(environment, tmp_path, "--workers", "2")
    try:
        url = wait_for_listening(server, log)
        workers = _workers(server)
        assert len(workers) == 2

        body = json.dumps({"policy": "sath-w22-v6", "compare": "sath-w22-v5.13", "as_of": "2025-11-28"}).encode()
        start = urllib.request.Request(f"{url}/replay", data=body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(start, timeout=30) as response:
            poll = json.load(response)["poll"]
        for _ in range(300):
            job = _get(f"{url}{poll}", token)
            if job["state"] != "running":
                break
            time.sleep(0.05)
        assert (job["state"], job["done"], job["total"]) == ("finished", 2, 2)
        assert job["result"]["policies"] == ["sath-w22-v6", "sath-w22-v5.13"]

        for n in range(READS):
            assert _get(f"{url}/employees/E{n % 2 + 1}/status?as_of=2025-10-{n % 28 + 1:02d}", token)["employee_id"]
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert not [pid for pid in workers if _running(pid)]
    entries = (tmp_path / "access.log").read_text().splitlines()
    assert len(entries) == READS and all(json.loads(e)["read"] == "status" for e in entries)


def test_a_running_job_not_marked_alive_for_half_a_minute_reads_failed_and_a_marked_one_running(database_url):
    services = bootstrap(ledger=AttendanceLedger(database_url))
    now = time.time()
    for job_id, alive_at in (("orphan", now - STALE_AFTER - 1), ("alive", now - 1)):
        services.read_model.keep_job({"id": job_id, "state": "running", "done": 3, "total": 9, "result": None},
                                     alive_at)
    assert services.replay_jobs.get("orphan") == {"id": "orphan", "state": "failed", "done": 3, "total": 9,
                                                  "result": None, "error": STOPPED}
    assert services.replay_jobs.get("alive")["state"] == "running"
    assert services.replay_jobs.get("no-such-job") is None


def test_a_job_is_marked_alive_while_it_reads_the_ledger_and_old_results_are_forgotten(tmp_path, monkeypatch):
    services = bootstrap(ledger=AttendanceLedger(str(tmp_path / "ledger.db")))
    monkeypatch.setattr(replay_jobs, "ALIVE_EVERY", 0.05)
    services.read_model.keep_job({"id": "old", "state": "finished", "done": 0, "total": 0, "result": {}},
                                 time.time() - replay_jobs.KEPT_FOR - 1)
    reading = threading.Event()
    histories = services.ledger.histories

    def slow_read(*args, **kwargs):
        reading.wait(5)  # as a large ledger's read, before any progress is written
        return histories(*args, **kwargs)

    monkeypatch.setattr(services.ledger, "histories", slow_read)
    job_id = services.replay_jobs.start(["sath-w22-v6"], date(2025, 11, 28))
    assert services.read_model.job("old") is None
    started_at = services.read_model.job(job_id)[0]
    time.sleep(0.3)
    assert services.read_model.job(job_id)[0] > started_at
    reading.set()
    services.replay_jobs.runner.shutdown(wait=True)
    assert services.replay_jobs.get(job_id)["state"] == "finished"


def test_commands_take_turns_on_one_writer_thread_on_sqlite_and_share_the_pool_on_postgresql(
        database_url, monkeypatch):
    """SQLite has one writer: its commands queue for one thread of their own;
    PostgreSQL's write side by side from the thread pool (neither on the
    event loop)."""
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1", manager_id="MGR1")))
    threads: list[str] = []
    monkeypatch.setattr(records, "record", lambda *args, **kwargs: (
        threads.append(threading.current_thread().name), recording(*args, **kwargs))[1])
    client = TestClient(create_app(ledger))
    hr = {"Authorization": f"Bearer {issue(Role.hr, 'hr1')}"}
    for event in ({"type": "SicknessReported", "absence_id": "W1", "first_day": "2025-03-03", "reason": "S13"},
                  {"type": "ReturnedToWork", "absence_id": "W1", "first_day_back": "2025-03-05"},
                  {"type": "SicknessReported", "absence_id": "W2", "first_day": "2025-04-07", "reason": "S13"}):
        answer = client.post("/employees/E1/events", headers=hr, json=event)
        assert answer.status_code == 201, answer.text
    pool = "writer" if not database_url.startswith("postgresql://") else "AnyIO worker thread"
    assert len(threads) == 3 and all(name.startswith(pool) for name in threads), threads

