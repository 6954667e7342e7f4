"""The command line's reference answers: reason codes, version, help."""

from __future__ import annotations

import json
import re
from importlib.metadata import version

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
