"""The API's own documentation (issue 11): the bearer scheme, the event
union with an example of each type, typed answers and problem+json errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.http import create_app
from domain.events import FACT_TYPES, parse_fact
from service.ledger import AttendanceLedger


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openapi")
    app = create_app(AttendanceLedger(str(folder / "ledger.db")), access_log=folder / "access.log")
    response = TestClient(app).get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_behind_a_token_names_the_bearer_scheme(document):
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A token from `attendance token`, or from the single sign-on in front of the API."}
    operations = [(path, op) for path, item in document["paths"].items() for op in item.values()
                  if not path.startswith(("/healthz", "/readyz", "/sign-in", "/sign-out", "/docs", "/redoc"))
                  and path != "/" and not path.startswith("/console")]
    assert operations
    for path, operation in operations:
        assert operation.get("security") == [{"HTTPBearer": []}], path


def test_the_event_body_is_the_union_of_every_recordable_type_each_with_an_example(document):
    body = document["paths"]["/employees/{employee_id}/events"]["post"]["requestBody"]["content"]["application/json"]
    recordable = [name for name in FACT_TYPES if name != "EmployeeRegistered"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in body["schema"]["oneOf"]] == recordable
    assert body["schema"]["discriminator"]["propertyName"] == "type"
    assert set(body["examples"]) == set(recordable)
    schemas = document["components"]["schemas"]
    for name in recordable:
        schema = schemas[name]
        assert schema["properties"]["type"] == {"const": name} and "type" in schema["required"]
        assert schema["description"]
        [example] = schema["examples"]
        assert example == body["examples"][name]["value"]
        assert parse_fact(example).type == name  # each example is a valid event
    fit_note = schemas["FitNoteReceived"]
    assert {"absence_id", "issued_on", "covers_from", "covers_to", "received_on"} <= set(fit_note["required"])


def test_the_registration_body_is_the_employee_registered_model(document):
    body = document["paths"]["/employees"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/EmployeeRegistered"
    registered = document["components"]["schemas"]["EmployeeRegistered"]
    assert {"employee_id", "service_start", "contracted_hours", "policy"} <= set(registered["required"])
    assert registered["properties"]["working_days"]["type"] == "array"


def test_problems_are_documented_as_problem_json_for_each_error_status(document):
    operation = document["paths"]["/employees/{employee_id}/events"]["post"]
    for status in ("401", "403", "404", "409", "413", "422"):
        content = operation["responses"][status]["content"]
        assert content == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert {"title", "status", "detail"} <= set(document["components"]["schemas"]["Problem"]["required"])
    assert "HTTPValidationError" not in document["components"]["schemas"], "422 is problem+json, not FastAPI's"


@pytest.mark.parametrize(("path", "method", "model"), [
    ("/employees", "post", "Registered"), ("/employees/{employee_id}/events", "post", "Recorded"),
    ("/import", "post", "Imported"), ("/employees/{employee_id}/status", "get", "StatusDocument"),
])
def test_the_main_endpoints_answer_with_a_typed_document(document, path, method, model):
    responses = document["paths"][path][method]["responses"]
    success = next(code for code in responses if code.startswith("2"))
    assert responses[success]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{model}"}
