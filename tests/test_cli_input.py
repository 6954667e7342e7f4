"""Hostile or broken files given to `attendance evaluate` and `import`
(issue 9, SPEC 12): one line on stderr, exit status 2, never a traceback,
and nothing stored."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from domain.casefile import MAX_CASE_BYTES
from tests.cases import TEN_DAYS, case
from tests.test_cli import ATTENDANCE, run

# A review's free-form `status_shown` holding 9 levels of 9 aliases: 9^9
# (387 million) strings from a few hundred bytes, walked by every dump.
ALIAS_BOMB = "".join(
    ["employee: {employee_id: E1, service_start: 2020-01-01, contracted_hours: 37.5, policy: sath-w22-v6}\n",
     "events:\n- type: MeetingHeld\n  kind: informal_review\n  date: 2025-06-02\n  outcome: monitoring\n",
     "  status_shown:\n", '    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n']
    + [f"    {b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)]
)


def _refused_in_one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def _nothing_stored(workdir: Path, employee_id: str = "E1") -> None:
    done = run("status", employee_id, "--as-of", "2025-10-01", cwd=workdir, code=2)
    assert f"employee {employee_id!r} is not in the ledger" in done.stderr


def _write(path: Path, content: str | bytes) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


BROKEN_FILES = {
    "binary": ("case.json", bytes(range(256)) * 8, "case.json: is not UTF-8 text"),
    "latin-1": ("case.json", json.dumps(case("E1", department="Café"), ensure_ascii=False).encode("latin-1"),
                "case.json: is not UTF-8 text"),
    "nul bytes": ("case.json", b'{"employee": \x00}', "case.json: holds binary data"),
    "deep json": ("case.json", "[" * 100_000 + "]" * 100_000, "case.json: nests more than 16 levels deep"),
    "deep yaml": ("case.yaml", "a: " + "[" * 100_000 + "]" * 100_000, "case.yaml: nests more than 16 levels deep"),
    "deep but parseable": ("case.json", json.dumps({"employee": {"x": [[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}}),
                           "case: nests objects or lists more than 16 levels deep"),
    "not json": ("case.json", "{employee: ", "case.json: is not valid JSON"),
    "huge integer": ("case.json", '{"employee": ' + "9" * 5000 + "}", "case.json: is not valid JSON"),
}


@pytest.mark.parametrize("command", ["evaluate", "import"])
@pytest.mark.parametrize("name", BROKEN_FILES)
def test_a_broken_case_file_is_refused_in_one_line(tmp_path, command, name):
    filename, content, says = BROKEN_FILES[name]
    _write(tmp_path / filename, content)
    extra = ["--as-of", "2025-10-01"] if command == "evaluate" else []
    line = _refused_in_one_line(run(command, filename, *extra, cwd=tmp_path, code=2))
    assert line.startswith(f"error: {says}"), line


@pytest.mark.parametrize("command", ["evaluate", "import"])
def test_a_directory_is_refused_in_one_line(tmp_path, command):
    (tmp_path / "cases").mkdir()
    extra = ["--as-of", "2025-10-01"] if command == "evaluate" else []
    line = _refused_in_one_line(run(command, "cases", *extra, cwd=tmp_path, code=2))
    assert line == "error: cases: is a directory, not a case file"


def test_a_case_file_over_the_size_limit_is_refused_unread(tmp_path):
    with open(tmp_path / "big.json", "wb") as big:
        big.truncate(MAX_CASE_BYTES + 1)  # sparse: no 10 MB written
    line = _refused_in_one_line(run("import", "big.json", cwd=tmp_path, code=2))
    assert line == "error: big.json: is larger than the 10 MB a case file may be"


def test_an_endless_device_is_refused_after_reading_just_past_the_size_limit(tmp_path):
    # /dev/zero's size is 0 and it never ends: only a bounded read stops it
    done = subprocess.run([ATTENDANCE, "evaluate", "/dev/zero", "--as-of", "2025-11-28"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert _refused_in_one_line(done) == "error: zero: is larger than the 10 MB a case file may be"


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    _write(tmp_path / "bomb.yaml", ALIAS_BOMB)
    assert len(ALIAS_BOMB) < 1000
    done = subprocess.run([ATTENDANCE, "evaluate", "bomb.yaml", "--as-of", "2025-10-01"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=30)
    line = _refused_in_one_line(done)
    assert "aliases (*name) are not allowed in a case file" in line


@pytest.mark.parametrize(("event", "says"), [
    ({"type": "SicknessReported", "absence_id": "A1", "first_day": "0001-01-01", "reason": "S10"},
     "error: events[0].first_day: must be between 1900-01-01 and 2100-12-31"),
    ({"type": "SicknessReported", "absence_id": "A1", "first_day": "9999-12-31", "reason": "S10"},
     "error: events[0].first_day: must be between 1900-01-01 and 2100-12-31"),
    ({"type": "SicknessReported", "absence_id": "A" * 900_000, "first_day": "2025-06-02", "reason": "S10"},
     "error: events[0].absence_id: must be at most 64 characters (900,000 given)"),
    ({"type": "SicknessReported", "absence_id": "A1", "first_day": "2025-06-02", "reason": "S10",
      "note": "\ud800"}, "error: events[0].note: must be valid Unicode text (it holds a lone surrogate)"),
])
def test_an_event_beyond_the_limits_is_refused_and_nothing_stored(tmp_path, event, says):
    # json.dumps writes the lone surrogate as the escape \ud800, as an attacker would
    _write(tmp_path / "e1.json", json.dumps(case("E1", event)))
    assert _refused_in_one_line(run("import", "e1.json", cwd=tmp_path, code=2)) == says
    _nothing_stored(tmp_path)


def test_an_infinite_salary_is_refused_naming_the_field(tmp_path):
    text = json.dumps(case("E1", basic_salary=1)).replace('"basic_salary": 1', '"basic_salary": 1e999')
    _write(tmp_path / "e1.json", text)
    line = _refused_in_one_line(run("import", "e1.json", cwd=tmp_path, code=2))
    assert line == "error: employee.basic_salary: Input should be a finite number"
    _nothing_stored(tmp_path)


def test_importing_a_good_and_a_bad_file_stores_neither(tmp_path):
    _write(tmp_path / "good.json", json.dumps(case("E1", *TEN_DAYS)))
    bad = {"type": "ReturnedToWork", "absence_id": "NOPE", "first_day_back": "2025-06-02"}
    _write(tmp_path / "bad.json", json.dumps(case("E2", bad)))
    line = _refused_in_one_line(run("import", "good.json", "bad.json", cwd=tmp_path, code=2))
    assert "events[0].absence_id: unknown absence 'NOPE'" in line
    _nothing_stored(tmp_path, "E1")
    _nothing_stored(tmp_path, "E2")


def test_importing_two_good_files_stores_both(tmp_path):
    _write(tmp_path / "e1.json", json.dumps(case("E1", *TEN_DAYS)))
    _write(tmp_path / "e2.json", json.dumps(case("E2")))
    done = run("import", "e1.json", "e2.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "e1.json: employee E1: 5 new events stored" in done.stdout
    assert "e2.json: employee E2: 1 new events stored" in done.stdout
    for employee_id in ("E1", "E2"):
        assert run("status", employee_id, "--as-of", "2025-10-01", cwd=tmp_path).returncode == 0


def test_two_files_of_one_employee_in_one_import_build_on_each_other(tmp_path):
    _write(tmp_path / "first.json", json.dumps(case("E1", *TEN_DAYS[:2])))
    _write(tmp_path / "all.json", json.dumps(case("E1", *TEN_DAYS)))
    done = run("import", "first.json", "all.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "first.json: employee E1: 3 new events stored, 0 already" in done.stdout
    assert "all.json: employee E1: 2 new events stored, 3 already in the ledger" in done.stdout
    assert run("status", "E1", "--as-of", "2025-10-01", cwd=tmp_path).returncode == 0


SAMPLE_CSV = Path(__file__).resolve().parents[1] / "examples" / "csv" / "esr-absence-report.csv"
SAMPLE_MAPPING = SAMPLE_CSV.with_suffix(".mapping.yaml")
CSV_HEADER = SAMPLE_CSV.read_text(encoding="utf-8").splitlines(keepends=True)[0]
CSV_ROW = SAMPLE_CSV.read_text(encoding="utf-8").splitlines(keepends=True)[1]
MAPPING_TEXT = SAMPLE_MAPPING.read_text(encoding="utf-8")

#: (CSV content, mapping content (None: a directory), what the one line says)
BROKEN_IMPORTS = {
    "csv not utf-8": ((CSV_HEADER + CSV_ROW.replace("Sample A", "Café")).encode("latin-1"), MAPPING_TEXT,
                      "export.csv: is not UTF-8 text"),
    "csv cell over the field limit": (CSV_HEADER + CSV_ROW.replace("Sample A", "x" * 200_000), MAPPING_TEXT,
                                      "export.csv: row 2: is not readable CSV: field larger than field limit"),
    "csv header only": (CSV_HEADER, MAPPING_TEXT, "export.csv: holds no rows: only a header"),
    "mapping alias": (CSV_HEADER + CSV_ROW, MAPPING_TEXT + "x: &a [1]\ny: *a\n",
                      "map.yaml: is not valid YAML: aliases (*name) are not allowed"),
    "mapping syntax": (CSV_HEADER + CSV_ROW, "source: [unclosed\n", "map.yaml: is not valid YAML"),
    "mapping not utf-8": (CSV_HEADER + CSV_ROW, MAPPING_TEXT.replace("report", "rapporté").encode("latin-1"),
                          "map.yaml: is not UTF-8 text"),
    "mapping a directory": (CSV_HEADER + CSV_ROW, None, "map.yaml: is a directory, not a mapping file"),
}


@pytest.mark.parametrize("name", BROKEN_IMPORTS)
def test_a_broken_csv_import_is_refused_in_one_line_naming_the_file(tmp_path, name):
    export, mapping, says = BROKEN_IMPORTS[name]
    _write(tmp_path / "export.csv", export)
    if mapping is None:
        (tmp_path / "map.yaml").mkdir()
    else:
        _write(tmp_path / "map.yaml", mapping)
    line = _refused_in_one_line(run("import", "export.csv", "--mapping", "map.yaml", cwd=tmp_path, code=2))
    assert line.startswith(f"error: {says}"), line
    _nothing_stored(tmp_path, "ESR-204511")
