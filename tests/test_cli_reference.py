"""The command line's reference answers: reason codes, version, help."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from domain.reasons import GROUP_OF, REASONS
from tests.test_cli import run


def test_reasons_lists_every_esr_code_with_its_group(tmp_path):
    done = run("reasons", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(REASONS)
    assert lines[0].split()[:2] == ["S10", "mental_health"]
    assert "S99  unknown" in done.stdout and "Unknown causes/not specified" in done.stdout


def test_reasons_as_json_is_the_code_description_and_group_of_each(tmp_path):
    done = run("reasons", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {r["code"]: (r["description"], r["group"]) for r in rows} == \
        {code: (text, GROUP_OF[code]) for code, text in REASONS.items()}


def test_version_prints_the_installed_version(tmp_path):
    done = run("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"attendance {version('attendance-ledger')}"


@pytest.mark.parametrize("command", ["project", "relay", "transition-review", "read-model-consumer",
                                     "payroll-projector", "payroll-tail"])
def test_help_shows_a_flag_as_a_flag_not_as_taking_a_value(tmp_path, command):
    done = run(command, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "<bool>" not in done.stdout
    assert re.search(r"^\s+--(once|apply)\s{2,}\S", done.stdout, re.MULTILINE), done.stdout


def test_the_top_level_help_gives_examples(tmp_path):
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "Examples:" in done.stdout and "attendance worklist --as-of" in done.stdout


SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "csv"


def test_import_reads_a_csv_export_through_its_mapping_and_twice_stores_nothing_new(tmp_path):
    args = ("import", str(SAMPLE / "esr-absence-report.csv"), "--mapping", str(SAMPLE / "esr-absence-report.mapping.yaml"))
    first = run(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "employee ESR-204511: 9 new events stored, 0 already in the ledger" in first.stdout
    again = run(*args, cwd=tmp_path)
    assert again.returncode == 0 and "employee ESR-204511: 0 new events stored, 9 already" in again.stdout
    status = run("status", "ESR-204511", "--as-of", "2025-11-28", cwd=tmp_path)
    assert json.loads(status.stdout)["reviews_due"][0]["stage"] == 1


def test_import_of_a_csv_without_a_mapping_exits_2_and_writes_nothing(tmp_path):
    done = run("import", str(SAMPLE / "esr-absence-report.csv"), cwd=tmp_path, code=2)
    assert "--mapping" in done.stderr
    assert "not in the ledger" in run("status", "ESR-204511", "--as-of", "2025-11-28", cwd=tmp_path, code=2).stderr


def test_import_of_an_invalid_csv_names_file_row_and_column_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text((SAMPLE / "esr-absence-report.csv").read_text().replace("15/09/2025,17/09/2025", "15/09/2025,31/09/2025"))
    done = run("import", str(bad), "--mapping", str(SAMPLE / "esr-absence-report.mapping.yaml"), cwd=tmp_path,
               code=2)
    assert done.stderr.strip() == "error: bad.csv: row 5, column 'Absence End Date': '31/09/2025' is not a date in the form %d/%m/%Y"
    assert "not in the ledger" in run("status", "ESR-204511", "--as-of", "2025-11-28", cwd=tmp_path, code=2).stderr


def test_serve_on_a_port_in_use_exits_2_with_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run("serve", "--port", str(port), cwd=tmp_path, code=2)
    assert done.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
