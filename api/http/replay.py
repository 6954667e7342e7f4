"""Replay jobs: the population under a policy (and a comparison), run in
the background and polled (service.replay_jobs)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.auth import Denied, Role
from api.http.deps import Who, Wired, require
from domain.exceptions import InvalidEvent, UnknownPolicy
from service.bootstrap import Services

router = APIRouter()


@router.post("/replay", status_code=202)
def start_replay(who: Who, services: Wired, policy: Annotated[str, Body()],
                 as_of: Annotated[date, Body(ge=date(1900, 1, 1), le=date(2199, 12, 31))],
                 compare: Annotated[str | None, Body()] = None) -> dict[str, Any]:
    """Replay the population under a policy (and compare): a job to poll."""
    require(who, {Role.hr, Role.auditor})
    policies = [_rulebook(services, field, name) for field, name in (("policy", policy), ("compare", compare))
                if name is not None]
    job_id = services.replay_jobs.start(policies, as_of)
    return {"id": job_id, "state": "running", "poll": f"/replay/{job_id}"}


def _rulebook(services: Services, field: str, policy: str) -> str:
    try:
        return services.registry.get(policy).id
    except UnknownPolicy as error:
        raise InvalidEvent(field, str(error)) from None


@router.get("/replay/{job_id}")
def replay_job(who: Who, services: Wired, job_id: str) -> dict[str, Any]:
    require(who, {Role.hr, Role.auditor})
    job = services.replay_jobs.get(job_id)
    if job is None:
        raise Denied("no such replay job", 404)
    return job
