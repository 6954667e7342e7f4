"""SPEC 12's input limits hold for every field of every event class.

The classes are discovered from `domain.events`, so a new event type is
tested here without anyone listing it; the sample payload is built from the
field annotations for the same reason.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from datetime import date, datetime

import pytest
from pydantic import ValidationError

import domain.events as events
from domain.casefile import parse_case
from domain.events import FACT_TYPES, Fact
from domain.exceptions import InvalidEvent
from domain.limits import is_identifier
from tests.cases import case

EVENT_CLASSES = sorted(
    (cls for _, cls in inspect.getmembers(events, inspect.isclass)
     if issubclass(cls, Fact) and cls.__module__ == events.__name__ and cls not in (Fact, events.DatedFact)),
    key=lambda cls: cls.__name__,
)
DAY = "2025-03-03"
#: ours, or pydantic's own for a constrained string (it converts to Rust)
UNICODE = "valid Unicode|unable to parse raw data as a unicode string"


def _inner(annotation):
    """The annotation without Optional and Annotated wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def _kind(annotation) -> str | None:
    inner = _inner(annotation)
    origin = typing.get_origin(inner)
    if origin is typing.Literal:
        return "literal"
    if origin is tuple:
        return "weekdays"
    if origin is dict:  # free-form data (a review's status_shown); a typed one has typed items
        return "mapping" if typing.get_args(inner)[1] is typing.Any else None
    if isinstance(inner, type) and issubclass(inner, datetime):
        return "moment"
    for kind, python in (("day", date), ("text", str), ("number", float), ("count", int), ("flag", bool)):
        if inner is python:
            return kind
    return None


SAMPLE = {"day": DAY, "text": "S10", "number": 7.5, "count": 1, "flag": True, "weekdays": ["mon"], "mapping": {}}


def _payload(cls: type[Fact], **override) -> dict:
    """A valid payload of `cls` (every required field, one sample day)."""
    data = {}
    for name, field in cls.model_fields.items():
        if field.is_required():
            kind = _kind(field.annotation)
            data[field.alias or name] = typing.get_args(_inner(field.annotation))[0] if kind == "literal" else SAMPLE[kind]
    return {**data, **override}


def _cases():
    for cls in EVENT_CLASSES:
        for name, field in cls.model_fields.items():
            key, kind = field.alias or name, _kind(field.annotation)
            if kind == "day":
                yield cls, key, "0001-01-01", "between 1900-01-01 and 2100-12-31"
                yield cls, key, "9999-12-31", "between 1900-01-01 and 2100-12-31"
            elif kind == "moment":
                yield cls, key, "0001-01-01T00:00:00Z", "between 1900-01-01 and 2100-12-31"
                yield cls, key, "9999-12-31T23:59:59Z", "between 1900-01-01 and 2100-12-31"
            elif kind == "text":
                limit = 64 if is_identifier(name) else 4000
                yield cls, key, "A" * (limit + 1), f"at most {limit:,} characters"
                yield cls, key, "A" * 900_000, f"at most {limit:,} characters"
                yield cls, key, "note \ud800", UNICODE
            elif kind == "number":
                yield cls, key, float("inf"), "finite"
                yield cls, key, float("nan"), "finite"
            elif kind == "mapping":
                yield cls, key, {"levels": {"short_term": float("inf")}}, "finite"
                yield cls, key, {"note": "\udfff"}, UNICODE
                yield cls, key, {"note": "x" * 4001}, "at most 4,000 characters"


CASES = list(_cases())


def test_every_event_class_is_in_the_vocabulary_and_tested():
    assert {cls.__name__ for cls in EVENT_CLASSES} == set(FACT_TYPES)
    assert {cls for cls, *_ in CASES} == set(EVENT_CLASSES)


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda cls: cls.__name__)
def test_the_sample_payload_of_each_event_class_is_valid(cls):
    cls.model_validate(_payload(cls))


@pytest.mark.parametrize(("cls", "field", "value", "says"), CASES,
                         ids=[f"{c.__name__}-{f}-{str(v)[:12]!r}" for c, f, v, _ in CASES])
def test_a_value_beyond_the_limits_is_refused_naming_the_field(cls, field, value, says):
    with pytest.raises(ValidationError) as raised:
        cls.model_validate(_payload(cls, **{field: value}))
    first = raised.value.errors()[0]
    assert first["loc"][0] == field
    # a field with its own rule (an ESR code, a pattern) may refuse it first
    own_rule = field in ("reason", "leave_year_start", "employee_id", "event_id") and says != "finite"
    assert own_rule or re.search(says, first["msg"]), first["msg"]


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("day", ["1900-01-01", "2100-12-31"])
def test_the_first_and_last_day_of_the_range_are_accepted(cls, day):
    days = {(f.alias or n): day for n, f in cls.model_fields.items()
            if f.is_required() and _kind(f.annotation) == "day"}
    cls.model_validate(_payload(cls, **days))


def test_an_identifier_of_64_characters_and_text_of_4000_are_accepted():
    fact = events.SicknessReported.model_validate(
        {"absence_id": "A" * 64, "first_day": DAY, "reason": "S10", "note": "n" * 4000})
    assert len(fact.absence_id) == 64 and len(fact.note or "") == 4000


def test_an_event_dated_year_one_in_a_case_file_names_its_place():
    bad = {"type": "SicknessReported", "absence_id": "A1", "first_day": "0001-01-01", "reason": "S10"}
    with pytest.raises(InvalidEvent, match=r"^events\[0\]\.first_day: must be between 1900-01-01 and 2100-12-31$"):
        parse_case(case("E1", bad))


def test_an_infinite_salary_is_refused_not_stored_as_null():
    with pytest.raises(InvalidEvent, match=r"^employee\.basic_salary: Input should be a finite number$"):
        parse_case(case("E1", basic_salary=float("inf")))


def test_a_case_file_nested_too_deep_is_refused():
    deep: list = []
    for _ in range(40):
        deep = [deep]
    with pytest.raises(InvalidEvent, match=r"^case: nests objects or lists more than 16 levels deep$"):
        parse_case({"employee": {"employee_id": "E1", "x": deep}, "events": []})
