"""Starting a real `attendance serve` for a test, and waiting until it listens."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ATTENDANCE = str(Path(sys.executable).with_name("attendance"))


def start_serving(environment: dict[str, str], home: Path, *options: str) -> tuple[subprocess.Popen, Path]:
    """`attendance serve --port 0 [options]` run in `home`, and the file its
    stderr goes to (`home/serve.log`, which `wait_for_listening` reads)."""
    log = home / "serve.log"
    with log.open("w") as stderr:
        server = subprocess.Popen([ATTENDANCE, "serve", "--port", "0", *options], env=environment, cwd=home,
                                  stdout=subprocess.DEVNULL, stderr=stderr)
    return server, log


def wait_for_listening(server: subprocess.Popen, log: Path, timeout: float = 30) -> str:
    """The server's base URL once its start-up line is in `log` and /healthz answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"attendance serve exited: {log.read_text()}"
        found = re.search(r"listening on (http://\S+)", log.read_text())
        if found:
            try:
                with urllib.request.urlopen(f"{found.group(1)}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return found.group(1)
            except OSError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"attendance serve did not become healthy: {log.read_text()}")
