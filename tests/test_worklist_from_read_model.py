"""The worklist for the day the read model holds is read from its rows, and
is exactly the worklist evaluating every record gives - everyone's and each
manager's - on the examples and on a synthetic population; anything the
rows could not answer exactly is evaluated."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from bench.population import population
from domain.casefile import load_case, parse_case
from domain.events import SicknessReported
from projections.worklist import worklist as evaluated
from service import population as population_views
from service import read_views
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger

ROOT = Path(__file__).parents[1]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.*") if p.suffix in (".json", ".yaml"))


@pytest.fixture
def services(database_url):
    ledger = AttendanceLedger(database_url)
    ledger.import_cases([load_case(path) for path in EXAMPLES] + [parse_case(c) for c in population(60, seed=7)])
    return bootstrap(ledger=ledger)


def live(services, as_of: date, manager: str | None = None, horizon: int = 14) -> list[dict]:
    return evaluated(services.ledger.histories(), services.registry, as_of, None, manager, horizon)


@pytest.mark.parametrize("day", ["2025-06-30", "2025-10-01", "2026-01-15"])
def test_the_read_model_s_worklist_is_the_evaluated_worklist_for_everyone_and_each_manager(services, day):
    as_of = date.fromisoformat(day)
    read_views.project(services, as_of)
    everyone = live(services, as_of)
    assert everyone, "a day with items"
    assert read_views.held_worklist(services, as_of) == everyone
    assert population_views.worklist(services, as_of) == everyone
    managers = sorted({item["manager_id"] for item in everyone} | {"MGR-NONE"})
    for manager in managers:
        assert population_views.worklist(services, as_of, manager_id=manager) == live(services, as_of, manager), \
            manager
        assert read_views.held_worklist(services, as_of, manager) is not None


def test_what_the_rows_cannot_answer_exactly_is_evaluated(services):
    as_of = date(2025, 10, 1)
    read_views.project(services, as_of)
    # another day, another horizon, a `known_at`: not what the rows hold
    assert read_views.held_worklist(services, date(2025, 10, 2)) is None
    assert population_views.worklist(services, as_of, horizon=30) == live(services, as_of, horizon=30)
    known_at = datetime(2025, 9, 1, tzinfo=timezone.utc)
    assert population_views.worklist(services, as_of, known_at) == evaluated(
        services.ledger.histories(), services.registry, as_of, known_at)
    # an event the read model has not applied yet
    services.ledger.record_event("SYN-0000003", SicknessReported(absence_id="A-NEW", first_day=date(2025, 9, 29),
                                                                 reason="S13"))
    assert read_views.held_worklist(services, as_of) is None
    assert population_views.worklist(services, as_of) == live(services, as_of)

