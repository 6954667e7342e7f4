"""Privacy by role (issue 9 item 5), tried from outside over HTTP and the
CLI: what each role sees of history, status, explain, export and the
statistics, and that the read model's health data is unreadable at rest
when CIPHER_KEY is set."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from domain.health_data import FREE_TEXT, WITHHELD
from service import privacy, read_views
from service.consumer_store import consumer_store
from service.ledger import AttendanceLedger
from tests.cases import absence, case

AS_OF = "2025-10-01"
KEY = "test-signing-key-of-a-decent-length-0123456789"
ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
NOTE = "panic attacks since the bereavement"
#: free text about health on E1's record, one per kind the issue found
PROSE = {"TriggerAdjusted": "type 1 diabetes: disability adjustment",
         "SickPayExtended": "awaiting surgery for a tumour",
         "MedicalSuspensionStarted": "exposure to radiation in theatre",
         "MeetingHeld": "discussed her medication"}

E1_EVENTS = [
    {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-09-01", "reason": "S10", "note": NOTE},
    {"type": "ReturnedToWork", "absence_id": "A1", "first_day_back": "2025-09-08"},
    {"type": "TriggerAdjusted", "from": "2025-09-08", "extra_days": 5, "reason": PROSE["TriggerAdjusted"]},
    {"type": "SickPayExtended", "from": "2025-09-01", "until": "2025-12-31", "band": "full",
     "reason": PROSE["SickPayExtended"]},
    {"type": "MedicalSuspensionStarted", "date": "2025-09-15", "reason": PROSE["MedicalSuspensionStarted"]},
    {"type": "MedicalSuspensionEnded", "date": "2025-09-19"},
    {"type": "OccupationalHealthReferred", "date": "2025-09-10"},
    {"type": "OccupationalHealthReported", "date": "2025-09-24", "outcome": "disability_likely",
     "note": "report: chronic condition"},
    {"type": "MeetingHeld", "kind": "welcome_back", "date": "2025-09-08", "outcome": "no_further_action",
     "note": PROSE["MeetingHeld"]},
]
#: everything about E1's health a manager must not read
SECRETS = ["S10", NOTE, "report: chronic condition", "disability_likely", *PROSE.values()]


def populate(ledger: AttendanceLedger) -> None:
    """Ward 7: E1 (MGR1, the only mental-health absence in September) and
    six colleagues under MGR3 off with a cold; Theatres: E2 (MGR2) alone."""
    ledger.import_case(parse_case(case("E1", *E1_EVENTS, manager_id="MGR1", department="Ward 7")))
    ledger.import_case(parse_case(case("E2", *absence("B1", "2025-09-02", "2025-09-04", "S11"),
                                       manager_id="MGR2", department="Theatres")))
    for n in range(3, 9):
        ledger.import_case(parse_case(case(f"E{n}", *absence(f"C{n}", "2025-09-09", "2025-09-11", "S13"),
                                           manager_id="MGR3", department="Ward 7")))


def open_client(ledger: AttendanceLedger, tmp_path: Path) -> TestClient:
    app = create_app(ledger, access_log=tmp_path / "access.log")
    read_views.project(app.state.services, date.fromisoformat(AS_OF))
    return TestClient(app)


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", KEY)
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    populate(ledger)
    return open_client(ledger, tmp_path)


def as_(role: Role, sub: str, employee: str | None = None) -> dict[str, str]:
    """Headers of a caller (a token signed with the test's key, issued when asked)."""
    return {"Authorization": f"Bearer {issue(role, sub, employee)}"}


def MANAGER() -> dict[str, str]:
    return as_(Role.manager, "MGR1")


def HR() -> dict[str, str]:
    return as_(Role.hr, "hr1")


def AUDITOR() -> dict[str, str]:
    return as_(Role.auditor, "aud1")


def PAYROLL() -> dict[str, str]:
    return as_(Role.payroll, "pay1")


def EMPLOYEE() -> dict[str, str]:
    return as_(Role.employee, "e1", "E1")


def get(client: TestClient, path: str, who, **params: str):
    response = client.get(path, params=params, headers=who())
    assert response.status_code == 200, response.text
    return response.json()


def test_a_manager_sees_reason_groups_and_no_free_text_about_health_in_the_history(client):
    history = get(client, "/employees/E1/history", MANAGER)
    by_type = {f["type"]: f for f in history}
    assert by_type["SicknessReported"]["reason"] == "mental_health"
    assert by_type["SicknessReported"]["note"] == WITHHELD
    for kind in PROSE:
        field = "note" if kind == "MeetingHeld" else "reason"
        assert by_type[kind][field] == WITHHELD
    assert by_type["OccupationalHealthReported"]["outcome"] == WITHHELD
    assert by_type["OccupationalHealthReported"]["note"] == WITHHELD
    text = json.dumps(history)
    assert not [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize("who", [HR, AUDITOR, EMPLOYEE], ids=["hr", "auditor", "employee-self"])
def test_hr_the_auditor_and_the_employee_see_the_reason_code_and_the_free_text(client, who):
    text = json.dumps(get(client, "/employees/E1/history", who))
    assert not [secret for secret in SECRETS if secret not in text]


@pytest.mark.parametrize("path", ["status", "explain"])
def test_a_manager_s_status_and_explanation_carry_no_reason_code_nor_free_text(client, path):
    document = get(client, f"/employees/E1/{path}", MANAGER, as_of=AS_OF)
    # the rulebook's own settings (the same for everyone: e.g. which reason
    # codes prompt a stress risk assessment) are policy, not this employee's record
    document.pop("product_choices", None)
    text = json.dumps(document)
    assert not [secret for secret in SECRETS if secret in text]
    assert get(client, f"/employees/E1/{path}", HR, as_of=AS_OF)["employee_id"] == "E1"


def test_the_portable_export_is_for_hr_the_auditor_and_the_employee_never_a_manager_or_payroll(client):
    for who in (HR, AUDITOR, EMPLOYEE):
        events = get(client, "/employees/E1/export", who)["events"]
        assert {e.get("reason") for e in events if e["type"] == "SicknessReported"} == {"S10"}
    for who in (MANAGER, PAYROLL):
        assert client.get("/employees/E1/export", headers=who()).status_code == 403


def test_payroll_reads_pay_and_leave_and_nothing_about_health(client):
    assert get(client, "/employees/E1/pay", PAYROLL, **{"from": "2025-09-01", "to": "2025-09-10"})
    assert get(client, "/employees/E1/leave", PAYROLL, year="2025")
    for path in ("/employees/E1/history", f"/employees/E1/status?as_of={AS_OF}",
                 f"/employees/E1/explain?as_of={AS_OF}", f"/stats?as_of={AS_OF}", f"/worklist?as_of={AS_OF}",
                 f"/priority-cases?as_of={AS_OF}"):
        assert client.get(path, headers=PAYROLL()).status_code == 403, path


def test_a_statistics_cell_about_fewer_than_five_people_shows_no_figures(client):
    september = {(r["department"], r["reason_group"]): r
                 for r in get(client, "/stats", HR, as_of=AS_OF, month="2025-09")}
    colds = september[("Ward 7", "respiratory")]   # six people: shown
    assert colds["suppressed"] is False and colds["people"] == 6 and colds["episodes"] == 6
    assert colds["fte_days_lost"] == 12.0  # off 9-10 Sep (back on the 11th): 2 days x 6 full-time people
    alone = september[("Ward 7", "mental_health")]  # E1 alone: suppressed
    assert alone == {"month": "2025-09", "department": "Ward 7", "reason_group": "mental_health",
                     "fte_days_lost": None, "fte_days_available": None, "rate": None, "episodes": None,
                     "returns": None, "returns_discussed_within_72h": None, "people": None, "suppressed": True}
    # No totals are published beside the cells: nothing to subtract from.
    assert all(set(r) == set(alone) for r in september.values())


def test_a_manager_sees_statistics_for_the_departments_of_their_reports_only(client):
    assert {r["department"] for r in get(client, "/stats", MANAGER, as_of=AS_OF)} == {"Ward 7"}
    assert {r["department"] for r in get(client, "/stats", lambda: as_(Role.manager, "MGR2"), as_of=AS_OF)} \
        == {"Theatres"}
    assert get(client, "/stats", lambda: as_(Role.manager, "NOBODY"), as_of=AS_OF) == []
    for who in (HR, AUDITOR):
        assert {r["department"] for r in get(client, "/stats", who, as_of=AS_OF)} == {"Ward 7", "Theatres"}
    assert client.get("/stats", params={"as_of": AS_OF}, headers=EMPLOYEE()).status_code == 403


def test_the_cli_statistics_suppress_small_counts_and_narrow_to_a_manager_s_departments(tmp_path):
    database = str(tmp_path / "ledger.db")
    populate(AttendanceLedger(database))
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": database}

    def cli(*args: str) -> str:
        done = subprocess.run([ATTENDANCE, *args], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("project", "--once", "--as-of", AS_OF)
    rows = json.loads(cli("query", "stats", "--month", "2025-09", "--format", "json"))
    assert {(r["department"], r["reason_group"], r["suppressed"]) for r in rows} == {
        ("Ward 7", "respiratory", False), ("Ward 7", "mental_health", True), ("Theatres", "musculoskeletal", True)}
    assert {r["department"] for r in json.loads(cli("query", "stats", "--manager", "MGR2", "--format", "json"))} \
        == {"Theatres"}
    assert "suppressed (fewer than 5 people)" in cli("query", "stats", "--month", "2025-09")


def stored_bytes(database: Path) -> bytes:
    """Everything SQLite holds for the database, its write-ahead log included."""
    return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


def read_model_tables(database: Path) -> str:
    """Every value of the read model's tables, as text, read with sqlite3 itself."""
    with sqlite3.connect(database) as connection:
        return "\n".join(str(value) for table in ("employee_status", "worklist", "leave_balance",
                                                   "sick_pay_status", "absence_stats")
                         for row in connection.execute(f"SELECT * FROM {table}") for value in row)


#: E1's reason code and note (in the ledger's events) and reason groups
#: per employee (in the read model), as stored JSON holds them - quoted,
#: so never chance bytes of ciphertext
LEDGER_SECRETS = ['"S10"', NOTE]
READ_MODEL_SECRETS = ['"mental_health"', '"respiratory"']


@pytest.mark.parametrize("cipher_key", [None, AESCipher.create_key(16)], ids=["plain", "CIPHER_KEY"])
def test_with_cipher_key_no_reason_nor_note_is_readable_in_the_database_file_and_queries_still_work(
        tmp_path, monkeypatch, cipher_key):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", KEY)
    database = tmp_path / "ledger.db"
    ledger = AttendanceLedger(str(database), library={"CIPHER_KEY": cipher_key} if cipher_key else None)
    populate(ledger)
    client = open_client(ledger, tmp_path)

    in_file = [m for m in LEDGER_SECRETS + READ_MODEL_SECRETS if m.encode() in stored_bytes(database)]
    in_read_model = [m for m in READ_MODEL_SECRETS if m in read_model_tables(database)]
    if cipher_key:
        assert in_file == [] and in_read_model == []
    else:  # the control: without a key the same searches find them
        assert in_file == LEDGER_SECRETS + READ_MODEL_SECRETS and in_read_model == READ_MODEL_SECRETS
    assert get(client, "/priority-cases", HR, as_of=AS_OF) == []  # answers (no one has a case open)
    assert {(r["department"], r["reason_group"]) for r in get(client, "/stats", HR, month="2025-09")} == {
        ("Ward 7", "respiratory"), ("Ward 7", "mental_health"), ("Theatres", "musculoskeletal")}
    assert {r["department"] for r in get(client, "/stats", MANAGER)} == {"Ward 7"}
    services = client.app.state.services
    assert services.read_model.status("E1")["department"] == "Ward 7"
    assert services.read_model.worklist("MGR1")


def test_a_kafka_consumer_s_received_events_are_sealed_with_the_cipher_key(tmp_path):
    database = tmp_path / "consumer.db"
    store = consumer_store(str(database), AESCipher(Environment(env={"CIPHER_KEY": AESCipher.create_key(16)})))
    event = {"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-09-01", "reason": "S10"}
    store.consumed("read-model", "attendance.events.v1", [("E1", 1, event)], {0: 1})
    assert b'"S10"' not in stored_bytes(database)
    assert store.histories("read-model") == {"E1": {1: event}}


@pytest.mark.parametrize("kind", sorted(t for t, fields in FREE_TEXT.items() if fields))
def test_every_prose_field_of_every_event_type_reaches_a_manager_withheld_and_hr_as_written(kind):
    event = {"type": kind, **{field: "written about someone's health" for field in FREE_TEXT[kind]}}
    assert privacy.for_role("manager", [event]) == [{"type": kind, **{f: WITHHELD for f in FREE_TEXT[kind]}}]
    assert privacy.for_role("hr", [event]) == [event]


def test_the_readme_table_is_the_privacy_table_the_code_applies():
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert privacy.markdown_table() in readme
