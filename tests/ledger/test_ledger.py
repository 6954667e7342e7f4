"""The ledger application on both stores: the embedded SQLite file and a
real PostgreSQL server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest
from eventsourcing.persistence import IntegrityError

from service.ledger import AttendanceLedger
from domain.casefile import parse_case
from domain.employee import employee_uuid
from domain.events import ReturnedToWork, SicknessReported
from domain.exceptions import EmployeeNotFound, InvalidEvent
from api.render import status_document
from projections.status import evaluate
from tests.cases import TEN_DAYS, absence, case


def _notifications(ledger: AttendanceLedger) -> int:
    return len(list(ledger.ledger_notifications()))


def test_importing_a_case_stores_every_event_on_the_employee(database_url):
    ledger = AttendanceLedger(database_url)
    result = ledger.import_case(parse_case(case("E1", *TEN_DAYS)))
    assert (result.stored, result.already_held) == (5, 0)
    history = ledger.history("E1")
    assert [f.type for f in history] == ["EmployeeRegistered", "SicknessReported", "ReturnedToWork",
                                         "SicknessReported", "ReturnedToWork"]
    assert [f.event_id for f in history] == ["1", "2", "3", "4", "5"]


def test_importing_the_same_case_twice_stores_nothing_new(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1", *TEN_DAYS)))
    before = _notifications(ledger)
    again = ledger.import_case(parse_case(case("E1", *TEN_DAYS)))
    assert (again.stored, again.already_held) == (0, 5)
    assert _notifications(ledger) == before


def test_reimporting_a_longer_case_stores_only_the_new_events(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1", *TEN_DAYS[:2])))
    result = ledger.import_case(parse_case(case("E1", *TEN_DAYS)))
    assert (result.stored, result.already_held) == (2, 3)


def test_an_invalid_event_stores_nothing_of_its_case(database_url):
    ledger = AttendanceLedger(database_url)
    bad = case("E1", *TEN_DAYS, {"type": "ReturnedToWork", "absence_id": "A9", "first_day_back": "2025-10-01"})
    with pytest.raises(InvalidEvent, match=r"events\[4\]\.absence_id: unknown absence 'A9'"):
        ledger.import_case(parse_case(bad))
    assert _notifications(ledger) == 0
    with pytest.raises(EmployeeNotFound):
        ledger.history("E1")


def test_a_different_registration_for_the_same_reference_is_refused(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1")))
    with pytest.raises(InvalidEvent, match="^employee: differs"):
        ledger.import_case(parse_case(case("E1", contracted_hours=30)))


def test_the_employee_reference_maps_to_a_stable_aggregate_id(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("ESR-123")))
    assert ledger.employee("ESR-123").id == employee_uuid("ESR-123")
    assert employee_uuid("ESR-123") == employee_uuid("ESR-123") != employee_uuid("ESR-124")


def test_recording_live_events_stamps_them_now_and_numbers_them(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1")))
    event_id = ledger.record_event("E1", SicknessReported(absence_id="A1", first_day=date(2026, 11, 2),
                                                           reason="S13", actor="manager-7"))
    fact = ledger.history("E1")[-1]
    assert event_id == "2" and fact.actor == "manager-7"
    assert (datetime.now(timezone.utc) - fact.recorded_at).total_seconds() < 60


def test_a_return_before_the_first_day_is_refused_and_not_stored(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1", *absence("A1", "2025-06-02"))))
    with pytest.raises(InvalidEvent, match="^first_day_back: must be after"):
        ledger.record_event("E1", ReturnedToWork(absence_id="A1", first_day_back=date(2025, 6, 1)))
    assert len(ledger.history("E1")) == 2


def test_two_writers_to_one_employee_cannot_both_succeed(database_url):
    first, second = AttendanceLedger(database_url), AttendanceLedger(database_url)
    first.import_case(parse_case(case("E1", *absence("A1", "2025-06-02"))))
    mine, theirs = first.employee("E1"), second.employee("E1")
    mine.record(ReturnedToWork(absence_id="A1", first_day_back=date(2025, 6, 9),
                               recorded_at=datetime(2025, 6, 9, 9, tzinfo=timezone.utc)))
    theirs.record(ReturnedToWork(absence_id="A1", first_day_back=date(2025, 6, 10),
                                 recorded_at=datetime(2025, 6, 10, 9, tzinfo=timezone.utc)))
    first.save(mine)
    with pytest.raises(IntegrityError):
        second.save(theirs)
    assert [f.first_day_back for f in first.history("E1") if isinstance(f, ReturnedToWork)] == [date(2025, 6, 9)]


def test_status_from_the_ledger_equals_evaluating_the_case_file(database_url, registry):
    ledger = AttendanceLedger(database_url)
    parsed = parse_case(case("E1", *TEN_DAYS))
    ledger.import_case(parsed)
    as_of = date(2025, 10, 1)
    held = status_document(evaluate(ledger.history("E1"), registry, as_of))
    assert held == status_document(evaluate(parsed.history, registry, as_of))


def test_reading_every_history_returns_each_employee_once(database_url):
    ledger = AttendanceLedger(database_url)
    for n in range(3):
        ledger.import_case(parse_case(case(f"E{n}", *TEN_DAYS)))
    histories = list(ledger.histories(batch=4))
    assert sorted(h[0].employee_id for h in histories) == ["E0", "E1", "E2"]
    assert all(len(h) == 5 for h in histories)


def test_registering_an_employee_starts_their_ledger_and_refuses_an_unknown_policy(database_url):
    from domain.events import EmployeeRegistered

    ledger = AttendanceLedger(database_url)
    ledger.register_employee(EmployeeRegistered(employee_id="N1", service_start=date(2020, 1, 6),
                                                contracted_hours=37.5, policy="sath-w22-v6"))
    assert ledger.history("N1")[0].employee_id == "N1"
    with pytest.raises(InvalidEvent, match="^policy: unknown policy 'made-up'"):
        ledger.register_employee(EmployeeRegistered(employee_id="N2", service_start=date(2020, 1, 6),
                                                    contracted_hours=37.5, policy="made-up"))


def test_with_a_cipher_key_event_payloads_are_encrypted_at_rest(database_url, monkeypatch):
    from eventsourcing.cipher import AESCipher

    monkeypatch.setenv("CIPHER_KEY", AESCipher.create_key(32))
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("C1", *absence("A1", "2025-06-02", "2025-06-04", "S10"))))
    stored = [n.state for n in ledger.ledger_notifications()]
    assert stored and all(b"S10" not in state and b"SicknessReported\"" not in state for state in stored)
    assert ledger.history("C1")[1].reason == "S10"


def test_an_erased_employee_cannot_be_read_back_while_everyone_else_still_can(database_url, monkeypatch, registry):
    from eventsourcing.cipher import AESCipher

    from domain.erasure import EmployeeErased
    from domain.exceptions import LedgerError

    monkeypatch.setenv("CIPHER_KEY", AESCipher.create_key(32))  # crypto-shredding needs it (issue 9)
    ledger = AttendanceLedger(database_url, crypto_shredding=True)
    leaver = case("X1", *absence("A1", "2019-06-03", "2019-06-05", "S10"),
                  {"type": "EmploymentEnded", "effective": "2019-12-31", "reason": "resignation"})
    ledger.import_case(parse_case(leaver))
    ledger.import_case(parse_case(case("X2", *TEN_DAYS)))
    with pytest.raises(LedgerError, match="retained until 2025-12-31"):
        ledger.erase_employee("X1", date(2025, 6, 1), retention_years=6)
    with pytest.raises(LedgerError, match="still employed"):
        ledger.erase_employee("X2", date(2026, 1, 2), retention_years=6)
    ledger.erase_employee("X1", date(2026, 1, 2), retention_years=6)

    fresh = AttendanceLedger(database_url, crypto_shredding=True)  # no cached keys
    with pytest.raises(EmployeeErased):
        fresh.history("X1")
    assert [h[0].employee_id for h in fresh.histories()] == ["X2"]
    status = status_document(evaluate(fresh.history("X2"), registry, date(2025, 10, 1)))
    assert status["reviews_due"][0]["triggered_on"] == "2025-09-05"
    assert all(b"S10" not in n.state for n in fresh.ledger_notifications())
    assert len(list(fresh.ledger_notifications())) == 9, "the store itself is untouched: append-only"


def test_a_command_sees_what_another_process_recorded_since_it_last_read_the_employee(database_url):
    here, there = AttendanceLedger(database_url), AttendanceLedger(database_url)
    here.import_case(parse_case(case("E1")))
    here.record_event("E1", SicknessReported(absence_id="A1", first_day=date(2025, 3, 3), reason="S13"))
    there.record_event("E1", ReturnedToWork(absence_id="A1", first_day_back=date(2025, 3, 5)))
    # `here` last read E1 with A1 ongoing: a new absence on 10 Mar is accepted
    # only because it sees the return `there` recorded
    here.record_event("E1", SicknessReported(absence_id="A2", first_day=date(2025, 3, 10), reason="S13"))
    assert [f.type for f in there.history("E1")] == [f.type for f in here.history("E1")] == [
        "EmployeeRegistered", "SicknessReported", "ReturnedToWork", "SicknessReported"]


def test_the_ledger_opened_from_several_places_at_once_opens_in_each(database_url):
    """Replay workers and server workers open the ledger side by side: the
    library re-makes its insert function on every open, and two at once on
    PostgreSQL failed "tuple concurrently updated" (a replay with workers)."""
    AttendanceLedger(database_url)  # made once, as the parent process makes it

    def open_ledger(at_once: threading.Barrier) -> None:
        at_once.wait()
        AttendanceLedger(database_url)

    for _ in range(5):
        at_once = threading.Barrier(6)
        with ThreadPoolExecutor(6) as pool:
            for opened in [pool.submit(open_ledger, at_once) for _ in range(6)]:
                opened.result()  # raises what opening raised
