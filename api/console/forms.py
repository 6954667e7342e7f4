"""Form errors as the console shows them: each names its field, so the error
summary can link to it and the field can show it (WCAG 3.3.1, 3.3.3)."""

from __future__ import annotations

from pydantic import ValidationError

from domain.exceptions import InvalidEvent


def form_errors(error: ValidationError | InvalidEvent) -> list[dict[str, str]]:
    """[{field, message}] in the order found: the field is the form control's id."""
    if isinstance(error, InvalidEvent):
        return [_error(error.field.rsplit(".", 1)[-1], error.message)]
    return [_error(".".join(str(p) for p in problem["loc"]) or "form", problem["msg"].removeprefix("Value error, "))
            for problem in error.errors()]


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": f"{field.replace('_', ' ').capitalize()}: {message}"}
