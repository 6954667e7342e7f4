"""Replay, comparison and the transition review over whole ledgers, with
answers worked out by hand."""

from __future__ import annotations

import gc
import json
from datetime import date, datetime, timezone

import pytest

from bench.population import population
from domain.employee import employee_uuid
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger, partition_of
from service.population import replay_ledger
from service.settings import SettingsError
from domain.casefile import parse_case
from domain.events import PolicyAssigned
from projections.replay import replay
from projections.transition import transition_candidates
from tests.cases import absence, case


def one_day(absence_id: str, day: str, reason: str = "S13") -> list[dict]:
    following = date.fromisoformat(day).toordinal() + 1
    return absence(absence_id, day, date.fromordinal(following).isoformat(), reason)


#: Five employees whose answers under V6, V5.13 (provisional) and the North
#: West policy on 1 Oct 2025 are worked out below.
POPULATION = {
    # 3 one-day episodes (6 May, 9 Jul, 11 Sep): V5.13 stage 1 (3 episodes);
    # V6 nothing (needs 4); NW nothing.
    "P1": [*one_day("A1", "2025-05-06"), *one_day("A2", "2025-07-09", "S16"), *one_day("A3", "2025-09-11", "S25")],
    # 10 working days (2-6 Jun, 1-5 Sep): V6 stage 1 (10 days); V5.13 nothing
    # (15 days, 3 episodes); NW nothing.
    "P2": [*absence("A1", "2025-06-02", "2025-06-09"), *absence("A2", "2025-09-01", "2025-09-08", "S25")],
    # Pattern 16 Jun, informal review 23 Jun with monitoring, then one-day
    # episodes on 15 Jul and 16 Sep: 2 within 6 months of the review make the
    # formal review due from 16 Sep under V6 and V5.13; under NW the review
    # sets level 1 and nothing is ever due from counts.
    "P3": [{"type": "PatternOfAbsenceIdentified", "date": "2025-06-16", "description": "x"},
           {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-06-23", "outcome": "monitoring"},
           *one_day("A1", "2025-07-15"), *one_day("A2", "2025-09-16", "S16")],
    # Ongoing from 4 Aug 2025: long-term stage 1 due from 1 Sep under V6 and
    # V5.13 (4 weeks); NW nothing.
    "P4": absence("A1", "2025-08-04", reason="S11"),
    # No absence: nothing anywhere.
    "P5": [],
}


@pytest.fixture
def ledger(database_url) -> AttendanceLedger:
    ledger = AttendanceLedger(database_url)
    for employee_id, events in POPULATION.items():
        ledger.import_case(parse_case(case(employee_id, *events)))
    return ledger


def test_comparison_totals_match_the_hand_worked_population(ledger):
    result = replay(ledger.histories(), ledger.registry, ["sath-w22-v6", "sath-w22-v5.13"], date(2025, 10, 1))
    totals = {p: t.as_dict() for p, t in result.totals.items()}
    assert totals["sath-w22-v6"] == {
        "employees": 5, "with_review_due": 3, "formal_processes": 1,
        "reviews_due": {"long_term stage 1": 1, "short_term stage 1": 1, "short_term stage 2": 1}}
    assert totals["sath-w22-v5.13"] == {
        "employees": 5, "with_review_due": 3, "formal_processes": 1,
        "reviews_due": {"long_term stage 1": 1, "short_term stage 1": 1, "short_term stage 2": 1}}
    assert [e["employee_id"] for e in result.differences] == ["P1", "P2"]


def test_the_trigger_less_policy_would_not_have_started_the_formal_process(ledger):
    result = replay(ledger.histories(), ledger.registry, ["nw-wam-2024", "sath-w22-v6"], date(2025, 10, 1))
    summary = result.as_dict()
    assert summary["totals"]["nw-wam-2024"]["with_review_due"] == 0
    assert summary["comparison"] == {"employees_differing": 3,
                                     "formal_processes_not_started_under_nw-wam-2024": 1,
                                     "formal_processes_not_started_under_sath-w22-v6": 0}


def test_replay_writes_nothing(ledger):
    before = len(list(ledger.ledger_notifications()))
    replay(ledger.histories(), ledger.registry, ["nw-wam-2024"], date(2025, 10, 1))
    assert len(list(ledger.ledger_notifications())) == before


def test_a_replay_shared_among_worker_processes_gives_the_one_process_answer(ledger):
    for each in population(40, seed=3):  # varied histories beside the hand-worked five
        ledger.import_case(parse_case(each))
    services = bootstrap(ledger=ledger)
    policies = ["sath-w22-v6", "nw-wam-2024"]
    alone = replay_ledger(services, policies, date(2025, 10, 1))
    shared = replay_ledger(services, policies, date(2025, 10, 1), workers=3)
    assert json.dumps(shared.as_dict()) == json.dumps(alone.as_dict())
    assert alone.totals["sath-w22-v6"].employees == 45
    shares = {partition_of(employee_uuid(e["employee_id"]), 3) for e in alone.employees}
    assert shares == {0, 1, 2}, "every worker had employees to replay"


def test_a_workers_share_of_the_log_is_exactly_its_employees_events_in_order(ledger):
    """Each worker reads its share in SQL, not the whole log to pass over the
    rest: together the shares are the log, each event in one share only."""
    for each in population(40, seed=3):
        ledger.import_case(parse_case(each))
    log = list(ledger.ledger_notifications(batch=7))  # pages of 7: a share's pages end where the log's do not
    for count in (2, 3):
        shares = [list(ledger.ledger_notifications(batch=7, partition=(n, count))) for n in range(count)]
        for n, share in enumerate(shares):
            assert share == [e for e in log if partition_of(e.originator_id, count) == n]
        assert sum(map(len, shares)) == len(log)


def test_a_whole_ledger_read_leaves_the_collector_on_and_nothing_frozen_once_done_dropped_or_failed(
        ledger, monkeypatch):
    """A read freezes what it holds out of the cyclic collector's walks: a
    long-running server must get it all back, whatever becomes of the read."""
    assert gc.isenabled() and gc.get_freeze_count() == 0
    held = ledger.histories()
    assert gc.get_freeze_count() > 0, "held while unread"
    list(held)
    assert gc.get_freeze_count() == 0, "iterated"
    unread = ledger.histories()
    del unread
    assert gc.get_freeze_count() == 0, "dropped unread (a replay job that failed before it began)"

    def unreadable(*_args):  # an event sealed with another CIPHER_KEY, met half way
        yield from ledger.recorder.select_notifications(1, 3)
        raise SettingsError("CIPHER_KEY does not open the ledger's events")

    monkeypatch.setattr(ledger, "ledger_notifications", unreadable)
    with pytest.raises(SettingsError):
        ledger.histories()
    assert gc.isenabled() and gc.get_freeze_count() == 0, "failed"


def _mixed_population(ledger: AttendanceLedger) -> dict[str, str]:
    """60 employees: what the transition review must say of each."""
    expected = {}
    for n in range(60):
        employee_id, kind = f"T{n:02d}", n % 6
        events: list[dict] = []
        if kind == 0:    # V5.13, informal review held in 2024: level 1 (old case) -> review
            events = [*one_day("A1", "2024-10-01"), *one_day("A2", "2024-11-05", "S16"),
                      *one_day("A3", "2024-12-03", "S25"),
                      {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-03-03",
                       "outcome": "monitoring", "monitoring_months": 12}]
            expected[employee_id] = "review"
        elif kind == 1:  # V5.13, formal review held: level 2 -> review
            events = [{"type": "PatternOfAbsenceIdentified", "date": "2025-01-06", "description": "x"},
                      {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-01-13", "outcome": "escalate"},
                      {"type": "MeetingHeld", "kind": "formal_review", "date": "2025-04-07", "outcome": "monitoring",
                       "monitoring_months": 12}]
            expected[employee_id] = "review"
        elif kind == 2:  # V5.13, no absence: not listed
            expected[employee_id] = None
        elif kind == 3:  # V5.13, a case that began after 23 Apr 2025 (3 episodes by 9 Sep) -> new case
            events = [*one_day("A1", "2025-05-06"), *one_day("A2", "2025-07-09", "S16"),
                      *one_day("A3", "2025-09-09", "S25")]
            expected[employee_id] = "new"
        elif kind == 4:  # already under V6: not listed
            expected[employee_id] = None
        else:            # V5.13, final review held (level 3): stays under V5.13, not listed
            events = [{"type": "PatternOfAbsenceIdentified", "date": "2025-01-06", "description": "x"},
                      {"type": "MeetingHeld", "kind": "final_review", "date": "2025-02-03", "outcome": "monitoring",
                       "monitoring_months": 12}]
            expected[employee_id] = None
        policy = "sath-w22-v6" if kind == 4 else "sath-w22-v5.13"
        ledger.import_case(parse_case(case(employee_id, *events, policy=policy)))
    return expected


def test_transition_review_lists_informal_formal_and_new_cases_and_applies_idempotently(database_url):
    ledger = AttendanceLedger(database_url)
    expected = _mixed_population(ledger)
    as_of = date(2025, 9, 30)
    listed = transition_candidates(ledger.histories(), ledger.registry, "sath-w22-v5.13", "sath-w22-v6", as_of)
    assert {c.employee_id: ("new" if c.reason.startswith("new case") else "review") for c in listed} == \
        {e: kind for e, kind in expected.items() if kind}
    level_two = next(c for c in listed if c.employee_id == "T01")
    assert level_two.mapping == {"short_term": 2, "long_term": 0}
    assert level_two.old["levels"] == {"short_term": 2, "long_term": 0}

    for candidate in listed:
        ledger.record_event(candidate.employee_id, PolicyAssigned(
            effective=as_of, policy="sath-w22-v6", level_mapping=candidate.mapping, reason="transition review"))
    assert transition_candidates(ledger.histories(), ledger.registry, "sath-w22-v5.13", "sath-w22-v6", as_of) == []

    # Moved at the corresponding stage: level 2 under V6, monitoring from the transition.
    moved = json.loads(json.dumps(_status(ledger, "T01", date(2025, 10, 15))))
    assert moved["policy"] == "sath-w22-v6"
    assert moved["tracks"]["short_term"]["level"] == 2
    assert moved["tracks"]["short_term"]["monitoring_start"] == "2025-09-30"
    # Not listed, not moved.
    assert _status(ledger, "T05", date(2025, 10, 15))["policy"] == "sath-w22-v5.13"


def _status(ledger, employee_id, as_of):
    from api.render import status_document
    from projections.status import evaluate
    return status_document(evaluate(ledger.history(employee_id), ledger.registry, as_of))


def test_a_review_records_the_rules_and_status_it_was_decided_under(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_case(parse_case(case("D1", *absence("A1", "2025-06-02", "2025-06-09"),
                                       *absence("A2", "2025-09-01", "2025-09-08", "S25"),
                                       {"type": "MeetingHeld", "kind": "informal_review", "date": "2025-10-06",
                                        "outcome": "monitoring", "recorded_at": "2025-10-06T16:00:00Z"})))
    meeting = ledger.history("D1")[-1]
    assert meeting.policy == "sath-w22-v6"
    assert meeting.rulebook_hash == ledger.registry.get("sath-w22-v6").content_hash
    assert meeting.status_shown == {
        "levels": {"short_term": 0, "long_term": 0},
        "reviews_due": [{"stage": 1, "kind": "informal_review", "track": "short_term", "triggered_on": "2025-09-05"}]}
    again = ledger.import_case(parse_case(case("D1", *absence("A1", "2025-06-02", "2025-06-09"),
                                               *absence("A2", "2025-09-01", "2025-09-08", "S25"),
                                               {"type": "MeetingHeld", "kind": "informal_review",
                                                "date": "2025-10-06", "outcome": "monitoring",
                                                "recorded_at": "2025-10-06T16:00:00Z"})))
    assert again.stored == 0, "the stamp is not part of the fact's identity"
    assert datetime(2025, 10, 6, 16, tzinfo=timezone.utc) == meeting.recorded_at
