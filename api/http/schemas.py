"""What the OpenAPI document says of requests and responses: the event
union with an example of each type, the answers of the main endpoints, and
the problem+json errors every endpoint may give.

The event body is still validated by `parse_fact` (the same code as the CLI
and case files, with its field-naming errors); these schemas describe it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import models_json_schema

from api.vocabulary import MEANING, example
from domain.events import FACT_TYPES, EmployeeRegistered

REF = "#/components/schemas/{model}"
RECORDABLE = {name: model for name, model in FACT_TYPES.items() if name != "EmployeeRegistered"}


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


class Registered(BaseModel):
    employee_id: str


class Recorded(BaseModel):
    event_id: str
    replayed: bool


class Imported(BaseModel):
    employee_id: str
    stored: int
    already_held: int


class StatusDocument(BaseModel):
    """An employee's status on a day (docs/status.md describes every part)."""

    model_config = ConfigDict(extra="allow")

    employee_id: str
    policy: str
    policy_hash: str
    warnings: list[str]
    as_of: date
    known_at: str | None
    employment_ended: date | None
    tracks: dict[str, Any]
    reviews_due: list[dict[str, Any]]
    concerns: list[dict[str, Any]]
    pattern_suggestions: list[dict[str, Any]]
    actions: list[dict[str, Any]]
    sick_pay: dict[str, Any]
    ssp: dict[str, Any]
    annual_leave: dict[str, Any]
    bradford_factor: int


def components() -> dict[str, Any]:
    """Schemas the paths refer to: the registration, each event type (its
    `type` the discriminator, its meaning, an example) and Problem."""
    models: tuple[type[BaseModel], ...] = (EmployeeRegistered, *RECORDABLE.values(), Problem)
    _, document = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas = document["$defs"]
    schemas["EmployeeRegistered"]["description"] = MEANING["EmployeeRegistered"]
    for name, model in RECORDABLE.items():
        schema = schemas[name]
        schema["description"] = MEANING[name]
        schema["properties"] = {"type": {"const": name}, **schema["properties"]}
        schema["required"] = ["type", *schema.get("required", [])]
        schema["examples"] = [example(model)]
    return schemas


#: the request body of POST /employees
REGISTRATION_BODY = {"$ref": REF.format(model="EmployeeRegistered")}
#: the request body of POST /employees/{employee_id}/events
EVENT_BODY = {
    "oneOf": [{"$ref": REF.format(model=name)} for name in RECORDABLE],
    "discriminator": {"propertyName": "type", "mapping": {name: REF.format(model=name) for name in RECORDABLE}},
}
EVENT_EXAMPLES = {name: {"summary": name, "description": MEANING[name], "value": example(model)}
                  for name, model in RECORDABLE.items()}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}


#: the errors any endpoint behind a bearer token may answer with
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: _problem("JSON nested more than 32 levels deep"),
    401: _problem("No bearer token, or not a valid one"),
    403: _problem("The caller's role may not do this, or not for this employee"),
    404: _problem("No such employee"),
    409: _problem("Another change was recorded first, the employee is already registered, "
                  "or the read model holds another day"),
    410: _problem("The employee's record was erased"),
    413: _problem("The body is larger than 1 MB"),
    422: _problem("Invalid input: `errors` names each field at fault"),
}
