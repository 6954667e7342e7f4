"""Serving the API on a socket bound here: in this process, or in N worker
processes sharing it (uvicorn's own supervisor, which restarts a worker that
dies and stops them all on SIGTERM or Ctrl-C)."""

from __future__ import annotations

import socket
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
    connections of its own) makes its own app from the same environment."""
    if workers == 1:
        listening()
        uvicorn.Server(uvicorn.Config(application, log_level="warning")).run(sockets=[listener])
        return
    config = uvicorn.Config(WORKER_APP, factory=True, workers=workers, log_level="warning")
    _Workers(config, [listener], listening).run()


class _Workers(Multiprocess):
    """uvicorn's supervisor, saying it listens only when every worker is
    ready - a client that connects at once is not left to the first."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], listening: Callable[[], None]) -> None:
        super().__init__(config, sockets)
        self.listening = listening

    def init_processes(self) -> None:
        super().init_processes()
        if all(p.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit) for p in self.processes):
            self.listening()
