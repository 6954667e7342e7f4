"""Waiting for a real `attendance serve` started by a test."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from pathlib import Path


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
