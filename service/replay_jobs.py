"""Replay jobs: the population under a policy (and a comparison), run in
the background by the server process that was asked, and kept in the read
model's database - so any process of `attendance serve --workers N` answers
a poll, and a job whose process has stopped says so rather than seeming to
run for ever."""

from __future__ import annotations

import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from service import population

if TYPE_CHECKING:
    from service.bootstrap import Services

#: seconds between two writes of a running job's progress
PROGRESS_EVERY = 0.5
STOPPED = "the server process running it stopped: start the replay again"


class ReplayJobs:
    """This process's replay jobs, run one at a time beside the requests."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay")
        self.process = f"{socket.gethostname()}:{os.getpid()}"

    def start(self, policies: list[str], as_of: date) -> str:
        """A new job replaying the population under `policies` (one, or two
        compared) on `as_of`; its id, to poll with `get`."""
        job: dict[str, Any] = {"id": uuid4().hex, "state": "running", "done": 0, "total": None, "result": None}
        self._keep(job)
        self.runner.submit(self._run, job, policies, as_of)
        return job["id"]

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as it stands, or None when there is no such job."""
        kept = self.services.read_model.job(job_id)
        if kept is None:
            return None
        process, job = kept
        if job["state"] == "running" and not _alive(process):
            return {**job, "state": "failed", "error": STOPPED}
        return job

    def _run(self, job: dict[str, Any], policies: list[str], as_of: date) -> None:
        kept = time.monotonic()

        def counted(histories):
            job["total"] = len(histories)
            self._keep(job)
            return histories

        def tick() -> None:
            nonlocal kept
            job["done"] += 1
            if time.monotonic() - kept >= PROGRESS_EVERY:
                self._keep(job)
                kept = time.monotonic()

        try:
            job["result"] = population.replay_ledger(self.services, policies, as_of, progress=counted,
                                                     tick=tick).as_dict()
            job["state"] = "finished"
        except Exception as error:  # noqa: BLE001 - a job ends, never hangs "running"
            job["state"], job["error"] = "failed", f"{type(error).__name__}: {error}"
        self._keep(job)

    def _keep(self, job: dict[str, Any]) -> None:
        self.services.read_model.keep_job(job, self.process)


def _alive(process: str) -> bool:
    """Whether the process that runs a job is still running (a process on
    another machine is taken to be)."""
    host, pid = process.rsplit(":", 1)
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True
