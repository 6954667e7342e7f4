"""The SPEC 8 status document: the JSON an employee's status is shown as.

Rendered here, below the edge, so the read model can hold each employee's
document for the day it is on and a status read can be answered from it
(api.render re-exports it for every other rendering).
"""

from __future__ import annotations

import json
from typing import Any

from projections.status import Status, iso_timestamp

#: pay or leave for a rulebook whose organisation's terms it does not hold
NOT_COVERED = {"band": None, "note": "not covered by this rulebook: see the employee's terms and conditions"}


def status_document(status: Status) -> dict[str, Any]:
    """The status as the SPEC 8 JSON document (keys in this order)."""
    return {
        "employee_id": status.employee_id,
        "policy": status.policy,
        "policy_hash": status.rulebook.content_hash,
        "warnings": status.warnings,
        "as_of": status.as_of.isoformat(),
        "known_at": iso_timestamp(status.known_at),
        "employment_ended": status.employment_ended.isoformat() if status.employment_ended else None,
        "tracks": status.tracks_as_dict(),
        "reviews_due": [r.as_dict() for r in status.reviews_due],
        "concerns": [c.as_dict() for c in status.concerns],
        "pattern_suggestions": list(status.pattern_suggestions),
        "actions": [a.as_dict(status.as_of) for a in status.actions],
        "sick_pay": status.sick_pay.as_dict() if status.sick_pay else NOT_COVERED,
        "ssp": status.ssp if status.ssp is not None else NOT_COVERED,
        "annual_leave": status.annual_leave.as_dict() if status.annual_leave else NOT_COVERED,
        "bradford_factor": status.bradford_factor,
    }


def as_json(document: dict[str, Any]) -> str:
    """The document in the very text a response carries (Starlette's
    JSONResponse: compact, characters as they are): the read model keeps it
    so, and a status read by a role that sees every field sends it as kept."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))
