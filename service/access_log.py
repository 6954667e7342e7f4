"""The access log of health-data reads: who read what about whom, and when.

One append-only file descriptor per log and process, and one `os.write` of
a whole line per entry: nothing waits in a buffer of this process, so a
crash of the process loses no entry it has answered for, and concurrent
writers (threads, or other processes on the same file) never interleave
within a line. No fsync per entry: the kernel keeps what was written across
a process crash; a power loss may lose the last moments.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path


class AccessLog:
    """Appends entries to the file at `path`, opened on the first entry."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None
        self._opening = threading.Lock()

    def append(self, who: str, employee_id: str, what: str) -> None:
        entry = {"at": datetime.now(timezone.utc).isoformat(), "who": who, "employee": employee_id, "read": what}
        line = (json.dumps(entry, sort_keys=True) + "\n").encode()
        while line:  # one write, unless a full disk or a signal cut it short
            line = line[os.write(self._open(), line):]

    def _open(self) -> int:
        with self._opening:
            if self._descriptor is not None and not self._moved(self._descriptor):
                return self._descriptor
            self.close()
            self._descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
            return self._descriptor

    def _moved(self, descriptor: int) -> bool:
        """Whether the path no longer names the file this descriptor writes."""
        try:
            at_path = os.stat(self.path)
        except FileNotFoundError:
            return True
        held = os.fstat(descriptor)
        return (at_path.st_dev, at_path.st_ino) != (held.st_dev, held.st_ino)

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __del__(self) -> None:
        self.close()
