"""The trust boundary from outside (SPEC 12, issue 9): what the ledger alone
sets cannot be sent, idempotency keys hold under concurrency, and the keys
that seal the store are checked at start."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from eventsourcing.cipher import AESCipher
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger
from service.settings import Settings, SettingsError
from tests.cases import case
from tests.test_cli import run

JWT_KEY = "test-signing-key-of-a-decent-length-0123456789"
ABSENCE = {"type": "SicknessReported", "absence_id": "A9", "first_day": "2025-09-22", "reason": "S16"}
REVIEW = {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-09-29", "outcome": "monitoring"}
REGISTRATION = {"employee_id": "E9", "service_start": "2020-01-06", "contracted_hours": 37.5, "policy": "sath-w22-v6"}


def bearer(role: Role, subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(role, subject)}"}


@pytest.fixture
def ledger(tmp_path, monkeypatch) -> AttendanceLedger:
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"))
    ledger.import_case(parse_case(case("E1", manager_id="MGR1")))
    return ledger


@pytest.fixture
def client(ledger, tmp_path) -> TestClient:
    return TestClient(create_app(ledger, access_log=tmp_path / "access.log"))


# --- server-owned stamps ---------------------------------------------------

FORGED = {
    "recorded_at on an event": ("/employees/E1/events", {**ABSENCE, "recorded_at": "2020-01-01T09:00:00Z"},
                                "recorded_at"),
    "actor on an event": ("/employees/E1/events", {**ABSENCE, "actor": "someone-else"}, "actor"),
    "policy on a review": ("/employees/E1/events", {**REVIEW, "policy": "sath-w22-v5.13"}, "policy"),
    "rulebook_hash on a review": ("/employees/E1/events", {**REVIEW, "rulebook_hash": "0" * 64}, "rulebook_hash"),
    "status_shown on a review": ("/employees/E1/events", {**REVIEW, "status_shown": {"levels": {}}}, "status_shown"),
    "recorded_at on a registration": ("/employees", {**REGISTRATION, "recorded_at": "2020-01-06T09:00:00Z"},
                                      "recorded_at"),
    "actor on a registration": ("/employees", {**REGISTRATION, "actor": "someone-else"}, "actor"),
}


@pytest.mark.parametrize("name", FORGED)
def test_a_live_command_naming_what_the_ledger_sets_is_422_naming_the_field_and_stores_nothing(client, ledger, name):
    path, body, field = FORGED[name]
    before = list(ledger.ledger_notifications())
    response = client.post(path, json=body, headers=bearer(Role.hr, "hr1"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field
    assert len(list(ledger.ledger_notifications())) == len(before)


def test_the_ledger_stamps_a_live_event_with_now_the_signed_in_caller_and_the_review_s_rules(client, ledger):
    hr = bearer(Role.hr, "hr1")
    started = datetime.now(timezone.utc)
    assert client.post("/employees/E1/events", json=ABSENCE, headers=bearer(Role.manager, "MGR1")).status_code == 201
    assert client.post("/employees/E1/events", json=REVIEW, headers=hr).status_code == 201
    absence, review = ledger.history("E1")[-2:]
    assert absence.actor == "MGR1" and review.actor == "hr1"
    assert started <= absence.recorded_at <= datetime.now(timezone.utc)
    assert review.policy == "sath-w22-v6"
    assert review.rulebook_hash == ledger.registry.get("sath-w22-v6").content_hash


def test_an_hr_import_keeps_historical_recorded_at_and_records_the_importer_as_actor(client, ledger):
    historical = {**ABSENCE, "recorded_at": "2025-09-22T08:30:00Z"}
    response = client.post("/import", json=case("E2", historical), headers=bearer(Role.hr, "hr-adviser-7"))
    assert response.status_code == 200, response.text
    registration, absence = ledger.history("E2")
    assert absence.recorded_at == datetime(2025, 9, 22, 8, 30, tzinfo=timezone.utc)  # known_at audits hold
    assert registration.actor == absence.actor == "hr-adviser-7"


@pytest.mark.parametrize("forged, field", [
    ({**ABSENCE, "actor": "MGR1"}, "events[0].actor"),
    ({**REVIEW, "status_shown": {"levels": {"short_term": 0}}}, "events[0].status_shown"),
    ({**REVIEW, "policy": "sath-w22-v5.13"}, "events[0].policy"),
])
def test_an_imported_case_file_naming_its_actor_or_a_review_s_stamps_is_refused_and_stores_nothing(
        client, ledger, forged, field):
    response = client.post("/import", json=case("E3", forged), headers=bearer(Role.hr, "hr1"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert client.get("/employees/E3/history", headers=bearer(Role.hr, "hr1")).status_code == 404


def test_the_cli_imports_historical_recorded_at_but_refuses_a_forged_actor(tmp_path):
    good, forged = tmp_path / "good.json", tmp_path / "forged.json"
    good.write_text(json.dumps(case("G1", {**ABSENCE, "recorded_at": "2025-09-22T08:30:00Z"})))
    forged.write_text(json.dumps(case("G2", {**ABSENCE, "actor": "MGR1"})))
    refused = run("import", str(forged), cwd=tmp_path, code=2)
    assert "events[0].actor" in refused.stderr, refused.stderr
    stored = run("import", str(good), cwd=tmp_path)
    assert stored.returncode == 0, stored.stderr
    history = AttendanceLedger(str(tmp_path / "attendance.db")).history("G1")
    assert history[1].recorded_at == datetime(2025, 9, 22, 8, 30, tzinfo=timezone.utc)
    assert history[1].actor == "import"


def test_an_export_leaves_the_stamps_for_the_importing_ledger_and_imports_as_it_stands(client, ledger):
    hr = bearer(Role.hr, "hr1")
    assert client.post("/employees/E1/events", json=REVIEW, headers=hr).status_code == 201
    exported = client.get("/employees/E1/export", headers=hr).json()
    assert "actor" not in exported["employee"]
    assert all("actor" not in e and "status_shown" not in e and "policy" not in e for e in exported["events"])
    exported["employee"]["employee_id"] = "E1-COPY"
    assert client.post("/import", json=exported, headers=hr).status_code == 200
    assert ledger.history("E1-COPY")[-1].status_shown == ledger.history("E1")[-1].status_shown


# --- idempotency -------------------------------------------------------------

PATTERN = {"type": "PatternOfAbsenceIdentified", "date": "2025-09-29", "description": "Mondays"}


def patterns(ledger: AttendanceLedger, employee_id: str = "E1") -> int:
    return sum(1 for f in ledger.history(employee_id) if f.type == "PatternOfAbsenceIdentified")


def test_the_same_key_with_another_body_is_422_naming_the_key_and_stores_nothing(client, ledger):
    key = {"Idempotency-Key": "k-1", **bearer(Role.hr, "hr1")}
    first = client.post("/employees/E1/events", json=PATTERN, headers=key)
    assert first.status_code == 201 and first.json()["replayed"] is False
    again = client.post("/employees/E1/events", json=PATTERN, headers=key)
    assert again.status_code == 201 and again.json() == {"event_id": first.json()["event_id"], "replayed": True}
    other = client.post("/employees/E1/events", json={**PATTERN, "description": "Fridays"}, headers=key)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert patterns(ledger) == 1


def test_an_idempotency_key_belongs_to_its_caller(client, ledger):
    for caller in (bearer(Role.hr, "hr1"), bearer(Role.hr, "hr2"), bearer(Role.manager, "MGR1")):
        response = client.post("/employees/E1/events", json=PATTERN, headers={"Idempotency-Key": "shared", **caller})
        assert response.status_code == 201 and response.json()["replayed"] is False, response.text
    assert patterns(ledger) == 3


def test_a_key_is_claimed_only_with_the_event_it_stored(client, ledger):
    key = {"Idempotency-Key": "k-2", **bearer(Role.hr, "hr1")}
    refused = client.post("/employees/E1/events", json={**PATTERN, "date": "0001-01-01"}, headers=key)
    assert refused.status_code == 422
    stored = client.post("/employees/E1/events", json=PATTERN, headers=key)
    assert stored.status_code == 201 and stored.json()["replayed"] is False, stored.text


def test_a_claim_whose_event_is_not_stored_is_rolled_back_with_it(database_url):
    from eventsourcing.persistence import IntegrityError

    from domain.events import parse_fact
    from service.idempotency import Claim

    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1")))
    stale = ledger.employee("E1")
    ledger.record_event("E1", parse_fact({**PATTERN, "description": "first"}))
    stale.record(parse_fact(PATTERN))  # the same version, written second
    claim = Claim("hr:hr1", "k-3", Claim.request_hash("E1", PATTERN), "E1", "3")
    with pytest.raises(IntegrityError):
        ledger.save(stale, idempotency=claim)
    assert ledger.recorder.claimed("hr:hr1", "k-3") is None


@pytest.mark.parametrize("threads", [5, 20])
def test_concurrent_requests_with_one_key_store_exactly_one_event(database_url, tmp_path, monkeypatch, threads):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1")))
    client = TestClient(create_app(ledger, access_log=tmp_path / "access.log"))
    key = {"Idempotency-Key": "one-key", **bearer(Role.hr, "hr1")}
    with ThreadPoolExecutor(threads) as pool:
        responses = list(pool.map(lambda _: client.post("/employees/E1/events", json=PATTERN, headers=key),
                                  range(threads)))
    assert [r.status_code for r in responses] == [201] * threads, [r.text for r in responses]
    assert len({r.json()["event_id"] for r in responses}) == 1
    assert sum(not r.json()["replayed"] for r in responses) == 1
    assert patterns(AttendanceLedger(database_url)) == 1


# --- keys ------------------------------------------------------------------------

def test_crypto_shredding_without_a_cipher_key_refuses_to_start_naming_it(tmp_path):
    with pytest.raises(SettingsError, match="CIPHER_KEY"):
        bootstrap(Settings(database_url=str(tmp_path / "ledger.db"), crypto_shredding=True))
    for command in (["serve", "--port", "0"], ["worklist", "--as-of", "2025-10-01"]):
        started = run(*command, cwd=tmp_path, env={"ATTENDANCE_CRYPTO_SHREDDING": "on", "CIPHER_KEY": ""}, code=2)
        assert started.stderr.startswith("error: CIPHER_KEY is not set") and started.stderr.count("\n") == 1


@pytest.mark.parametrize("opened_with", ["another key", "no key", "a malformed key"])
def test_a_key_that_cannot_open_an_encrypted_store_is_a_one_line_error_at_start(tmp_path, opened_with):
    sealed = {"CIPHER_KEY": AESCipher.create_key(32)}
    (tmp_path / "case.json").write_text(json.dumps(case("E1", ABSENCE)))
    assert run("import", "case.json", cwd=tmp_path, env=sealed).returncode == 0
    key = {"another key": AESCipher.create_key(32), "no key": "", "a malformed key": "not-a-key"}[opened_with]
    for command in (["status", "E1", "--as-of", "2025-10-01"], ["serve", "--port", "0"]):
        started = run(*command, cwd=tmp_path, env={"CIPHER_KEY": key}, code=2)
        assert started.stderr.startswith("error: CIPHER_KEY") and started.stderr.count("\n") == 1, started.stderr


@pytest.mark.parametrize("written_with", [{}, {"CIPHER_KEY": AESCipher.create_key(32)}], ids=["plain", "sealed"])
def test_crypto_shredding_turned_on_for_a_ledger_written_without_it_is_a_one_line_error_at_start(tmp_path,
                                                                                                 written_with):
    (tmp_path / "case.json").write_text(json.dumps(case("E1", ABSENCE)))
    run("import", "case.json", cwd=tmp_path, env=written_with)
    shredding = {"ATTENDANCE_CRYPTO_SHREDDING": "on", "CIPHER_KEY": written_with.get("CIPHER_KEY") or
                 AESCipher.create_key(32)}
    for command in (["status", "E1", "--as-of", "2025-10-01"], ["worklist", "--as-of", "2025-10-01"]):
        started = run(*command, cwd=tmp_path, env=shredding, code=2)
        assert started.stderr.startswith("error: ATTENDANCE_CRYPTO_SHREDDING=on, but this ledger was written "
                                         "without it") and started.stderr.count("\n") == 1, started.stderr


def test_an_event_sealed_with_another_key_is_a_problem_over_http_never_a_text_500(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENDANCE_JWT_KEY", JWT_KEY)
    database = str(tmp_path / "ledger.db")
    monkeypatch.setenv("CIPHER_KEY", AESCipher.create_key(32))
    client = TestClient(create_app(AttendanceLedger(database), access_log=tmp_path / "a.log"),
                        raise_server_exceptions=False)
    monkeypatch.setenv("CIPHER_KEY", AESCipher.create_key(32))  # another process, another key
    AttendanceLedger(database).import_case(parse_case(case("E1")))
    response = client.get("/employees/E1/history", headers=bearer(Role.hr, "hr1"))
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
    assert "CIPHER_KEY" in response.json()["detail"]


# --- validation messages -----------------------------------------------------------

def test_validation_errors_name_the_field_in_plain_words(client):
    hr = {"Idempotency-Key": "k" * 200, **bearer(Role.hr, "hr1")}
    unknown_code = client.post("/employees/E1/events", json={**ABSENCE, "reason": "S77"}, headers=bearer(Role.hr, "h"))
    assert unknown_code.json()["detail"].startswith("reason: unknown ESR reason code 'S77'"), unknown_code.text
    long_key = client.post("/employees/E1/events", json=ABSENCE, headers=hr)
    assert long_key.json()["errors"][0]["field"] == "Idempotency-Key"
    bad_day = client.get("/employees/E1/status", params={"as_of": "someday"}, headers=bearer(Role.hr, "h"))
    assert bad_day.json()["errors"][0]["field"] == "as_of"
    for response in (unknown_code, long_key, bad_day):
        assert response.status_code == 422 and "Value error" not in response.text

