"""Every scenario case file evaluates to the status its derivation requires."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from pathlib import Path

import pytest

from service.ledger import apply_case
from domain.casefile import load_yaml, parse_case
from projections.leave import LeaveLedger, year_start_for
from projections.pay import PayCalendar
from api.render import status_document
from projections.status import evaluate
from projections.view import EmployeeView
from projections.worklist import DEFAULT_HORIZON_DAYS, worklist_items

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))


def _plain(value):
    """YAML dates as the ISO strings the status uses."""
    return json.loads(json.dumps(value, default=str))


def mismatches(expected, actual, path="status"):
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            elif key == "actions":
                found += _contained(value, actual[key], f"{path}.actions")
            else:
                found += mismatches(value, actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, got {actual!r}"]
        return [m for i, (e, a) in enumerate(zip(expected, actual, strict=True)) for m in mismatches(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def _contained(expected_items, actual_items, path):
    return [
        f"{path}: no action matches {item!r} among {actual_items!r}"
        for item in expected_items
        if not any(not mismatches(item, a) for a in actual_items)
    ]


def _known_at(value):
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(23, 59, 59), tzinfo=timezone.utc)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path, registry):
    scenario = load_yaml(path.read_text())
    employee, _, _ = apply_case(parse_case(scenario["case"]), registry)
    for check in scenario["expect"]:
        evaluated = evaluate(employee.facts, registry, check["as_of"], _known_at(check.get("known_at")),
                             check.get("policy"))
        status = status_document(evaluated)
        problems = mismatches(_plain(check.get("status", {})), status)
        view = EmployeeView.of(employee.facts, check["as_of"], _known_at(check.get("known_at")))
        rulebook = registry.get(check.get("policy") or view.policy)
        if "pay_days" in check:
            calendar = PayCalendar(view, rulebook.sick_pay)
            for expected in _plain(check["pay_days"]):
                actual = calendar.day(date.fromisoformat(expected["date"])).as_dict()
                problems += mismatches(expected, actual, f"pay[{expected['date']}]")
        if "leave_entries" in check:
            year = LeaveLedger(view, rulebook.annual_leave, rulebook.sick_pay).year(year_start_for(view, view.as_of))
            problems += _contained(_plain(check["leave_entries"]), [e.as_dict() for e in year.entries], "leave")
        if "worklist" in check or "worklist_absent" in check:
            items = worklist_items(view, evaluated, check.get("horizon", DEFAULT_HORIZON_DAYS))
            problems += _contained(_plain(check.get("worklist", [])), items, "worklist")
            problems += [f"worklist should not list {kind}" for kind in check.get("worklist_absent", [])
                         if any(kind in i["item"] for i in items)]
        open_kinds = {a["kind"] for a in status["actions"] if not a["done"]}
        problems += [f"open action {k} should not be listed" for k in check.get("actions_absent", [])
                     if k in open_kinds]
        assert not problems, f"as_of {check['as_of']}:\n" + "\n".join(problems)


def test_there_are_at_least_thirty_scenarios():
    assert len(SCENARIOS) >= 30


def test_there_are_at_least_twenty_pay_and_leave_scenarios():
    assert len([p for p in SCENARIOS if p.stem.startswith(("pay_", "leave_"))]) >= 20
