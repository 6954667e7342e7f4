"""Isolation (SPEC 12, issue 9 item 3): one employee's record can never
break an organisation-wide view or job. The employee whose evaluation fails
is skipped and listed as needing attention, with the error."""

from __future__ import annotations

import time
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.auth import Role, issue
from api.http import create_app
from domain.casefile import parse_case
from domain.rulebook import Rulebook, RulebookRegistry
from service import population, read_views
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger
from service.settings import Settings
from tests.cases import TEN_DAYS, absence, case

AS_OF = date(2025, 10, 1)
BROKEN = "broken-policy"
KEY = "test-signing-key-of-a-decent-length-0123456789"


class OneBrokenRulebook(RulebookRegistry):
    """The shipped rulebooks, and one whose use always fails - a stand-in
    for any record that makes evaluation raise."""

    def __init__(self) -> None:
        shipped = RulebookRegistry.load()
        super().__init__([*(shipped.get(p) for p in shipped.ids),
                          shipped.get("sath-w22-v6").model_copy(update={"id": BROKEN})])

    def get(self, policy: str) -> Rulebook:
        if policy == BROKEN:
            raise ArithmeticError("evaluation failed for this record")
        return super().get(policy)


@pytest.fixture
def services(tmp_path):
    ledger = AttendanceLedger(str(tmp_path / "ledger.db"), OneBrokenRulebook())
    ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    ledger.import_case(parse_case(case("BAD", *absence("A1", "2025-09-01", "2025-09-20"), manager_id="MGR1",
                                       policy=BROKEN)))
    ledger.import_case(parse_case(case("E3", manager_id="MGR2")))
    return bootstrap(Settings(database_url=str(tmp_path / "ledger.db"), access_log=tmp_path / "access.log",
                              jwt_key=KEY), ledger=ledger)


def test_the_worklist_lists_everyone_else_and_the_broken_record_as_needing_attention(services):
    items = population.worklist(services, AS_OF)
    assert {i["employee_id"] for i in items} == {"E1", "BAD"} and ("E1", "review_due") in {
        (i["employee_id"], i["kind"]) for i in items}
    [attention] = [i for i in items if i["kind"] == "needs_attention"]
    assert attention["employee_id"] == "BAD"
    assert "evaluation failed for this record" in attention["item"] and attention["manager_id"] == "MGR1"


@pytest.fixture
def breaks_under_any_policy(monkeypatch):
    """A replay names its rulebooks, so the broken record fails in evaluation itself."""
    import projections.replay

    def evaluate_tracks(view, rulebook):
        if view.employee_id == "BAD":
            raise ArithmeticError("evaluation failed for this record")
        return original(view, rulebook)

    original = projections.replay.evaluate_tracks
    monkeypatch.setattr(projections.replay, "evaluate_tracks", evaluate_tracks)


def test_a_replay_counts_everyone_else_and_lists_the_broken_record(services, breaks_under_any_policy):
    result = population.replay_ledger(services, ["sath-w22-v6"], AS_OF).as_dict()
    assert result["totals"]["sath-w22-v6"]["employees"] == 2
    assert [a["employee_id"] for a in result["needing_attention"]] == ["BAD"]


def test_the_projector_builds_everyone_else_s_rows_and_flags_the_broken_record(services):
    read_views.project(services, AS_OF)
    assert [c["employee_id"] for c in read_views.priority_cases(services, AS_OF)] == ["E1"]
    assert read_views.stats(services, AS_OF)
    flagged = services.read_model.status("BAD")
    assert "evaluation failed" in flagged["needs_attention"]
    assert any(i["kind"] == "needs_attention" for i in services.read_model.worklist("MGR1"))


def test_over_http_every_organisation_wide_view_and_job_still_answers(services, monkeypatch,
                                                                      breaks_under_any_policy):
    client = TestClient(create_app(services))
    hr = {"Authorization": f"Bearer {issue(Role.hr, 'hr1', settings=services.settings)}"}
    assert client.post("/admin/read-model", json={"as_of": AS_OF.isoformat()}, headers=hr).status_code == 200
    for path in ("/worklist", "/priority-cases", "/stats"):
        response = client.get(path, params={"as_of": AS_OF.isoformat()}, headers=hr)
        assert response.status_code == 200, (path, response.text)
    job = client.post("/replay", json={"policy": "sath-w22-v6", "as_of": AS_OF.isoformat()}, headers=hr).json()
    state = _finished(client, job["poll"], hr)
    assert state["state"] == "finished" and state["result"]["needing_attention"][0]["employee_id"] == "BAD"


def test_a_replay_job_that_fails_ends_failed_with_the_reason(services, monkeypatch):
    client = TestClient(create_app(services))
    hr = {"Authorization": f"Bearer {issue(Role.hr, 'hr1', settings=services.settings)}"}

    def unreadable(*_args, **_kwargs):
        raise OSError("the ledger could not be read")

    monkeypatch.setattr(services.ledger, "histories", unreadable)
    job = client.post("/replay", json={"policy": "sath-w22-v6", "as_of": AS_OF.isoformat()}, headers=hr).json()
    state = _finished(client, job["poll"], hr)
    assert state["state"] == "failed" and "the ledger could not be read" in state["error"]


def _finished(client, poll: str, auth: dict) -> dict:
    for _ in range(200):
        state = client.get(poll, headers=auth).json()
        if state["state"] != "running":
            return state
        time.sleep(0.05)
    raise AssertionError("the replay job is still running")
