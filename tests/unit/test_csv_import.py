"""Absences from an HR system's CSV export, read through a mapping file."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.csv_import import Mapping, load_absences, load_mapping, read_absences
from domain.exceptions import InvalidEvent

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "csv"
MAPPING = Mapping.model_validate({
    "source": "test export",
    "date_format": "%d/%m/%Y",
    "columns": {"employee_id": "Assignment", "first_day": "Start", "last_day": "End", "reason": "Reason",
                "fit_note_from": "Note From", "fit_note_to": "Note To", "service_start": "Service Start"},
    "defaults": {"policy": "sath-w22-v6", "contracted_hours": 37.5},
})
HEADER = "Assignment,Start,End,Reason,Note From,Note To,Service Start\n"


def read(*rows: str, mapping: Mapping = MAPPING):
    return read_absences(HEADER + "".join(r + "\n" for r in rows), mapping)


def test_the_sample_esr_report_becomes_one_case_file_per_employee():
    cases = load_absences(SAMPLE / "esr-absence-report.csv", SAMPLE / "esr-absence-report.mapping.yaml")
    assert [c.registration.employee_id for c in cases] == ["ESR-204511", "ESR-204622", "ESR-204733"]
    first = cases[0]
    assert first.registration.policy == "sath-w22-v6" and first.registration.manager_id == "MGR-WARD9"
    assert [f.type for f in first.history[1:3]] == ["SicknessReported", "ReturnedToWork"]
    assert first.history[1].reason == "S13", "the export's reason text maps to the ESR code"


def test_a_last_day_becomes_a_return_the_next_day_and_a_blank_one_leaves_the_absence_open():
    (case,) = read("E1,06/01/2025,08/01/2025,S13,,,14/03/2017", "")
    reported, returned = case.history[1:]
    assert str(reported.first_day) == "2025-01-06" and str(returned.first_day_back) == "2025-01-09"
    (case,) = read("E1,06/01/2025,,S13,,,14/03/2017")
    assert [f.type for f in case.history[1:]] == ["SicknessReported"]


def test_fit_note_dates_become_a_fit_note_on_the_same_absence():
    (case,) = read("E1,06/01/2025,,S11,13/01/2025,26/01/2025,14/03/2017")
    note = case.history[2]
    assert note.type == "FitNoteReceived" and note.absence_id == case.history[1].absence_id
    assert (str(note.covers_from), str(note.covers_to), str(note.received_on)) == ("2025-01-13", "2025-01-26",
                                                                                   "2025-01-13")


def test_importing_the_same_rows_twice_gives_the_same_facts():
    row = "E1,06/01/2025,08/01/2025,S13,,,14/03/2017"
    assert [f.fingerprint for f in read(row)[0].history] == [f.fingerprint for f in read(row)[0].history]


@pytest.mark.parametrize(("row", "where", "message"), [
    ("E1,31/02/2025,,S13,,,14/03/2017", "row 2, column 'Start'", "is not a date in the form %d/%m/%Y"),
    ("E1,06/01/2025,,S77,,,14/03/2017", "row 2, column 'Reason'", "unknown ESR reason code 'S77'"),
    ("E1,06/01/2025,,,,,14/03/2017", "row 2, column 'Reason'", "required: the cell is empty"),
    ("E1,06/01/2025,05/01/2025,S13,,,14/03/2017", "row 2, column 'End'", "must not be before the first day"),
    ("E1,06/01/2025,,S13,13/01/2025,,14/03/2017", "row 2, column 'Note To'", "first and last day it covers"),
    ("E1,06/01/2025,,S13,13/01/2025,10/01/2025,14/03/2017", "row 2, column 'Note To'", "must not be before"),
    (",06/01/2025,,S13,,,14/03/2017", "row 2, column 'Assignment'", "required: the cell is empty"),
])
def test_an_invalid_cell_is_reported_by_file_row_and_column(row, where, message):
    with pytest.raises(InvalidEvent) as error:
        read("E0,02/01/2025,03/01/2025,S13,,,14/03/2017", row)
    assert str(error.value).startswith(f"CSV: {where.replace('row 2', 'row 3')}:") and message in str(error.value)


def test_nothing_is_returned_when_any_row_is_invalid():
    with pytest.raises(InvalidEvent, match="row 4"):
        read("E1,06/01/2025,08/01/2025,S13,,,14/03/2017", "E2,06/01/2025,08/01/2025,S13,,,14/03/2017",
             "E3,06/01/2025,08/01/2025,S00,,,14/03/2017")


def test_a_registration_field_with_no_column_and_no_default_is_named():
    mapping = MAPPING.model_copy(update={"defaults": {"policy": "sath-w22-v6"}})
    with pytest.raises(InvalidEvent, match=r"row 2, contracted_hours \(a default\): required"):
        read("E1,06/01/2025,,S13,,,14/03/2017", mapping=mapping)


def test_rows_of_one_employee_must_agree_on_the_registration():
    with pytest.raises(InvalidEvent, match="row 3, column 'Service Start': differs from row 2"):
        read("E1,06/01/2025,,S13,,,14/03/2017", "E1,06/02/2025,,S13,,,15/03/2017")


def test_the_same_absence_twice_is_refused():
    with pytest.raises(InvalidEvent, match="row 3, column 'Start': the same absence as row 2"):
        read("E1,06/01/2025,07/01/2025,S13,,,14/03/2017", "E1,06/01/2025,09/01/2025,S13,,,14/03/2017")


def test_a_mapped_column_missing_from_the_header_is_named():
    with pytest.raises(InvalidEvent, match="no column 'Note To' \\(mapped as fit_note_to\\)"):
        read_absences("Assignment,Start,End,Reason,Note From,Service Start\n", MAPPING)


def test_a_mapping_file_with_an_unknown_key_is_refused_naming_it(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("source: x\ncolumns: {employee_id: A, first_day: B, reason: C, colour: D}\n")
    with pytest.raises(InvalidEvent, match="map.yaml: columns.colour: Extra inputs are not permitted"):
        load_mapping(path)
