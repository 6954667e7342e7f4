"""The employee timeline: items placed on one axis, drawn as inline SVG with a table beside it."""

from __future__ import annotations

from datetime import date

import pytest

from api.console.pages import templates
from api.console.timeline import Item, absence_items, chart, last_year, meeting_items
from domain.events import FitNoteReceived, MeetingHeld
from domain.history import Absence

AS_OF = date(2025, 11, 28)
NOTE = FitNoteReceived(absence_id="A2", issued_on=date(2025, 10, 27), covers_from=date(2025, 10, 27),
                       covers_to=date(2025, 11, 23), received_on=date(2025, 10, 28))
ABSENCES = [Absence("A1", date(2025, 3, 10), date(2025, 3, 12), "S25"),
            Absence("A2", date(2025, 10, 20), None, "S11", fit_notes=(NOTE,))]
MEETINGS = [MeetingHeld(kind="welcome_back", date=date(2025, 3, 13), outcome="no_further_action")]


def items(full_reason: bool = False) -> list[Item]:
    return [*absence_items(ABSENCES, AS_OF, full_reason), *meeting_items(MEETINGS),
            Item("Monitoring", date(2025, 4, 1), date(2025, 9, 30), "monitoring after the informal review", "monitoring"),
            Item("Stage changes", date(2025, 11, 17), None, "long-term stage 1 review due", "stage")]


def test_a_manager_sees_the_reason_group_and_hr_the_code():
    assert [i.label for i in absence_items(ABSENCES, AS_OF, False)][:2] == [
        "absence: gastrointestinal", "ongoing absence: musculoskeletal"]
    assert absence_items(ABSENCES, AS_OF, True)[0].label == "absence: S25 Gastrointestinal problems"


def test_an_ongoing_absence_runs_to_as_of_and_its_fit_note_sits_on_its_own_row():
    ongoing, note = absence_items(ABSENCES, AS_OF, False)[1:]
    assert (ongoing.end, ongoing.kind) == (AS_OF, "absence-open")
    assert (note.lane, note.start, note.end) == ("Fit notes", date(2025, 10, 27), date(2025, 11, 23))


def test_items_are_placed_in_date_order_on_their_lanes_within_the_range():
    start, end = last_year(AS_OF)
    drawn = chart("Absence timeline", items(), start, end, today=AS_OF)
    xs = {p.item.label: p for p in drawn.placed}
    assert xs["absence: gastrointestinal"].x < xs["ongoing absence: musculoskeletal"].x
    assert xs["welcome back: no further action"].width == 0, "a meeting is a mark on its day"
    assert drawn.today_x == pytest.approx(drawn.width, abs=3)
    assert len({p.y for p in drawn.placed}) == 5, "one row per lane"
    assert [t.label for t in drawn.ticks][:2] == ["Dec 2024", "Jan 2025"]


def test_items_outside_the_range_are_left_out_and_spans_across_its_edge_clipped():
    drawn = chart("t", items(), date(2025, 9, 1), date(2025, 10, 31))
    labels = {p.item.label for p in drawn.placed}
    assert "absence: gastrointestinal" not in labels
    monitoring = next(p for p in drawn.placed if p.item.lane == "Monitoring")
    assert monitoring.x == 120  # starts at the left edge of the plot


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        chart("t", [], AS_OF, date(2025, 1, 1))


def test_the_partial_draws_each_item_with_a_title_and_lists_it_in_the_table():
    drawn = chart("Absence timeline", items(), *last_year(AS_OF), today=AS_OF)
    html = templates.env.from_string('{% from "partials/timeline.html" import timeline %}{{ timeline(chart) }}') \
        .render(chart=drawn)
    assert html.count("<title") == len(drawn.placed) + 1
    assert 'role="img"' in html and "<caption" in html
    assert "<td>2025-10-20 to 2025-11-28</td><td>ongoing absence: musculoskeletal</td>" in html
    assert "S11" not in html, "a manager's chart never shows the code"
