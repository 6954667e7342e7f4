"""The product's own documentation stays true to the code."""

from __future__ import annotations

import json
import re
from pathlib import Path

from api.vocabulary import MEANING, fields, markdown
from domain.events import FACT_TYPES, SicknessReported

ROOT = Path(__file__).resolve().parents[2]


def test_the_event_vocabulary_page_is_generated_from_the_current_models():
    assert (ROOT / "docs" / "events.md").read_text() == markdown(), \
        "docs/events.md is out of date: run `python -m api.vocabulary > docs/events.md`"


def test_every_event_type_says_what_it_records():
    assert set(MEANING) == set(FACT_TYPES)


def test_the_vocabulary_names_required_fields_and_leaves_out_the_envelope():
    rows = {row["name"]: row for row in fields(SicknessReported)}
    assert rows["reason"]["required"] and not rows["note"]["required"]
    assert "recorded_at" not in rows and "actor" not in rows


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_field_of_a_real_status_document_is_described(tmp_path):
    from tests.test_cli import run
    done = run("evaluate", str(ROOT / "examples" / "estates-porter-long-term-back-injury.json"),
               "--as-of", "2025-11-28", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert status["reviews_due"] and status["actions"], "the example exercises every part"
    described = set(re.findall(r"`([a-z_0-9]+)`", (ROOT / "docs" / "status.md").read_text()))
    assert _keys(status) - described == set()


def test_the_readme_cites_only_what_a_user_has():
    readme = (ROOT / "README.md").read_text()
    assert "shared/seeds" not in readme and "SPEC" not in readme
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (ROOT / link).exists(), link
