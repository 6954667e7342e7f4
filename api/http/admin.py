"""Administration: HR moves the read model to a day (queries never do)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.auth import Role
from api.http.deps import Who, Wired, require
from service import read_views

router = APIRouter()


@router.post("/admin/read-model")
def move_read_model(who: Who, services: Wired,
                    as_of: Annotated[date, Body(embed=True, ge=date(1900, 1, 1), le=date(2199, 12, 31))]) -> dict[str, Any]:
    """Bring the read model to `as_of`, caught up with the ledger (HR only)."""
    require(who, {Role.hr})
    day, position = read_views.move_read_model(services, as_of)
    return {"as_of": day.isoformat(), "ledger_position": position}
