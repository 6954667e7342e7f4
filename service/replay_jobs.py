"""Replay jobs: the population under a policy (and a comparison), run in
the background by the server process that was asked, and kept in the read
model's database - so any process of `attendance serve --workers N` answers
a poll. While a job runs, its process marks it alive every few seconds; a
running job not marked for STALE_AFTER seconds has lost its process (killed,
or its machine gone) and reads `failed`, rather than seeming to run for ever
- wherever it ran, whatever process ids were reused since."""

from __future__ import annotations

import threading
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
#: seconds between two marks that a running job's process is alive (also
#: while it reads the ledger, before there is progress to write)
ALIVE_EVERY = 5.0
#: a running job not marked alive for this long has lost its process
STALE_AFTER = 30.0
#: finished and failed jobs are kept this long for their results
KEPT_FOR = 7 * 24 * 3600.0
STOPPED = "the server process running it stopped: start the replay again"


class ReplayJobs:
    """This process's replay jobs, run one at a time beside the requests."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.runner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay")

    def start(self, policies: list[str], as_of: date) -> str:
        """A new job replaying the population under `policies` (one, or two
        compared) on `as_of`; its id, to poll with `get`."""
        store = self.services.read_model
        store.forget_jobs(before=time.time() - KEPT_FOR)
        job: dict[str, Any] = {"id": uuid4().hex, "state": "running", "done": 0, "total": None, "result": None}
        store.keep_job(job, time.time())
        self.runner.submit(self._run, job, policies, as_of)
        return job["id"]

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as it stands, or None when there is no such job."""
        kept = self.services.read_model.job(job_id)
        if kept is None:
            return None
        alive_at, job = kept
        if job["state"] == "running" and time.time() - alive_at > STALE_AFTER:
            return {**job, "state": "failed", "error": STOPPED}
        return job

    def _run(self, job: dict[str, Any], policies: list[str], as_of: date) -> None:
        store, kept = self.services.read_model, time.monotonic()
        finished = threading.Event()

        def mark_alive() -> None:
            while not finished.wait(ALIVE_EVERY):
                store.mark_job_alive(job["id"], time.time())

        def counted(histories):
            job["total"] = len(histories)
            store.keep_job(job, time.time())
            return histories

        def tick() -> None:
            nonlocal kept
            job["done"] += 1
            if time.monotonic() - kept >= PROGRESS_EVERY:
                store.keep_job(job, time.time())
                kept = time.monotonic()

        threading.Thread(target=mark_alive, name="replay-alive", daemon=True).start()
        try:
            job["result"] = population.replay_ledger(self.services, policies, as_of, progress=counted,
                                                     tick=tick).as_dict()
            job["state"] = "finished"
        except Exception as error:  # noqa: BLE001 - a job ends, never hangs "running"
            job["state"], job["error"] = "failed", f"{type(error).__name__}: {error}"
        finally:
            finished.set()
        store.keep_job(job, time.time())
