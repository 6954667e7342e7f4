"""The read model on SQLite and PostgreSQL: what it answers, exactly-once
catch-up, the daily tick, rebuilds, and a projector killed mid-stream."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from service.projector import Projector, TickOutOfOrder
from service.read_model_store import read_model_store
from service.ledger import AttendanceLedger
from domain.casefile import parse_case
from domain.events import ReturnedToWork, SicknessReported
from api.render import status_document
from projections.status import evaluate
from projections.worklist import worklist
from tests.cases import TEN_DAYS, absence, case

AS_OF = date(2025, 10, 1)


def snapshot(store) -> dict:
    return {"counts": store.counts(), "worklist": store.worklist(), "priority": store.priority_cases(),
            "stats": store.stats()}


@pytest.fixture
def ledger(database_url) -> AttendanceLedger:
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="M1", department="Ward 7")))
    ledger.import_case(parse_case(case("E2", *absence("A1", "2025-09-22", "2025-09-24"), manager_id="M2",
                                       department="Ward 7", contracted_hours=18.75)))
    ledger.import_case(parse_case(case("E3", manager_id="M1", department="Theatres")))
    return ledger


@pytest.fixture
def projector(ledger, database_url) -> Projector:
    return Projector(ledger, read_model_store(database_url), AS_OF)


def test_the_read_model_answers_what_evaluation_answers(ledger, projector, registry):
    projector.catch_up()
    store = projector.store
    status = store.status("E1")
    assert (status["short_term_level"], status["working_days_lost_12m"], status["episodes_12m"]) == (0, 10, 2)
    assert status["reviews_due"] == status_document(evaluate(ledger.history("E1"), registry, AS_OF))["reviews_due"]
    items = worklist(ledger.histories(), registry, AS_OF)
    assert store.worklist() == [{k: i[k] for k in i} for i in items]
    assert [i["employee_id"] for i in store.worklist("M2")] == ["E2"]


def test_priority_cases_are_open_cases_by_days_lost_then_episodes(projector):
    projector.catch_up()
    assert [c["employee_id"] for c in projector.store.priority_cases()] == ["E1"]   # E2 and E3 have no case


def test_absence_statistics_by_month_department_and_reason_group(projector):
    # September 2025 in Ward 7: E1 (full time) lost 1-5 Sep = 5 FTE days (S25,
    # gastrointestinal); E2 (18.75 h = 0.5 FTE) lost 22-23 Sep = 1 FTE day (S13,
    # respiratory). Available: 22 working days x (1 + 0.5) = 33 FTE days.
    # Returns: E1 back 8 Sep and E2 back 24 Sep, neither discussed.
    projector.catch_up()
    september = {r["reason_group"]: r for r in projector.store.stats("2025-09") if r["department"] == "Ward 7"}
    assert september["gastrointestinal"] == {
        "month": "2025-09", "department": "Ward 7", "reason_group": "gastrointestinal", "fte_days_lost": 5.0,
        "fte_days_available": 33.0, "rate": round(5 / 33, 4), "episodes": 1, "returns": 1,
        "returns_discussed_within_72h": 0.0, "people": 1}
    assert september["respiratory"]["fte_days_lost"] == 1.0 and september["respiratory"]["episodes"] == 1


def test_new_events_are_applied_once_each_and_the_position_moves_on(ledger, projector):
    projector.catch_up()
    before = projector.store.max_tracking_id("attendance")
    ledger.record_event("E3", SicknessReported(absence_id="A1", first_day=date(2025, 9, 29), reason="S13"))
    ledger.record_event("E3", ReturnedToWork(absence_id="A1", first_day_back=date(2025, 9, 30)))
    assert projector.catch_up() == 2
    assert projector.store.max_tracking_id("attendance") == before + 2
    assert projector.store.status("E3")["episodes_12m"] == 1
    assert projector.catch_up() == 0


def test_the_daily_tick_refreshes_rows_that_change_with_time_alone(ledger, database_url):
    # E2 returned 24 Sep; the welcome-back discussion is due by 27 Sep. On 25 Sep
    # it is upcoming (the worklist lists actions due within 14 days, SPEC 11);
    # on 1 Oct it is overdue - with no new event.
    early = Projector(ledger, read_model_store(database_url), date(2025, 9, 25))
    early.catch_up()
    assert [i["kind"] for i in early.store.worklist("M2")] == ["action_upcoming"]
    Projector(ledger, early.store, date(2025, 10, 1)).catch_up()
    assert [i["kind"] for i in early.store.worklist("M2")] == ["action_overdue"]
    with pytest.raises(TickOutOfOrder):
        Projector(ledger, early.store, date(2025, 9, 30)).catch_up()


def test_rebuilding_gives_the_same_read_model_as_catching_up(ledger, projector):
    projector.catch_up()
    caught_up = snapshot(projector.store)
    projector.rebuild()
    assert snapshot(projector.store) == caught_up
    projector.rebuild(("worklist",))
    assert snapshot(projector.store) == caught_up


@pytest.mark.slow
def test_a_projector_killed_at_any_moment_loses_nothing_and_applies_nothing_twice(database_url, tmp_path):
    """SIGKILL the projector at random moments while it works through a ledger
    of 80 employees; restart it; the read model must equal a fresh rebuild."""
    ledger = AttendanceLedger(database_url)
    for n in range(80):
        ledger.import_case(parse_case(case(f"K{n:03d}", *TEN_DAYS, manager_id=f"M{n % 7}")))
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": database_url}
    command = [str(Path(sys.executable).with_name("attendance")), "project", "--as-of", "2025-10-01",
               "--interval", "0.05"]
    rng = random.Random(7)
    for round_ in range(4):
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, "it was still running: killed, not crashed"
        for n in range(3):  # more events while it is down, for employees not yet touched
            employee = f"K{round_ * 3 + n:03d}"
            ledger.record_event(employee, SicknessReported(absence_id="X1", first_day=date(2025, 9, 15),
                                                           reason="S13"))
            ledger.record_event(employee, ReturnedToWork(absence_id="X1", first_day_back=date(2025, 9, 16)))
    subprocess.run([*command[:-2], "--once"], env=env, cwd=tmp_path, check=True, capture_output=True)
    store = read_model_store(database_url)
    after_crashes = snapshot(store)
    assert store.max_tracking_id("attendance") == ledger.recorder.max_notification_id()
    Projector(ledger, store, date(2025, 10, 1)).rebuild()
    assert snapshot(store) == after_crashes
