"""Journeys through every path a record takes, for every example and for a
generated history holding every event type (tests/every_event.py): `attendance
import` -> `attendance status` (JSON and text) under every shipped rulebook
-> the HTTP API for each role allowed to read -> export -> `attendance
evaluate` of the export, and its import into a fresh ledger -> the same
status byte for byte. The relay, both consumers and payroll-tail follow in
tests/kafka/test_feeds.py (issue 9, item 8).

`import` and `evaluate` run as real processes; `status` runs in-process
through the same typer app (eight rulebook-and-format calls per employee
would otherwise spend minutes starting interpreters).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import api.cli
from api.auth import Role, issue
from api.http import create_app
from domain.events import FACT_TYPES
from domain.rulebook import RulebookRegistry
from projections.view import EmployeeView
from service.ledger import AttendanceLedger
from tests.every_event import AS_OF, HEALTH_TEXT, every_event_cases

ROOT = Path(__file__).parents[1]
ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
EXAMPLES = sorted((ROOT / "examples").glob("*.*"))
CSV = ROOT / "examples" / "csv" / "esr-absence-report.csv"
RULEBOOKS = RulebookRegistry.load().ids
JWT_KEY = "journey-signing-key-of-a-decent-length-0123456789"
#: who may read what of one employee (the README's privacy table), and the query each read needs
E, M, H, P, A = Role.employee, Role.manager, Role.hr, Role.payroll, Role.auditor
READS = {"status": {E, M, H, A}, "explain": {E, M, H, A}, "history": {E, M, H, A}, "export": {E, H, A},
         "pay": {E, H, P, A}, "leave": {E, M, H, P, A}}
PARAMS = {"status": {"as_of": AS_OF}, "explain": {"as_of": AS_OF}, "history": {}, "export": {},
          "pay": {"from": "2025-01-01", "to": AS_OF}, "leave": {"year": 2025}}


def generated_files(directory: Path) -> list[str]:
    paths = []
    for each in every_event_cases():
        path = directory / f"{each['employee']['employee_id']}.json"
        path.write_text(json.dumps(each, indent=2))
        paths.append(str(path))
    return paths


#: what `attendance import` is given on each journey
JOURNEYS = {
    **{example.name: lambda _, example=example: [str(example)] for example in EXAMPLES},
    CSV.name: lambda _: [str(CSV), "--mapping", str(CSV.with_suffix(".mapping.yaml"))],
    "every-event-type": generated_files,
}


@pytest.mark.parametrize("kind", sorted(FACT_TYPES))
def test_the_generated_history_holds_every_event_type(kind):
    """A new event type must join the generated history, and so every journey."""
    held = {"EmployeeRegistered"} | {event["type"] for each in every_event_cases() for event in each["events"]}
    assert kind in held, f"add a {kind} to tests/every_event.py so the journeys take it through every path"


def run(*args: str, env: dict[str, str], cwd: Path) -> str:
    """`attendance ...` as a user runs it; a non-zero exit fails the journey."""
    done = subprocess.run([ATTENDANCE, *args], env=env, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"attendance {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done.stdout


def cli(*args: str) -> str:
    """The same typer app in-process (wired from the environment once per ledger)."""
    done = CliRunner().invoke(api.cli.app, list(args))
    assert done.exit_code == 0, f"attendance {' '.join(args)} exited {done.exit_code}: {done.output}{done.exception!r}"
    return done.stdout


def tokens(employee_id: str, manager_id: str | None) -> dict[Role, dict[str, str]]:
    """A bearer token for each role as it may read this employee: their own,
    their manager's (when they have one), and the organisation-wide roles."""
    subjects = {Role.employee: employee_id, Role.manager: manager_id, Role.hr: "hr-1",
                Role.payroll: "payroll-1", Role.auditor: "audit-1"}
    own = {Role.employee: employee_id}
    return {role: {"Authorization": f"Bearer {issue(role, subject, employee_id=own.get(role))}"}
            for role, subject in subjects.items() if subject}


@pytest.fixture
def environment(tmp_path, monkeypatch) -> dict[str, str]:
    """A clean environment with the ledger in tmp_path, for processes and in-process alike."""
    for name in [n for n in os.environ if n.startswith(("ATTENDANCE_", "CIPHER_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("ATTENDANCE_DATABASE_URL", str(tmp_path / "ledger.db"))
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    monkeypatch.setenv("ATTENDANCE_ACCESS_LOG", str(tmp_path / "access.log"))
    monkeypatch.chdir(tmp_path)
    api.cli.services.cache_clear()
    yield dict(os.environ)
    api.cli.services.cache_clear()


@pytest.mark.parametrize("journey", sorted(JOURNEYS))
def test_a_record_takes_every_path_and_comes_back_with_the_same_status(journey, environment, tmp_path, registry,
                                                                       monkeypatch):
    # import, as a user runs it
    imported = run("import", *JOURNEYS[journey](tmp_path), env=environment, cwd=tmp_path)
    employees = sorted(set(re.findall(r"employee (\S+): [1-9]\d* new events stored", imported)))
    assert employees, imported

    ledger = AttendanceLedger(environment["ATTENDANCE_DATABASE_URL"])
    http = TestClient(create_app(ledger))
    statuses, exports = {}, []
    for employee_id in employees:
        # status under the employee's own rulebook and under every shipped one, JSON and text
        status = statuses[employee_id] = cli("status", employee_id, "--as-of", AS_OF)
        for rulebook in RULEBOOKS:
            document = json.loads(cli("status", employee_id, "--as-of", AS_OF, "--policy", rulebook))
            assert (document["employee_id"], document["policy"]) == (employee_id, rulebook)
            text = cli("status", employee_id, "--as-of", AS_OF, "--policy", rulebook, "--format", "text")
            assert text.startswith(f"Employee {employee_id} on {AS_OF} under {rulebook}"), text

        # every read of this employee, for every role allowed it
        view = EmployeeView.of(ledger.history(employee_id), date.today())
        headers = tokens(employee_id, view.manager_id)
        rulebook = registry.get(view.policy)
        not_covered = {"pay": rulebook.sick_pay is None, "leave": rulebook.annual_leave is None}
        for what, roles in READS.items():
            for role in roles & headers.keys():
                path = f"/employees/{employee_id}/{what}"
                response = http.get(path, params=PARAMS[what], headers=headers[role])
                if not_covered.get(what):
                    # Jersey's pay and leave are in the terms and conditions: refused, saying so
                    assert response.status_code == 422 and "terms and conditions" in response.text, response.text
                else:
                    assert response.is_success, f"{role.value} GET {path}: {response.status_code} {response.text}"
        assert http.get(f"/employees/{employee_id}/status", params={"as_of": AS_OF},
                        headers=headers[Role.hr]).json() == json.loads(status)

        # the export evaluates to the same status byte for byte
        exports.append(tmp_path / f"export-{employee_id}.json")
        exports[-1].write_text(http.get(f"/employees/{employee_id}/export", headers=headers[Role.hr]).text)
        assert run("evaluate", str(exports[-1]), "--as-of", AS_OF, env=environment, cwd=tmp_path) == status

        # privacy by role: a manager sees no free text about health
        if Role.manager in headers:
            seen = http.get(f"/employees/{employee_id}/history", headers=headers[Role.manager]).text
            assert not any(text in seen for text in HEALTH_TEXT), "a manager sees no free text about health"

    # the exports imported into a fresh ledger: the same status byte for byte
    monkeypatch.setenv("ATTENDANCE_DATABASE_URL", str(tmp_path / "fresh.db"))
    run("import", *map(str, exports), env=dict(os.environ), cwd=tmp_path)
    api.cli.services.cache_clear()
    assert {e: cli("status", e, "--as-of", AS_OF) for e in employees} == statuses
