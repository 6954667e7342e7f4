"""Absences from an HR system's CSV export, as case files.

A mapping file (YAML) names the export's columns; each row is one absence:
the employee, first day, last day or first day back, reason code and,
optionally, a fit note. Rows of one employee become one case file, with the
registration taken from mapped columns or the mapping's `defaults`.

This sits at the edge (beside the CLI and the HTTP API), not in the domain:
it translates one outside system's format into the ledger's own vocabulary,
and the case files it returns are validated by the same models as every
other input. Validation is all or nothing: the first problem is one
`InvalidEvent` naming the row (the file's line, header = 1) and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.casefile import CaseFile, parse_case, read_document, read_text
from domain.events import EmployeeRegistered, FitNoteReceived, ReturnedToWork, SicknessReported
from domain.exceptions import InvalidEvent

#: registration fields a mapping may take from a column or a default
REGISTRATION_FIELDS = ("service_start", "employment_start", "contracted_hours", "working_days", "calendar",
                       "policy", "department", "manager_id", "leave_year_start", "terms")


class Columns(BaseModel):
    """Which column of the export holds each field (by its header)."""

    model_config = ConfigDict(extra="forbid")

    employee_id: str
    first_day: str
    last_day: str | None = None
    first_day_back: str | None = None
    reason: str
    absence_id: str | None = None
    reported_on: str | None = None
    fit_note_from: str | None = None
    fit_note_to: str | None = None
    fit_note_issued: str | None = None
    fit_note_received: str | None = None
    service_start: str | None = None
    employment_start: str | None = None
    contracted_hours: str | None = None
    working_days: str | None = None
    calendar: str | None = None
    policy: str | None = None
    department: str | None = None
    manager_id: str | None = None
    leave_year_start: str | None = None
    terms: str | None = None

    @model_validator(mode="after")
    def _one_end(self) -> "Columns":
        if self.last_day and self.first_day_back:
            raise ValueError("map either last_day or first_day_back, not both")
        if bool(self.fit_note_from) != bool(self.fit_note_to):
            raise ValueError("map fit_note_from and fit_note_to together")
        return self


class Mapping(BaseModel):
    """A mapping file: how one HR system's absence export reads."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="what export this mapping reads, for people")
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    date_format: str = Field(default="%Y-%m-%d", description="strptime format of every date column")
    columns: Columns
    #: the export's reason text (or local code) to the ESR code, where it is not the code itself
    reasons: dict[str, str] = {}
    #: registration fields for employees the export has no column for
    defaults: dict[str, Any] = {}
    #: how working days are written in a `working_days` column
    working_days_separator: Literal[" ", ",", ";", "|"] = " "

    @model_validator(mode="after")
    def _known_defaults(self) -> "Mapping":
        unknown = set(self.defaults) - set(REGISTRATION_FIELDS)
        if unknown:
            raise ValueError(f"defaults may set only {', '.join(REGISTRATION_FIELDS)}: not {sorted(unknown)[0]}")
        return self


def load_mapping(path: Path) -> Mapping:
    data = read_document(path, "YAML", "a mapping file")
    try:
        return Mapping.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "mapping"
        raise InvalidEvent(f"{path.name}: {where}", first["msg"].removeprefix("Value error, ")) from None


class _Row:
    """One row, reading fields through the mapping and naming row and column on error."""

    def __init__(self, source: str, number: int, values: dict[str, str], mapping: Mapping) -> None:
        self.source, self.number, self.values, self.mapping = source, number, values, mapping

    def where(self, field: str) -> str:
        """The file, row and column, so an error in one of several exports is found at once."""
        column = getattr(self.mapping.columns, field, None)
        cell = f"column {column!r}" if column else f"{field} (a default)"
        return f"{self.source}: row {self.number}, {cell}"

    def text(self, field: str) -> str | None:
        column = getattr(self.mapping.columns, field)
        value = (self.values.get(column) or "").strip() if column else ""
        return value or None

    def day(self, field: str) -> date | None:
        value = self.text(field)
        if value is None:
            return None
        try:
            return datetime.strptime(value, self.mapping.date_format).date()
        except ValueError:
            raise InvalidEvent(self.where(field), f"{value!r} is not a date in the form {self.mapping.date_format}") from None

    def required(self, field: str) -> str:
        value = self.text(field)
        if value is None:
            raise InvalidEvent(self.where(field), "required: the cell is empty")
        return value


def _registration(row: _Row) -> dict[str, Any]:
    registration: dict[str, Any] = {"employee_id": row.required("employee_id"), **row.mapping.defaults}
    for field in REGISTRATION_FIELDS:
        if getattr(row.mapping.columns, field) is None:
            continue
        if field in ("service_start", "employment_start"):
            value: Any = row.day(field)
        elif field == "working_days":
            cell = row.text(field)
            value = [d.strip().lower()[:3] for d in cell.split(row.mapping.working_days_separator) if d.strip()] \
                if cell else None
        else:
            value = row.text(field)
        if value is not None:
            registration[field] = value.isoformat() if isinstance(value, date) else value
    return registration


def _validated(row: _Row, model: type[BaseModel], data: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """Check one event against its model; a problem names the column it came from."""
    try:
        model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = fields.get(str(first["loc"][0]) if first["loc"] else "", "employee_id")
        raise InvalidEvent(row.where(field), first["msg"].removeprefix("Value error, ")) from None
    return {"type": model.__name__, **data}


def _events(row: _Row) -> list[dict[str, Any]]:
    first_day = row.day("first_day")
    if first_day is None:
        raise InvalidEvent(row.where("first_day"), "required: the cell is empty")
    code = row.required("reason")
    absence_id = row.text("absence_id") or f"csv-{first_day.isoformat()}"
    reported = {"absence_id": absence_id, "first_day": first_day.isoformat(),
                "reason": row.mapping.reasons.get(code, code)}
    reported_on = row.day("reported_on")
    if reported_on:
        reported["reported_on"] = reported_on.isoformat()
    events = [_validated(row, SicknessReported, reported, {"first_day": "first_day", "reason": "reason",
                                                           "reported_on": "reported_on", "absence_id": "absence_id"})]
    covers_from, covers_to = row.day("fit_note_from"), row.day("fit_note_to")
    if bool(covers_from) != bool(covers_to):
        missing = "fit_note_to" if covers_from else "fit_note_from"
        raise InvalidEvent(row.where(missing), "required: a fit note needs the first and last day it covers")
    if covers_from and covers_to:
        issued = row.day("fit_note_issued") or covers_from
        note = {"absence_id": absence_id, "issued_on": issued.isoformat(), "covers_from": covers_from.isoformat(),
                "covers_to": covers_to.isoformat(),
                "received_on": (row.day("fit_note_received") or issued).isoformat()}
        events.append(_validated(row, FitNoteReceived, note, {
            "covers_to": "fit_note_to", "covers_from": "fit_note_from", "issued_on": "fit_note_issued",
            "received_on": "fit_note_received"}))
    last_day, back = row.day("last_day"), row.day("first_day_back")
    end_field = "last_day" if last_day else "first_day_back"
    back = last_day + timedelta(days=1) if last_day else back
    if back is not None:
        if back <= first_day:
            raise InvalidEvent(row.where(end_field), f"must be after the first day ({first_day.isoformat()})"
                               if end_field == "first_day_back" else
                               f"must not be before the first day ({first_day.isoformat()})")
        events.append(_validated(row, ReturnedToWork, {"absence_id": absence_id, "first_day_back": back.isoformat()},
                                 {"first_day_back": end_field}))
    return events


def _rows(reader: csv.DictReader[str], name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """The reader's rows numbered as the file's lines (header = 1); a row the
    csv module cannot read (a cell over its field size limit) names its row."""
    row_number = 1
    while True:
        row_number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InvalidEvent(f"{name}: row {row_number}", f"is not readable CSV: {error}") from None
        yield row_number, values


def read_absences(text: str, mapping: Mapping, name: str = "CSV") -> list[CaseFile]:
    """One case file per employee, in the order each first appears; every row
    is checked before any case file is returned."""
    reader = csv.DictReader(io.StringIO(text), delimiter=mapping.delimiter)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as error:
        raise InvalidEvent(f"{name}: row 1", f"is not readable CSV: {error}") from None
    if fieldnames is None:
        raise InvalidEvent(name, "is empty: no header row")
    header = set(fieldnames)
    for field, column in mapping.columns.model_dump(exclude_none=True).items():
        if column not in header:
            raise InvalidEvent(f"{name}: header", f"no column {column!r} (mapped as {field})")
    cases: dict[str, dict[str, Any]] = {}
    seen: dict[tuple[str, str], int] = {}
    for row_number, values in _rows(reader, name):
        row = _Row(name, row_number, values, mapping)
        registration = _registration(row)
        case = cases.setdefault(registration["employee_id"], {"employee": registration, "events": [], "row": row})
        if case["employee"] != registration:
            differing = sorted(k for k in set(registration) | set(case["employee"])
                               if registration.get(k) != case["employee"].get(k))[0]
            raise InvalidEvent(row.where(differing), f"differs from row {case['row'].number} for the same employee")
        events = _events(row)
        key = (registration["employee_id"], events[0]["absence_id"])
        if key in seen:
            raise InvalidEvent(row.where("absence_id" if row.text("absence_id") else "first_day"),
                               f"the same absence as row {seen[key]}")
        seen[key] = row_number
        case["events"].extend(events)
    if not cases:
        raise InvalidEvent(name, "holds no rows: only a header")
    result = []
    for case in cases.values():
        try:
            EmployeeRegistered.model_validate(case["employee"])
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "employee_id"
            message = "required: map a column to it or give it in the mapping's defaults" \
                if first["type"] == "missing" else first["msg"].removeprefix("Value error, ")
            raise InvalidEvent(case["row"].where(field if field in REGISTRATION_FIELDS else "employee_id"),
                               message) from None
        result.append(parse_case({"employee": case["employee"], "events": case["events"]}, actor="csv-import"))
    return result


def load_absences(path: Path, mapping_path: Path) -> list[CaseFile]:
    mapping = load_mapping(mapping_path)
    # an export saved by a spreadsheet may begin with a byte-order mark
    return read_absences(read_text(path, "a CSV export").removeprefix("\ufeff"), mapping, path.name)
