"""The console's presentation helpers: they group and lay out the service
layer's answers, and compute no rule."""

from __future__ import annotations

from datetime import date

from api.console.audit import changes
from api.console.pay_periods import pay_periods
from api.console.reports import monthly


def _day(on: str, band: str | None, status: str = "sick", citation: str = "AfC 14.4") -> dict:
    return {"date": on, "band": band, "status": status, "pay_percent": {"full": 100, "half": 50, None: None}[band],
            "rule": f"{band} pay", "citation": citation}


def test_consecutive_days_on_one_band_make_one_sick_pay_period_and_days_at_work_none():
    days = [_day("2025-03-01", None, "at_work"), _day("2025-03-02", "full"), _day("2025-03-03", "full"),
            _day("2025-03-04", "half"), _day("2025-03-05", None, "at_work"), _day("2025-03-06", "half")]
    assert [(p["from"], p["to"], p["days"], p["band"]) for p in pay_periods(days)] == [
        (date(2025, 3, 2), date(2025, 3, 3), 2, "full"), (date(2025, 3, 4), date(2025, 3, 4), 1, "half"),
        (date(2025, 3, 6), date(2025, 3, 6), 1, "half")]


def test_the_audit_lists_every_status_field_that_differs_but_not_known_at():
    then = {"known_at": "2025-10-21T23:59:59Z", "tracks": {"short_term": {"level": 0, "episodes_12m": 3}},
            "reviews_due": []}
    now = {"known_at": None, "tracks": {"short_term": {"level": 0, "episodes_12m": 4}},
           "reviews_due": [{"stage": 1}]}
    assert changes(then, now) == [{"field": "reviews_due", "then": [], "now": [{"stage": 1}]},
                                  {"field": "tracks.short_term.episodes_12m", "then": 3, "now": 4}]


def test_the_monthly_rate_of_a_department_is_its_days_lost_over_its_days_available_across_reason_groups():
    rows = [{"month": "2025-10", "department": "Ward 7", "reason_group": "respiratory", "fte_days_lost": 2.0,
             "fte_days_available": 40.0},
            {"month": "2025-10", "department": "Ward 7", "reason_group": "mental_health", "fte_days_lost": 3.0,
             "fte_days_available": 40.0},
            {"month": "2025-11", "department": "Ward 7", "reason_group": "respiratory", "fte_days_lost": 1.0,
             "fte_days_available": 50.0}]
    assert monthly(rows, "department", "rate") == {"labels": ["2025-10", "2025-11"],
                                                   "series": [{"label": "Ward 7", "data": [12.5, 2.0]}]}
    assert monthly(rows, "reason_group", "lost")["series"] == [
        {"label": "mental_health", "data": [3.0, 0.0]}, {"label": "respiratory", "data": [2.0, 1.0]}]


def test_a_monthly_figure_beside_a_suppressed_cell_is_suppressed_too_so_the_cell_cannot_be_recovered():
    rows = [{"month": "2025-10", "department": "Ward 7", "reason_group": "respiratory", "fte_days_lost": 2.0,
             "fte_days_available": 40.0, "suppressed": False},
            {"month": "2025-10", "department": "Ward 7", "reason_group": "mental_health", "fte_days_lost": None,
             "fte_days_available": None, "suppressed": True}]
    assert monthly(rows, "department", "rate")["series"] == [{"label": "Ward 7", "data": [None]}]
    assert monthly(rows, "reason_group", "lost")["series"] == [
        {"label": "mental_health", "data": [None]}, {"label": "respiratory", "data": [2.0]}]
