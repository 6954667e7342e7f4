"""A what-if replay as a consumer group over attendance.events.v1 (issue 12):
members share the partitions, each keeps its partitions' shares, and the
merged answer is the one `attendance replay` gives over the ledger - through
a real broker, as an operator runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from bench.population import population
from kafka import TopicPartition

from consumers.replay_group import ReplayMember, _StartOver
from domain.casefile import load_case, parse_case
from service.bootstrap import bootstrap
from service.broker import EVENTS
from service.consumer_store import consumer_store
from service.ledger import AttendanceLedger
from service.population import replay_ledger
from tests.every_event import every_event_cases

ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
EXAMPLES = Path(__file__).parents[2] / "examples"
COMPARISON = ["--policy", "sath-w22-v5.13", "--compare", "sath-w22-v6", "--as-of", "2025-10-01"]


def attendance(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([ATTENDANCE, *args], env=env, capture_output=True, text=True, check=check)


@pytest.fixture
def relayed(database_url, broker, tmp_path):
    """Every example, the histories holding every event type and a synthetic
    workforce in the ledger, all relayed; the replay's shares kept beside the
    ledger (PostgreSQL with PostgreSQL)."""
    ledger = AttendanceLedger(database_url)
    ledger.import_cases([load_case(path) for path in sorted(EXAMPLES.glob("*.json"))] +
                        [parse_case(each) for each in [*every_event_cases(), *population(120)]])
    shares = database_url if database_url.startswith("postgres") else str(tmp_path / "shares.db")
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": database_url, "ATTENDANCE_KAFKA_BOOTSTRAP": broker.address,
           "ATTENDANCE_READ_MODEL_URL": shares}
    attendance("relay", "--once", env=env)
    return env


def members(run: str, count: int, env: dict, *options: str) -> list[subprocess.Popen]:
    """Members started at once, each answering on stdout, its errors (if any) in the log."""
    return [subprocess.Popen([ATTENDANCE, "replay-consumer", "--run", run, *options], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(count)]


def test_two_members_of_a_replay_group_answer_what_replay_over_the_ledger_answers(relayed):
    group = members("sept-review", 2, relayed, *COMPARISON)
    for member in group:
        out, _ = member.communicate(timeout=180)
        assert member.returncode == 0, out
        assert "replay run sept-review (sath-w22-v5.13 compared with sath-w22-v6 on 2025-10-01): every partition replayed (" in out
    for form in ("json", "text", "csv"):
        from_kafka = attendance("replay-result", "sept-review", "--format", form, env=relayed).stdout
        assert from_kafka == attendance("replay", *COMPARISON, "--format", form, env=relayed).stdout
    assert "sath-w22-v6" in from_kafka


def test_a_replay_with_known_at_sees_only_what_was_recorded_by_then(relayed):
    moment = ["--policy", "sath-w22-v6", "--as-of", "2025-10-01", "--known-at", "2025-06-30T12:00:00Z"]
    [member] = members("as-known", 1, relayed, *moment)
    out, _ = member.communicate(timeout=180)
    assert member.returncode == 0, out
    assert attendance("replay-result", "as-known", "--format", "json", env=relayed).stdout == \
        attendance("replay", *moment, "--format", "json", env=relayed).stdout


def test_a_member_joins_a_run_by_name_and_is_refused_another_policy_or_day(relayed):
    [first] = members("by-name", 1, relayed, *COMPARISON)
    out, _ = first.communicate(timeout=180)
    assert first.returncode == 0, out
    joined = attendance("replay-consumer", "--run", "by-name", env=relayed)
    assert "every partition replayed (0 of 6 by this member)" in joined.stdout

    other = attendance("replay-consumer", "--run", "by-name", "--policy", "sath-w22-v6", env=relayed, check=False)
    assert other.returncode == 2
    assert "--policy" in other.stderr
    assert "replays sath-w22-v5.13 compared with sath-w22-v6, not sath-w22-v6" in " ".join(other.stderr.split())
    day = attendance("replay-consumer", "--run", "by-name", "--as-of", "2025-11-01", env=relayed, check=False)
    assert day.returncode == 2 and "--as-of" in day.stderr

    unnamed = attendance("replay-consumer", "--run", "never-started", env=relayed, check=False)
    assert unnamed.returncode == 2 and "--policy" in unnamed.stderr
    assert attendance("replay-result", "never-started", env=relayed, check=False).returncode == 2
    unknown = attendance("replay-consumer", "--run", "x", "--policy", "no-such-policy", env=relayed, check=False)
    assert unknown.returncode == 2 and "no-such-policy" in unknown.stderr
    assert attendance("replay-result", "x", env=relayed, check=False).returncode == 2, "a refused run is not begun"


def test_a_run_replays_the_events_published_before_it_began_and_no_later_ones(relayed, monkeypatch):
    for name, value in relayed.items():
        monkeypatch.setenv(name, value)
    services = bootstrap()
    before = replay_ledger(services, ["sath-w22-v6"], date(2025, 10, 1)).as_dict()
    member = ReplayMember(services.consumer_store, services.registry, services.broker, "fixed-end",
                          ["sath-w22-v6"], date(2025, 10, 1))
    services.ledger.import_cases([parse_case(each) for each in population(130)[120:]])
    attendance("relay", "--once", env=relayed)
    assert member.run() == 6
    from_kafka = attendance("replay-result", "fixed-end", "--format", "json", env=relayed).stdout
    assert json.loads(from_kafka) == before
    assert replay_ledger(services, ["sath-w22-v6"], date(2025, 10, 1)).as_dict() != before


def test_replay_result_says_how_many_partitions_are_left_while_the_run_goes_on(relayed, monkeypatch):
    for name, value in relayed.items():
        monkeypatch.setenv(name, value)
    store = bootstrap().consumer_store
    store.begin_replay_run("half-way", {"policies": ["sath-w22-v6"], "as_of": "2025-10-01", "known_at": None,
                                        "partitions": {"0": [0, 3], "1": [0, 4]}})
    store.keep_replay_share("half-way", 0, {"as_of": "2025-10-01", "known_at": None, "policies": ["sath-w22-v6"],
                                            "totals": {"sath-w22-v6": {"employees": 0, "with_review_due": 0,
                                                                       "formal_processes": 0, "reviews_due": {}}},
                                            "employees": [], "needing_attention": []})
    waiting = attendance("replay-result", "half-way", env=relayed, check=False)
    assert waiting.returncode == 3
    assert "1 of 2 partitions replayed so far" in waiting.stderr and waiting.stdout == ""


@pytest.mark.slow
def test_a_member_killed_mid_run_costs_only_the_partitions_it_had_not_kept(relayed):
    survivor, victim = members("killed", 2, relayed, *COMPARISON)
    time.sleep(2.0)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    out, _ = survivor.communicate(timeout=240)
    assert survivor.returncode == 0, out
    assert attendance("replay-result", "killed", "--format", "json", env=relayed).stdout == \
        attendance("replay", *COMPARISON, "--format", "json", env=relayed).stdout


def test_a_partition_read_to_its_end_then_assigned_again_after_a_rebalance_is_read_again(relayed, monkeypatch):
    """kafka-python keeps a partition paused when a rebalance gives it back
    to the member that paused it (read to its end, share not yet kept): the
    member must resume it, or the run waits for it for ever."""
    for name, value in relayed.items():
        monkeypatch.setenv(name, value)
    services = bootstrap()
    member = ReplayMember(services.consumer_store, services.registry, services.broker, "rebalanced",
                          ["sath-w22-v6"], date(2025, 10, 1))
    while not member.kafka.paused():
        for tp, records in member.kafka.poll(timeout_ms=500).items():
            member._read(tp, records)
        member._note_read_to_end()
    listener, assigned = _StartOver(member), member.kafka.assignment()
    listener.on_partitions_revoked(assigned)
    listener.on_partitions_assigned(assigned)  # the same partitions back, as a rebalance may give them
    assert member.partitions and not set(member.kafka.paused()) & {TopicPartition(EVENTS, p) for p in member.partitions}
    assert member.run() == 6
    assert json.loads(attendance("replay-result", "rebalanced", "--format", "json", env=relayed).stdout) == \
        replay_ledger(services, ["sath-w22-v6"], date(2025, 10, 1)).as_dict()


def test_a_member_whose_rulebook_differs_from_the_runs_is_refused(relayed, tmp_path):
    [first] = members("one-rulebook", 1, relayed, "--policy", "sath-w22-v6", "--as-of", "2025-10-01")
    out, _ = first.communicate(timeout=180)
    assert first.returncode == 0, out
    own = tmp_path / "rulebooks"
    own.mkdir()
    shipped = Path(__file__).parents[2] / "domain" / "rulebooks" / "sath-w22-v6.yaml"
    (own / "sath-w22-v6.yaml").write_text(shipped.read_text() + "# the trust's own edit\n")
    other = attendance("replay-consumer", "--run", "one-rulebook", env={**relayed, "ATTENDANCE_RULEBOOKS": str(own)},
                       check=False)
    assert other.returncode == 2 and "--policy" in other.stderr
    assert "rulebook sath-w22-v6 here is not the one run one-rulebook replays" in " ".join(other.stderr.split())


def test_a_run_name_that_is_not_a_plain_name_is_refused_naming_the_option(relayed):
    for name in ("", "two words", "x" * 65, "-dash-first", "semi;colon"):
        member = attendance("replay-consumer", "--run", name, *COMPARISON[:6], env=relayed, check=False)
        assert member.returncode == 2 and "--run" in member.stderr, name
        assert attendance("replay-result", name, env=relayed, check=False).returncode == 2


def test_erasing_an_employee_drops_every_replay_run_that_names_them(tmp_path):
    store = consumer_store(str(tmp_path / "shares.db"))
    share = {"as_of": "2025-10-01", "known_at": None, "policies": ["sath-w22-v6"],
             "totals": {"sath-w22-v6": {"employees": 1, "with_review_due": 0, "formal_processes": 0,
                                        "reviews_due": {}}}, "needing_attention": []}
    for run, employee in (("names-them", "ERASED-1"), ("does-not", "KEPT-1")):
        store.begin_replay_run(run, {"policies": ["sath-w22-v6"], "partitions": {"0": [0, 1]}})
        store.keep_replay_share(run, 0, {**share, "employees": [{"employee_id": employee}]})
    store.forget("ERASED-1")
    assert store.replay_run("names-them") is None and store.replay_shares("names-them") == {}
    assert store.replay_run("does-not") is not None and store.replay_partitions_done("does-not") == {0}


def test_comparing_a_policy_with_itself_is_refused(tmp_path):
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": str(tmp_path / "ledger.db")}
    for command in ("replay", "replay-consumer"):
        refused = attendance(command, *(["--run", "self"] if command == "replay-consumer" else []),
                             "--policy", "sath-w22-v6", "--compare", "sath-w22-v6", env=env, check=False)
        assert refused.returncode == 2 and "--compare" in refused.stderr, command
