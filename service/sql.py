"""Small pieces of SQL the stores share."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: values bound per statement: within every supported database's limit
PARAMETERS_PER_STATEMENT = 500


def in_chunks(values: Sequence[T]) -> Iterator[tuple[list[T], str]]:
    """`values` in chunks, each with the placeholders of its `IN (...)`."""
    for start in range(0, len(values), PARAMETERS_PER_STATEMENT):
        chunk = list(values[start:start + PARAMETERS_PER_STATEMENT])
        yield chunk, ", ".join("?" * len(chunk))
