"""A read model made by another version of the product is rebuilt from the
ledger, never read wrongly (a table whose columns changed made every insert
fail after an upgrade)."""

from __future__ import annotations

import sqlite3
from datetime import date

from domain.casefile import parse_case
from service import read_views
from service.bootstrap import bootstrap
from service.ledger import AttendanceLedger
from service.read_model_store import DOCUMENTS_VERSION, read_model_store
from tests.cases import case

AS_OF = date(2025, 11, 28)


def _services(tmp_path):
    return bootstrap(ledger=AttendanceLedger(str(tmp_path / "ledger.db")))


def _ledger(tmp_path):
    services = _services(tmp_path)
    services.ledger.import_case(parse_case(case("E1", manager_id="MGR1")))
    return services


def test_a_read_model_with_an_older_table_is_dropped_and_projected_again_from_the_first_event(tmp_path):
    services = _ledger(tmp_path)
    read_views.project(services, AS_OF)
    with sqlite3.connect(tmp_path / "ledger.db") as db:  # as an older version left it
        db.execute("DROP TABLE absence_stats")
        db.execute("CREATE TABLE absence_stats (employee_id TEXT, month TEXT, department TEXT, reason_group TEXT, "
                   "fte_days_lost REAL, fte_days_available REAL, episodes INTEGER, returns_count INTEGER, "
                   "returns_discussed_72h INTEGER)")
        db.execute("UPDATE read_model_version SET fingerprint = 'an older version'")

    store = read_model_store(str(tmp_path / "ledger.db"))
    assert store.counts()["employee_status"] == 0, "the old rows are not served"
    assert store.max_tracking_id("attendance") is None, "the projector starts again from the first event"

    services = _services(tmp_path)
    read_views.project(services, AS_OF)
    assert services.read_model.status("E1")["employee_id"] == "E1"
    assert services.read_model.counts()["absence_stats"] > 0, "statistics rows are written into the current table"


def test_a_current_read_model_is_kept_as_it_is(tmp_path):
    services = _ledger(tmp_path)
    read_views.project(services, AS_OF)
    position = services.read_model.max_tracking_id("attendance")
    again = read_model_store(str(tmp_path / "ledger.db"))
    assert again.max_tracking_id("attendance") == position
    assert again.counts()["employee_status"] == 1
    assert DOCUMENTS_VERSION >= 1
