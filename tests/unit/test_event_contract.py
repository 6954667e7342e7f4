"""The contract of attendance.events.v1: every event type, as the relay
publishes it, validates against the published JSON Schema and as its event
type in the consumers, and carries no free text about health."""

from __future__ import annotations

import datetime
import json
import types
import typing
from pathlib import Path

import jsonschema
import pytest

from consumers.contract import FREE_TEXT, WITHHELD, json_schema, redacted
from domain.events import FACT_TYPES, parse_fact

SCHEMA = Path(__file__).parents[2] / "consumers" / "schemas" / "attendance-event.v1.json"
HEALTH_TEXT = "migraines since the car accident; on sertraline"


def _value(name: str, annotation: typing.Any) -> typing.Any:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (typing.Union, types.UnionType):
        return _value(name, next(a for a in typing.get_args(annotation) if a is not type(None)))
    return {datetime.date: "2025-06-02", int: 1, float: 1, bool: True}.get(
        annotation, "S13" if name == "reason" else "A1")


def sample(kind: str) -> dict[str, typing.Any]:
    """An event of this type: its required fields, and every prose field
    written as a manager might write it."""
    cls = FACT_TYPES[kind]
    data: dict[str, typing.Any] = {"type": kind}
    for name, field in cls.model_fields.items():
        if field.is_required():
            data[field.alias or name] = _value(name, field.annotation)
    return {**data, **{name: HEALTH_TEXT for name in FREE_TEXT[kind]}}


def test_the_published_schema_is_the_one_the_code_generates():
    assert json.loads(SCHEMA.read_text()) == json_schema()


@pytest.mark.parametrize("kind", sorted(FACT_TYPES))
def test_every_event_type_as_published_validates_everywhere_and_carries_no_free_text(kind):
    fact = parse_fact(sample(kind))
    message = {"notification_id": 1, "employee_id": "E1", "aggregate_version": 1, "type": kind,
               "event": redacted(fact)}
    jsonschema.validate(message, json_schema())
    assert parse_fact(message["event"]).type == kind  # what every consumer does with it
    assert HEALTH_TEXT not in json.dumps(message)
    assert all(message["event"][name] == WITHHELD for name in FREE_TEXT[kind])


def test_coded_reasons_are_published_and_prose_is_not():
    assert "reason" not in FREE_TEXT["SicknessReported"] and "note" in FREE_TEXT["SicknessReported"]
    assert FREE_TEXT["PatternOfAbsenceIdentified"] == {"description"}
    assert "reason" in FREE_TEXT["TriggerAdjusted"] and "reason" not in FREE_TEXT["EmploymentEnded"]
