"""Rebuilding some of the read model's tables keeps the day the others hold:
tables for different days would disagree (a fresh-clone review found
`attendance rebuild worklist` rebuilding for today beside tables for 2025)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.casefile import parse_case
from service import read_views
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger
from tests.cases import TEN_DAYS, case

HELD = date(2025, 11, 28)


@pytest.fixture
def services(tmp_path):
    services = bootstrap(ledger=AttendanceLedger(str(tmp_path / "ledger.db")))
    services.ledger.import_case(parse_case(case("E1", *TEN_DAYS, manager_id="MGR1")))
    read_views.project(services, HELD)
    return services


def test_rebuilding_one_table_without_a_day_rebuilds_it_for_the_day_the_read_model_holds(services):
    day, _ = read_views.rebuild(services, ("worklist",))
    assert day == HELD and read_views.held_day(services) == HELD


def test_rebuilding_one_table_for_another_day_is_refused_naming_the_day_held(services):
    with pytest.raises(read_views.ReadModelNotOnDay, match="2025-11-28"):
        read_views.rebuild(services, ("worklist",), date(2026, 1, 5))


def test_the_priority_list_from_the_read_model_counts_absences_as_the_monthly_snapshot_does(services):
    from service import reports
    listed = {e["employee_id"]: e for e in read_views.priority_cases(services)}
    snapshot = {e["employee_id"]: e for e in reports.priority_snapshot(services, "2025-11")["entries"]}
    assert listed and listed.keys() == snapshot.keys()
    for employee_id, entry in snapshot.items():
        assert listed[employee_id]["absences_12m"] == entry["absences_12m"]
        assert listed[employee_id]["sickness_days_lost_12m"] == entry["sickness_days_lost_12m"]
