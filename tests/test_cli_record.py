"""Recording from the command line (issue 11): `attendance register` and
`attendance record EMPLOYEE_ID TYPE --field value`, validated as the API
validates, with each type's fields in its help."""

from __future__ import annotations

import json

import pytest

from api.event_flags import event_data, flag
from api.vocabulary import example, fields
from domain.events import FACT_TYPES, parse_fact
from tests.test_cli import run

REGISTER = ("register", "--employee-id", "E1", "--service-start", "2016-09-05", "--contracted-hours", "22.5",
            "--working-days", "mon,tue", "--working-days", "wed", "--policy", "sath-w22-v6",
            "--manager-id", "MGR1", "--department", "Ward 7")


def _ok(done):
    assert done.returncode == 0, done.stderr
    return done.stdout


def _status(workdir, as_of="2025-11-01"):
    return json.loads(_ok(run("status", "E1", "--as-of", as_of, cwd=workdir)))


def test_an_employee_registered_and_an_absence_recorded_from_flags_count_on_their_working_days(tmp_path):
    assert _ok(run(*REGISTER, cwd=tmp_path)).strip() == "registered E1"
    _ok(run("record", "E1", "SicknessReported", "--absence-id", "A1", "--first-day", "2025-10-20",
            "--reason", "S13", "--work-related", cwd=tmp_path))
    done = _ok(run("record", "E1", "ReturnedToWork", "--absence-id", "A1", "--first-day-back=2025-10-27", cwd=tmp_path))
    assert done.strip() == "recorded ReturnedToWork for E1 as event 3"
    # Mon 20 to Sun 26 October, worked Monday to Wednesday: 3 working days lost
    assert _status(tmp_path)["tracks"]["short_term"]["working_days_lost_12m"] == 3


@pytest.mark.parametrize(("arguments", "error"), [
    (("SicknessReported", "--absence-id", "A1", "--first-day", "2025-10-2x", "--reason", "S13"),
     "error: --first-day: Input should be a valid date or datetime, invalid character in day"),
    (("SicknessReported", "--absence-id", "A1", "--first-day", "2025-10-20", "--reason", "S77"),
     "error: --reason: unknown ESR reason code 'S77' (expected S10..S32, S98, S99)"),
    (("SicknessReported", "--absence-id", "A1", "--first-day", "2025-10-20"), "error: --reason: Field required"),
    (("SicknessReported", "--absence-id", "A1", "--first-day", "2025-10-20", "--reason", "S13", "--mood", "low"),
     "error: --mood: not a field of SicknessReported (its fields: --absence-id, --first-day, --reason, "
     "--work-related, --pregnancy-related, --expected-return, --reported-on, --notification-compliant, --note)"),
    (("ContractChanged", "--effective", "2025-10-20", "--working-days", "mon,funday"),
     "error: --working-days[1]: Input should be 'mon', 'tue', 'wed', 'thu', 'fri', 'sat' or 'sun'"),
    (("ReturnedToWork", "--absence-id", "A9", "--first-day-back", "2025-10-22"), "error: absence_id: unknown absence 'A9'"),
    (("Sickness", "--absence-id", "A1"), "error: TYPE: unknown event type 'Sickness' (`attendance record --help` lists the types)"),
    (("EmployeeRegistered",), "error: TYPE: an employee is added with `attendance register`"),
])
def test_an_invalid_event_exits_2_naming_the_field_and_stores_nothing(tmp_path, arguments, error):
    _ok(run(*REGISTER, cwd=tmp_path))
    before = _status(tmp_path)
    done = run("record", "E1", *arguments, cwd=tmp_path, code=2)
    assert done.stderr.strip().splitlines() == [error]
    assert _status(tmp_path) == before


def test_a_registration_with_a_wrong_field_or_twice_exits_2_and_stores_nothing_more(tmp_path):
    done = run(*["0" if part == "22.5" else part for part in REGISTER], cwd=tmp_path, code=2)
    assert done.stderr.strip() == "error: --contracted-hours: Input should be greater than 0"
    assert "'E1' is not in the ledger" in run("status", "E1", "--as-of", "2025-11-01", cwd=tmp_path, code=2).stderr
    _ok(run(*REGISTER, cwd=tmp_path))
    again = run(*REGISTER, cwd=tmp_path, code=2)
    assert again.stderr.strip() == \
        "error: employee 'E1' is already in the ledger (record a ContractChanged instead)"


def test_record_type_help_lists_each_field_with_its_type_and_whether_required(tmp_path):
    help_text = _ok(run("record", "FitNoteReceived", "--help", cwd=tmp_path))
    assert help_text.startswith("Usage: attendance record EMPLOYEE_ID FitNoteReceived")
    assert "\b" not in help_text
    lines = {line.split()[0]: line for line in help_text.splitlines() if line.startswith("  --")}
    for row in fields(FACT_TYPES["FitNoteReceived"]):
        assert flag(row["name"]) in lines
    assert lines["--covers-to"].split(None, 1)[1] == "date; required"
    assert lines["--event-id"].endswith("optional (on every event)")
    with_employee = _ok(run("record", "E1", "FitNoteReceived", "--help", cwd=tmp_path))
    assert with_employee == help_text


def test_record_help_lists_every_type_and_register_help_every_registration_field(tmp_path):
    record_help = _ok(run("record", "--help", cwd=tmp_path))
    assert all(name in record_help for name in FACT_TYPES if name != "EmployeeRegistered")
    register_help = _ok(run("register", "--help", cwd=tmp_path))
    assert "--working-days" in register_help and "--contracted-hours" in register_help
    assert "number (more than 0, at most 168); required" in register_help


@pytest.mark.parametrize("kind", FACT_TYPES)
def test_every_event_type_is_given_by_its_flags_as_the_api_body_gives_it(kind):
    body = example(FACT_TYPES[kind])
    arguments = [part for name, value in body.items() if name != "type" for part in (flag(name), str(value))]
    assert parse_fact({"type": kind, **event_data(FACT_TYPES[kind], arguments)}) == parse_fact(body)


def test_list_and_object_fields_take_repeats_commas_pairs_or_json():
    contract = FACT_TYPES["ContractChanged"]
    assert event_data(contract, ["--working-days", "mon, tue", "--working-days", "sat"])["working_days"] == \
        ["mon", "tue", "sat"]
    assert event_data(contract, ["--working-days", '["sun"]'])["working_days"] == ["sun"]
    policy = FACT_TYPES["PolicyAssigned"]
    assert event_data(policy, ["--level-mapping", "short_term=1,long_term=0"])["level_mapping"] == \
        {"short_term": "1", "long_term": "0"}
    assert event_data(policy, ["--level-mapping", '{"short_term": 2}'])["level_mapping"] == {"short_term": 2}
