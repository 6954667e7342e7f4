"""The input limits of the trust boundary (SPEC section 12).

Every value a fact carries, on every path into the ledger (HTTP, CLI, case
files, Kafka), is held to these limits by the `Fact` base model, so a new
event class inherits them without naming its fields. Beyond them a value
breaks organisation-wide views (a day in year 1 or 9999), the store (a lone
surrogate cannot be encoded) or memory (a 900 KB id).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import cache
from typing import Any

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
#: an identifier: a field named `*_id` or `*_ref`, or one of these
IDENTIFIER_FIELDS = frozenset({"against", "policy"})
IDENTIFIER_LENGTH = 64
TEXT_LENGTH = 4000


@cache
def is_identifier(field: str) -> bool:
    return field.endswith(("_id", "_ref")) or field in IDENTIFIER_FIELDS


#: values no limit applies to (checked first: every fact field is validated)
_UNLIMITED = frozenset({bool, int, type(None)})


def check_limits(value: Any, identifier: bool = False) -> Any:
    """`value` unchanged, or ValueError saying which limit it breaks.
    Containers (a review's `status_shown`) are checked item by item."""
    if type(value) in _UNLIMITED:
        return value
    if isinstance(value, str):
        limit = IDENTIFIER_LENGTH if identifier else TEXT_LENGTH
        if len(value) > limit:
            raise ValueError(f"must be at most {limit:,} characters ({len(value):,} given)")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("must be valid Unicode text (it holds a lone surrogate)") from None
    elif isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        if not EARLIEST <= day <= LATEST:
            raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_limits(key, identifier)
            check_limits(item, identifier)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_limits(item, identifier)
    return value
