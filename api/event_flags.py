"""One event from command-line flags: `--first-day 2025-10-20 --reason S13`
becomes the data `parse_fact` validates, exactly as the API's JSON body is.

The flags are the model's own fields (api.vocabulary reads them from the
models), so every event type, present or future, is recordable without a
flag written by hand. A list field takes the flag repeated or a
comma-separated value; an object field takes `key=value,...` or JSON.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from api.vocabulary import ENVELOPE, MEANING, fields
from domain.events import Fact
from domain.exceptions import InvalidEvent


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


#: set by the ledger, never by the one recording (a review's decision stamps too)
LEDGER_OWNED = frozenset({"recorded_at", "actor"})


def _rows(model: type[Fact]) -> dict[str, dict[str, Any]]:
    owned = LEDGER_OWNED | model.stamped_by_ledger
    return {row["name"]: row for row in fields(model, envelope=True) if row["name"] not in owned}


def _items(value: str) -> list[Any]:
    if value.lstrip().startswith("["):
        return json.loads(value)
    return [item.strip() for item in value.split(",") if item.strip()]


def _mapping(value: str) -> dict[str, Any]:
    if value.lstrip().startswith("{"):
        return json.loads(value)
    pairs = [pair.partition("=") for pair in value.split(",") if pair.strip()]
    if any(not sep for _, sep, _ in pairs):
        raise ValueError("expected key=value pairs separated by commas, or a JSON object")
    return {key.strip(): item.strip() for key, _, item in pairs}


def event_data(model: type[Fact], args: list[str]) -> dict[str, Any]:
    """The fields the flags give, as JSON-like data (strings for pydantic to
    read as it reads a JSON body). Raises `InvalidEvent` naming the flag."""
    rows = _rows(model)
    data: dict[str, Any] = {}
    position = 0
    while position < len(args):
        token = args[position]
        position += 1
        if not token.startswith("--"):
            raise InvalidEvent(token, f"expected a --field before it (`attendance record {model.__name__} --help`)")
        name, has_value, value = token[2:].partition("=")
        name = name.replace("-", "_")
        if name not in rows:
            raise InvalidEvent(token.partition("=")[0], f"not a field of {model.__name__} "
                               f"(its fields: {', '.join(flag(n) for n in rows if n not in ENVELOPE)})")
        row = rows[name]
        if not has_value:
            if position < len(args) and not args[position].startswith("--"):
                value = args[position]
                position += 1
            elif row["shape"] == "flag":
                value = "true"  # a bare true-or-false flag means true
            else:
                raise InvalidEvent(flag(name), f"needs a value ({row['type']})")
        try:
            if row["shape"] == "list":
                data.setdefault(name, []).extend(_items(value))
            elif row["shape"] == "object":
                data[name] = _mapping(value)
            elif name in data:
                raise ValueError("given twice")
            else:
                data[name] = value
        except ValueError as error:  # json.JSONDecodeError is a ValueError
            raise InvalidEvent(flag(name), str(error)) from None
    return data


def invalid(error: ValidationError) -> InvalidEvent:
    """The first problem pydantic found, named as the flag that gave it."""
    first = error.errors()[0]
    head, *rest = first["loc"] or ("type",)
    where = flag(str(head)) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest)
    return InvalidEvent(where, first["msg"].removeprefix("Value error, "))


def help_text(model: type[Fact]) -> str:
    """The flags of one event type, with their types and whether required
    (each paragraph led by \\b, which click's help prints as written)."""
    name = model.__name__
    lines = ["\b", f"{name}: {MEANING[name]}"]
    if model.effective_field:
        lines.append(f"It takes effect on {flag(model.model_fields[model.effective_field].alias or model.effective_field)}.")
    rows = sorted((row for row in _rows(model).values() if not row["ledger"]), key=lambda row: row["name"] in ENVELOPE)
    width = max(len(flag(row["name"])) for row in rows)
    lines += ["", "\b", "Fields:"]
    for row in rows:
        need = "required" if row["required"] else ("optional" if row["default"] is None
                                                   else f"optional, default {_shown(row['default'])}")
        if row["name"] in ENVELOPE:
            need += " (on every event)"
        lines.append(f"  {flag(row['name']):<{width}}  {row['type']}; {need}")
    lines += ["", "\b", "A list: repeat the flag or separate values with commas (--working-days mon,tue).",
              "An object: key=value pairs separated by commas, or JSON. Dates are YYYY-MM-DD."]
    return "\n".join(lines)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(map(str, value))
    return str(value)
