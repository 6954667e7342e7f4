"""Replay jobs: the population under a policy (and a comparison), run in
the background and polled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Annotated, Any
from uuid import uuid4

from fastapi import APIRouter, Body, Request

from api.auth import Denied, Role
from api.http.deps import Who, Wired, require
from service import population

router = APIRouter()


class Jobs:
    """An app's replay jobs, run one at a time beside the requests."""

    def __init__(self) -> None:
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay")
        self.by_id: dict[str, dict[str, Any]] = {}


def _jobs(request: Request) -> Jobs:
    return request.app.state.replay_jobs


@router.post("/replay", status_code=202)
def start_replay(request: Request, who: Who, services: Wired, policy: Annotated[str, Body()],
                 as_of: Annotated[date, Body(ge=date(1900, 1, 1), le=date(2199, 12, 31))],
                 compare: Annotated[str | None, Body()] = None) -> dict[str, Any]:
    """Replay the population under a policy (and compare): a job to poll."""
    require(who, {Role.hr, Role.auditor})
    policies = [services.registry.get(p).id for p in filter(None, [policy, compare])]
    jobs = _jobs(request)
    job_id = uuid4().hex
    job = jobs.by_id[job_id] = {"id": job_id, "state": "running", "done": 0, "total": None, "result": None}

    def counted(histories):
        job["total"] = len(histories)
        return histories

    def tick() -> None:
        job["done"] += 1

    def work() -> None:
        try:
            job["result"] = population.replay_ledger(services, policies, as_of, progress=counted, tick=tick).as_dict()
            job["state"] = "finished"
        except Exception as error:  # noqa: BLE001 - a job ends, never hangs "running"
            job["state"], job["error"] = "failed", f"{type(error).__name__}: {error}"

    jobs.runner.submit(work)
    return {"id": job_id, "state": "running", "poll": f"/replay/{job_id}"}


@router.get("/replay/{job_id}")
def replay_job(request: Request, who: Who, job_id: str) -> dict[str, Any]:
    require(who, {Role.hr, Role.auditor})
    jobs = _jobs(request)
    if job_id not in jobs.by_id:
        raise Denied("no such replay job", 404)
    return jobs.by_id[job_id]
