"""The council's reports over HTTP, as `attendance query` gives them: the
monthly priority snapshot, the return-to-work metric and the case-audit
sample (HR and auditors). Each reads the ledger and writes nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import Role
from api.http.deps import Day, Who, Wired, access_log, moment, require
from service import reports

router = APIRouter(prefix="/reports", tags=["reports"])
READERS = {Role.hr, Role.auditor}
Month = Annotated[str, Query(pattern=r"^(19|20|21)\d\d-(0[1-9]|1[0-2])$", description="YYYY-MM, 1900 to 2199")]


@router.get("/priority-cases")
def priority_snapshot(who: Who, services: Wired, month: Month, known_at: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """The open cases at the month's end by sickness days lost, each marked new
    this month or with its movement since the previous month's list."""
    require(who, READERS)
    access_log(services, who, "*", "priority cases snapshot")
    return reports.priority_snapshot(services, month, limit, moment(known_at))


@router.get("/rtw")
def return_to_work(who: Who, services: Wired, as_of: Day, known_at: str | None = None) -> list[dict[str, Any]]:
    """Returns to work discussed within 72 hours: by month, quarter and overall,
    by department and by policy."""
    require(who, READERS)
    access_log(services, who, "*", "return-to-work report")
    return reports.return_to_work(services, as_of, moment(known_at))


@router.get("/audit-sample")
def audit_sample(who: Who, services: Wired, as_of: Day, size: Annotated[int, Query(ge=1, le=1000)] = 10,
                 seed: Annotated[int, Query(ge=0, le=2**63 - 1, description="the same seed gives the same sample")] = 0,
                 known_at: str | None = None) -> dict[str, Any]:
    """A reproducible random sample of open cases, each with its explanation
    (the monthly case audit). Each explanation read is in the access log."""
    require(who, READERS)
    sample = reports.audit_sample(services, as_of, size, seed, moment(known_at))
    for case in sample["sample"]:
        access_log(services, who, case["employee_id"], "audit-sample")
    return sample
