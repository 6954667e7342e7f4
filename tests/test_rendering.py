"""Every example case file renders, as JSON and as text, under every
shipped rulebook - including those that hold no pay or leave terms."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from api.render import status_document, status_text, to_json
from domain.casefile import load_case
from domain.rulebook import RulebookRegistry
from projections.status import evaluate
from service.ledger import apply_case

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.*"))
REGISTRY = RulebookRegistry.load()


@pytest.mark.parametrize("policy", REGISTRY.ids)
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_renders_as_json_and_text_under_every_shipped_rulebook(example, policy):
    employee, _, _ = apply_case(load_case(example), REGISTRY)
    status = status_document(evaluate(employee.facts, REGISTRY, date(2025, 11, 28), policy=policy))
    assert json.loads(to_json(status))["policy"] == policy
    text = status_text(status)
    assert text.startswith(f"Employee {employee.employee_id} on 2025-11-28 under {policy}")
    assert "Sick pay: " in text and "Annual leave: " in text
