"""Small case-file builders for tests that are not scenario files."""

from __future__ import annotations

from typing import Any

EMPLOYEE = {"service_start": "2015-01-05", "contracted_hours": 37.5,
            "calendar": "england-and-wales", "policy": "sath-w22-v6"}


def case(employee_id: str = "E1", *events: dict[str, Any], **employee: Any) -> dict[str, Any]:
    return {"employee": {"employee_id": employee_id, **EMPLOYEE, **employee}, "events": list(events)}


def absence(absence_id: str, first_day: str, first_day_back: str | None = None,
            reason: str = "S13") -> list[dict[str, Any]]:
    events = [{"type": "SicknessReported", "absence_id": absence_id, "first_day": first_day, "reason": reason}]
    if first_day_back:
        events.append({"type": "ReturnedToWork", "absence_id": absence_id, "first_day_back": first_day_back})
    return events


#: stage 1 from 10 working days on 5 Sep 2025 (see the scenario file)
TEN_DAYS = [*absence("A1", "2025-06-02", "2025-06-09"), *absence("A2", "2025-09-01", "2025-09-08", "S25")]
