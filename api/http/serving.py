"""Serving the API on a socket bound here: in this process, or in N worker
processes sharing it (uvicorn's own supervisor, which restarts a worker that
dies and stops them all on SIGTERM or Ctrl-C)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

#: connections the kernel holds until a process accepts them (uvicorn's default)
BACKLOG = 2048
#: what each worker process serves (a factory: every worker makes its own app)
WORKER_APP = "api.http.app:worker_app"


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: one the system picks).

    IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so,
    and without it a response's second write waits for the client's delayed
    ACK (40 ms a request)."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM,
                             socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(BACKLOG)  # connections wait from now on, not refused until the server starts
    except OSError:
        listener.close()
        raise
    return listener


def serve(application: FastAPI, listener: socket.socket, workers: int, listening: Callable[[], None]) -> None:
    """Serve until stopped; `listening` is called once every process answers.

    With several workers, `application` has already made the schema and the
    token-signing key, once; each worker (spawned: a fresh interpreter with
    connections of its own) makes its own app from the same environment.
    Raises WorkersNotReady when a worker does not start."""
    if workers == 1:
        listening()
        uvicorn.Server(uvicorn.Config(application, log_level="warning")).run(sockets=[listener])
        return
    config = uvicorn.Config(WORKER_APP, factory=True, workers=workers, log_level="warning")
    supervisor = _Workers(config, [listener], listening)
    supervisor.run()
    if supervisor.not_ready:
        raise WorkersNotReady(supervisor.not_ready)


class WorkersNotReady(RuntimeError):
    """A worker process did not start answering in time."""


class _Workers(Multiprocess):
    """uvicorn's supervisor, saying it listens only when every worker answers
    - a client that connects at once is not left to the first - and stopping
    them all, saying why, when one does not start."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], listening: Callable[[], None]) -> None:
        super().__init__(config, sockets)
        self.listening = listening
        self.not_ready = ""

    def init_processes(self) -> None:
        super().init_processes()
        # spawning is slow on a busy machine: a minute, and ten seconds a worker past six
        deadline = time.monotonic() + max(60.0, 10.0 * len(self.processes))
        for process in self.processes:
            while not process.wait_until_ready(1.0, self.should_exit):
                if self.signal_queue:  # asked to stop while starting: nothing to announce
                    return
                if process.exitcode is not None or time.monotonic() > deadline:
                    self.not_ready = f"worker process {process.pid} did not start answering"
                    self.should_exit.set()
                    return
        self.listening()
