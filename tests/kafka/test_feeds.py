"""End to end through a real broker: ledger -> relay -> attendance.events.v1
-> read-model consumer and payroll projector -> attendance.payroll.v1 ->
payroll-tail; and each process killed mid-stream."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from kafka import KafkaProducer

from consumers.kafka_consumers import ReadModelConsumer
from service.broker import EVENTS, Broker
from service.consumer_store import consumer_store
from service.projector import Projector
from service.read_model_store import read_model_store
from service.ledger import AttendanceLedger
from domain.casefile import parse_case
from domain.events import FACT_TYPES
from projections.payroll import json_schema, payroll_instructions
from projections.view import EmployeeView
from tests.cases import TEN_DAYS, absence, case
from tests.every_event import AS_OF as JOURNEY_AS_OF
from tests.every_event import HEALTH_TEXT, every_event_cases

AS_OF = "2025-10-01"
ATTENDANCE = str(Path(sys.executable).with_name("attendance"))
SCHEMA = Path(__file__).parents[2] / "consumers" / "schemas" / "payroll-instruction.v1.json"

CASES = [
    case("F1", *TEN_DAYS, {"type": "PatternOfAbsenceIdentified", "date": "2025-09-29",
                           "description": "Mondays after the migraine clinic"}, manager_id="M1", department="Ward 7"),
    # First year: half pay from 2 Apr, nil from 2 Jun; back 1 Jul.
    case("F2", *absence("A1", "2025-03-03", "2025-07-01", "S11"), service_start="2025-01-06",
         department="Theatres"),
    case("F3", {"type": "MedicalSuspensionStarted", "date": "2025-06-02"},
         {"type": "MedicalSuspensionEnded", "date": "2025-06-16"},
         {"type": "UnauthorisedAbsenceDeclared", "from": "2025-07-07", "to": "2025-07-08", "reason": "no contact"}),
    case("F4", *absence("A1", "2025-05-06", "2025-07-07", "S28"),
         {"type": "PhasedReturnAgreed", "absence_id": "A1", "start": "2025-07-07", "weeks": 6},
         {"type": "EmploymentEnded", "effective": "2025-09-30", "reason": "resignation"}),
]


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([ATTENDANCE, *args], env=env, capture_output=True, text=True, check=True)


def snapshot(store, employees=("F1", "F2", "F3", "F4")) -> dict:
    return {"counts": store.counts(), "worklist": store.worklist(), "priority": store.priority_cases(),
            "stats": store.stats(), "status": {e: store.status(e) for e in employees}}


@pytest.fixture
def setup(database_url, broker, tmp_path):
    ledger = AttendanceLedger(database_url)
    for each in CASES:
        ledger.import_case(parse_case(each))
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": database_url, "ATTENDANCE_KAFKA_BOOTSTRAP": broker.address,
           "ATTENDANCE_READ_MODEL_URL": str(tmp_path / "from-kafka.db")}
    return ledger, env, tmp_path


def expected_read_model(ledger, tmp_path, as_of=AS_OF, employees=("F1", "F2", "F3", "F4")) -> dict:
    store = read_model_store(str(tmp_path / "from-ledger.db"))
    Projector(ledger, store, date.fromisoformat(as_of)).rebuild()
    return snapshot(store, employees)


def expected_instructions(ledger, registry, as_of=AS_OF) -> dict[str, dict]:
    out = {}
    for history in ledger.histories():
        view = EmployeeView.of(history, date.fromisoformat(as_of))
        for instruction in payroll_instructions(view, registry.get(view.policy)):
            out[instruction.id] = json.loads(instruction.model_dump_json())
    return out


def test_the_published_schema_is_the_one_the_code_produces():
    assert json.loads(SCHEMA.read_text()) == json_schema()


def test_ledger_events_flow_to_the_read_model_and_payroll_exactly_once(setup, registry):
    ledger, env, tmp_path = setup
    published = run("relay", "--once", env=env).stdout
    assert published.strip() == f"published {ledger.recorder.max_notification_id()} events"
    run("read-model-consumer", "--once", "--as-of", AS_OF, env=env)
    assert snapshot(read_model_store(env["ATTENDANCE_READ_MODEL_URL"])) == expected_read_model(ledger, tmp_path)

    run("payroll-projector", "--once", "--as-of", AS_OF, env=env)
    out = tmp_path / "payroll.csv"
    run("payroll-tail", "--once", "--output", str(out), env=env)
    rows = list(csv.DictReader(out.open()))
    expected = expected_instructions(ledger, registry)
    assert sorted(r["id"] for r in rows) == sorted(expected)
    assert {(r["employee_id"], r["type"], r["effective"], r["band"]) for r in rows} >= {
        ("F2", "SickPayBandChanged", "2025-04-02", "half"), ("F2", "SickPayBandChanged", "2025-06-02", "nil"),
        ("F2", "SickPayBandChanged", "2025-07-01", "at_work"), ("F3", "MedicalSuspension", "2025-06-02", ""),
        ("F3", "UnauthorisedAbsence", "2025-07-07", ""), ("F4", "PhasedReturn", "2025-07-07", ""),
        ("F4", "EmploymentEnded", "2025-09-30", "")}
    schema = json.loads(SCHEMA.read_text())
    for instruction in expected.values():
        jsonschema.validate(instruction, schema)
    text = out.read_text()
    assert "S11" not in text and "S28" not in text and "no contact" not in text

    # Run everything again: nothing new anywhere.
    assert run("relay", "--once", env=env).stdout.strip() == "published 0 events"
    run("read-model-consumer", "--once", "--as-of", AS_OF, env=env)
    run("payroll-projector", "--once", "--as-of", AS_OF, env=env)
    run("payroll-tail", "--once", "--output", str(out), env=env)
    assert len(list(csv.DictReader(out.open()))) == len(rows)


def test_relayed_events_carry_no_free_text_and_validate_against_the_published_schema(setup):
    from kafka import KafkaConsumer

    ledger, env, _ = setup
    run("relay", "--once", env=env)
    reader = KafkaConsumer("attendance.events.v1", bootstrap_servers=env["ATTENDANCE_KAFKA_BOOTSTRAP"],
                           auto_offset_reset="earliest", consumer_timeout_ms=4000)
    values = [json.loads(m.value) for m in reader]
    assert len(values) == ledger.recorder.max_notification_id()
    schema = json.loads((SCHEMA.parent / "attendance-event.v1.json").read_text())
    for value in values:
        jsonschema.validate(value, schema)
    assert "migraine" not in json.dumps(values)
    assert any(v["event"].get("description") == "[withheld]" for v in values)
    keys = {v["employee_id"] for v in values}
    assert keys == {"F1", "F2", "F3", "F4"}


def test_how_the_stream_is_cut_into_batches_and_redelivered_messages_change_no_row(setup, registry):
    """A consumer recomputes each employee a polled batch touches once, from
    the histories it keeps between batches: the rows must be the projector's
    whether an employee's events arrive in one batch or across many, and when
    every message comes twice (a relay that crashed before recording its
    position publishes again)."""
    from kafka import KafkaConsumer, KafkaProducer

    ledger, env, tmp_path = setup
    run("relay", "--once", env=env)
    address = env["ATTENDANCE_KAFKA_BOOTSTRAP"]
    reader = KafkaConsumer(EVENTS, bootstrap_servers=address, auto_offset_reset="earliest", consumer_timeout_ms=4000)
    messages = [(m.key, m.value) for m in reader]
    reader.close()
    producer = KafkaProducer(bootstrap_servers=address, acks="all")
    for key, value in messages:
        producer.send(EVENTS, key=key, value=value)
    producer.flush()

    store = consumer_store(env["ATTENDANCE_READ_MODEL_URL"])
    consumer = ReadModelConsumer(store, registry, date.fromisoformat(AS_OF), Broker(address))
    assert consumer.run(once=True, batch=3) == 2 * len(messages)
    assert snapshot(store) == expected_read_model(ledger, tmp_path)
    assert len(store.histories("read-model")["F1"]) == len(ledger.history("F1"))
    consumer.kafka.close()


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["relay", "read-model-consumer", "payroll-projector"])
def test_killing_any_process_mid_stream_loses_nothing_and_applies_nothing_twice(setup, registry, victim):
    ledger, env, tmp_path = setup
    for n in range(60):  # a longer stream
        ledger.import_case(parse_case(case(f"G{n:02d}", *TEN_DAYS, manager_id=f"M{n % 5}")))
    forever = {"relay": ["relay", "--interval", "0.05"],
               "read-model-consumer": ["read-model-consumer", "--as-of", AS_OF],
               "payroll-projector": ["payroll-projector", "--as-of", AS_OF]}
    if victim != "relay":
        run("relay", "--once", env=env)
    rng = random.Random(victim)
    for _ in range(3):  # bounded: three kills at random moments
        process = subprocess.Popen([ATTENDANCE, *forever[victim]], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 4.0))
        process.send_signal(signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, "it was still running: killed, not crashed"
    run("relay", "--once", env=env)
    run("read-model-consumer", "--once", "--as-of", AS_OF, env=env)
    run("payroll-projector", "--once", "--as-of", AS_OF, env=env)
    out = tmp_path / "payroll.csv"
    run("payroll-tail", "--once", "--output", str(out), env=env)
    assert snapshot(read_model_store(env["ATTENDANCE_READ_MODEL_URL"])) == expected_read_model(ledger, tmp_path)
    ids = [r["id"] for r in csv.DictReader(out.open())]
    assert len(ids) == len(set(ids)) and set(ids) == set(expected_instructions(ledger, registry))


def test_every_example_and_every_event_type_reach_the_read_model_and_payroll(database_url, broker, tmp_path,
                                                                             registry):
    """The journey's last leg (tests/test_journeys.py has the first): `make
    run`'s data, the CSV export and the generated history holding every event
    type, through relay -> both consumers -> payroll-tail, as a new user runs
    it (issue 9: the consumers crashed on a redacted event)."""
    from kafka import KafkaConsumer

    examples = Path(__file__).parents[2] / "examples"
    csv_export = examples / "csv" / "esr-absence-report.csv"
    env = {**os.environ, "ATTENDANCE_DATABASE_URL": database_url, "ATTENDANCE_KAFKA_BOOTSTRAP": broker.address,
           "ATTENDANCE_READ_MODEL_URL": str(tmp_path / "from-kafka.db")}
    generated = []
    for each in every_event_cases():
        generated.append(tmp_path / f"{each['employee']['employee_id']}.json")
        generated[-1].write_text(json.dumps(each))
    run("import", *map(str, sorted(examples.glob("*.*"))), *map(str, generated), str(csv_export),
        "--mapping", str(csv_export.with_suffix(".mapping.yaml")), env=env)
    ledger = AttendanceLedger(database_url)
    employees = sorted(history[0].employee_id for history in ledger.histories())

    published = int(run("relay", "--once", env=env).stdout.split()[1])
    assert published == ledger.recorder.max_notification_id()
    reader = KafkaConsumer("attendance.events.v1", bootstrap_servers=broker.address, auto_offset_reset="earliest",
                           consumer_timeout_ms=4000)
    assert {json.loads(m.value)["type"] for m in reader} == set(FACT_TYPES)
    reader.close()

    run("read-model-consumer", "--once", "--as-of", JOURNEY_AS_OF, env=env)
    assert snapshot(read_model_store(env["ATTENDANCE_READ_MODEL_URL"]), employees) == \
        expected_read_model(ledger, tmp_path, JOURNEY_AS_OF, employees)

    run("payroll-projector", "--once", "--as-of", JOURNEY_AS_OF, env=env)
    out = tmp_path / "payroll.csv"
    run("payroll-tail", "--once", "--output", str(out), env=env)
    rows = list(csv.DictReader(out.open()))
    assert sorted(r["id"] for r in rows) == sorted(expected_instructions(ledger, registry, JOURNEY_AS_OF))
    assert {r["employee_id"] for r in rows} >= {"GEN-W22", "GEN-SOJ"}
    text = out.read_text()
    assert not any(health in text for health in HEALTH_TEXT), "payroll never receives health data"
    assert not re.search(r"\bS(1\d|2\d|3[0-2]|98|99)\b", text), "nor a reason code"


def test_a_message_the_ledger_never_wrote_is_refused_without_its_values_and_stops_nothing(setup):
    ledger, env, tmp_path = setup
    health = "disclosed severe depression"
    producer = KafkaProducer(bootstrap_servers=env["ATTENDANCE_KAFKA_BOOTSTRAP"], acks="all")
    strangers = [b"not json{", b"\xff\xfe", json.dumps({"employee_id": "F1"}).encode(),
                 json.dumps({"employee_id": "F1", "notification_id": "1", "event": {}}).encode(),
                 json.dumps({"employee_id": "F1", "notification_id": 9001,
                             "event": {"type": "AdjustmentAgreed", "description": [health]}}).encode(),
                 json.dumps({"employee_id": "F1", "notification_id": 9002,
                             "event": {"type": health, "date": "2025-09-01"}}).encode(),
                 json.dumps({"employee_id": "F1", "notification_id": 9003,
                             "event": {"type": "MeetingHeld", "date": "2025-09-01", "kind": "welcome_back",
                                       "outcome": "no_further_action", health: True}}).encode()]
    for value in strangers:  # on F1's partition, ahead of the ledger's own events
        producer.send(EVENTS, key=b"F1", value=value).get(timeout=30)
    run("relay", "--once", env=env)
    for consumer in ("read-model-consumer", "payroll-projector"):
        answered = run(consumer, "--once", "--as-of", AS_OF, env=env)
        assert answered.stderr.count('"message_refused"') == len(strangers)
        assert health not in answered.stderr
    assert snapshot(read_model_store(env["ATTENDANCE_READ_MODEL_URL"])) == expected_read_model(ledger, tmp_path)
