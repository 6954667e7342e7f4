"""Case files: one employee's history as JSON or YAML (SPEC section 8).

A case file is the import format, the fixture format of the scenario tests
and what an adviser writes for a what-if. Parsing validates every event and
fills in the defaults of the bitemporal envelope; the first problem found is
reported as one `InvalidEvent` naming its place (`events[3].covers_to`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from domain.events import (
    EmployeeRegistered,
    Fact,
    UnknownEventType,
    end_of_day,
    parse_fact,
)
from domain.exceptions import InvalidEvent


#: a case file larger than this is refused before it is read (SPEC 12): the
#: longest real history is a few hundred events, far below it
MAX_CASE_BYTES = 10 * 1024 * 1024
#: objects and lists nested deeper than this are refused (a review's
#: `status_shown` is the deepest part of a case file, five levels down)
MAX_DEPTH = 16


class _Yaml12Loader(yaml.SafeLoader):
    """YAML with 1.2 booleans: only true/false. Under YAML 1.1 the key `on`
    (SelfCertified.on) would silently become the boolean True.

    Aliases (`*name`) are refused: a few hundred bytes of nested aliases
    expand to billions of nodes (an alias bomb), and a case file needs none."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a case file or mapping", mark)
        return super().compose_node(parent, index)


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"),
)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass


@dataclass(frozen=True)
class CaseFile:
    registration: EmployeeRegistered
    #: (index in the file's `events`, validated fact with `recorded_at` set)
    events: tuple[tuple[int, Fact], ...]

    @property
    def history(self) -> list[Fact]:
        return [self.registration, *(fact for _, fact in self.events)]


def _field_error(error: ValidationError, prefix: str) -> InvalidEvent:
    first = error.errors()[0]
    location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return InvalidEvent(f"{prefix}{location}", message)


F = TypeVar("F", bound=Fact)


def with_recorded_at(fact: F, prefix: str, actor: str, preceding: datetime | None = None) -> F:
    """The fact as the ledger records it from a case file: `actor` is who
    imports the file, and `recorded_at` the file's own (historical) moment,
    by default the end of the fact's effective day, or, for a fact with no
    day of its own that allows it, `preceding` (the `recorded_at` of the
    event before it in the file). A file may not set the actor nor a
    review's decision stamps: the ledger sets them (SPEC 12)."""
    try:
        fact.refuse_ledger_owned("actor")
    except InvalidEvent as error:
        raise error.at(prefix) from None
    if fact.recorded_at is not None:
        return fact.model_copy(update={"actor": actor})
    day = fact.effective_day
    if day is None and fact.recorded_with_preceding and preceding is not None:
        return fact.model_copy(update={"recorded_at": preceding, "actor": actor})
    if day is None:
        raise InvalidEvent(f"{prefix}.recorded_at",
                           f"required: a {fact.type} has no effective date to default it from")
    return fact.model_copy(update={"recorded_at": end_of_day(day), "actor": actor})


def _depth(data: Any, limit: int = MAX_DEPTH) -> int:
    """How deep `data` nests, counted no further than just past `limit`."""
    if limit < 0 or not isinstance(data, (dict, list)):
        return 0
    items = data.values() if isinstance(data, dict) else data
    return 1 + max((_depth(item, limit - 1) for item in items), default=0)


def parse_case(data: Any, actor: str = "import") -> CaseFile:
    if not isinstance(data, dict):
        raise InvalidEvent("case", "must be an object with 'employee' and 'events'")
    if _depth(data) > MAX_DEPTH:
        raise InvalidEvent("case", f"nests objects or lists more than {MAX_DEPTH} levels deep")
    unknown = set(map(str, data)) - {"employee", "events"}
    if unknown:
        key = sorted(unknown)[0][:64].encode("utf-8", "backslashreplace").decode()  # printable
        raise InvalidEvent(key, "unknown top-level key (expected 'employee', 'events')")
    employee = data.get("employee")
    if not isinstance(employee, dict):
        raise InvalidEvent("employee", "required: an object of EmployeeRegistered fields")
    try:
        registration = EmployeeRegistered.model_validate(employee)
    except ValidationError as error:
        raise _field_error(error, "employee") from None
    registration = with_recorded_at(registration, "employee", actor)
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise InvalidEvent("events", "must be a list")
    events: list[tuple[int, Fact]] = []
    for index, raw in enumerate(raw_events):
        prefix = f"events[{index}]"
        if not isinstance(raw, dict):
            raise InvalidEvent(prefix, "must be an object with a 'type'")
        try:
            fact = parse_fact(raw)
        except UnknownEventType as error:
            raise InvalidEvent(f"{prefix}.type", str(error)) from None
        except ValidationError as error:
            raise _field_error(error, prefix) from None
        if isinstance(fact, EmployeeRegistered):
            raise InvalidEvent(f"{prefix}.type", "the registration belongs in 'employee'")
        preceding = events[-1][1].recorded_at if events else registration.recorded_at
        events.append((index, with_recorded_at(fact, prefix, actor, preceding)))
    return CaseFile(registration, tuple(events))


def read_text(path: Path, what: str = "a case file") -> str:
    """A file's UTF-8 text; any unreadable file (a directory, binary data,
    not UTF-8, too large) is one `InvalidEvent` naming it. At most one byte
    past the limit is read: a device such as /dev/zero reports size 0 and
    never ends."""
    try:
        if path.is_dir():
            raise InvalidEvent(path.name, f"is a directory, not {what}")
        with path.open("rb") as file:
            data = file.read(MAX_CASE_BYTES + 1)
        if len(data) > MAX_CASE_BYTES:
            raise InvalidEvent(path.name, f"is larger than the {MAX_CASE_BYTES // 2**20} MB {what} may be")
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidEvent(path.name, f"is not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise InvalidEvent(path.name, f"cannot be read: {error.strerror}") from None
    if "\x00" in text:
        raise InvalidEvent(path.name, f"holds binary data (NUL bytes), not {what}")
    return text


def read_document(path: Path, kind: str, what: str = "a case file") -> Any:
    """A JSON or YAML file's data (`read_text`'s guards, then the parser's
    errors as one `InvalidEvent` naming the file)."""
    text = read_text(path, what)
    try:
        return load_yaml(text) if kind == "YAML" else json.loads(text)
    except RecursionError:
        raise InvalidEvent(path.name, f"nests more than {MAX_DEPTH} levels deep") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InvalidEvent(path.name, f"is not valid YAML: {error.problem}{where}") from None
    except (ValueError, yaml.YAMLError) as error:  # JSONDecodeError is a ValueError
        detail = " ".join(str(error).split())[:300]
        raise InvalidEvent(path.name, f"is not valid {kind}: {detail}") from None


def load_case(path: Path, actor: str = "import") -> CaseFile:
    """Read and validate a case file."""
    kind = "YAML" if path.suffix in (".yaml", ".yml") else "JSON"
    return parse_case(read_document(path, kind), actor)
