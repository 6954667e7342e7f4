"""The contract of `attendance.events.v1`: what the relay publishes of each
ledger event, and the JSON Schema every message validates against.

The topic carries no free text about health. A free-text field (a note, a
description, a reason written in prose) is published as the marker
`[withheld]`, never dropped, so every message still validates as its event
type in every consumer; coded values (ESR reason codes, outcomes chosen
from a list) are published as they are.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.events import FACT_TYPES, Fact
from domain.health_data import FREE_TEXT, WITHHELD


def redacted(fact: Fact) -> dict[str, Any]:
    """The event's payload as published: free text replaced by the marker."""
    return {k: (WITHHELD if k in FREE_TEXT[fact.type] else v) for k, v in fact.payload().items()}


def json_schema() -> dict[str, Any]:
    """The published schema of a message on `attendance.events.v1`."""
    definitions: dict[str, Any] = {}
    for name, cls in FACT_TYPES.items():
        schema = cls.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        definitions.update(schema.pop("$defs", {}))
        properties = {"type": {"const": name}, **schema.get("properties", {})}
        for field in FREE_TEXT[name]:
            properties[field] = {"const": WITHHELD}
        definitions[name] = {**schema, "properties": properties, "required": ["type", *schema.get("required", [])]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://attendance-ledger.example/schemas/attendance-event.v1.json",
        "title": "Attendance Ledger event, version 1",
        "description": "One ledger event, keyed by employee id. Free text about health is never published: "
                       f"prose fields carry the marker {WITHHELD!r}.",
        "type": "object",
        "properties": {
            "notification_id": {"type": "integer", "minimum": 1},
            "employee_id": {"type": "string"},
            "aggregate_version": {"type": "integer", "minimum": 1},
            "type": {"enum": sorted(FACT_TYPES)},
            "event": {"oneOf": [{"$ref": f"#/$defs/{name}"} for name in sorted(FACT_TYPES)]},
        },
        "required": ["notification_id", "employee_id", "aggregate_version", "type", "event"],
        "additionalProperties": False,
        "$defs": definitions,
    }


SCHEMA_FILE = Path(__file__).parent / "schemas" / "attendance-event.v1.json"

if __name__ == "__main__":  # python -m consumers.contract: regenerate the published schema
    SCHEMA_FILE.write_text(json.dumps(json_schema(), indent=2) + "\n")
