"""BENCHMARKS.md is made of sections, each after a `<!-- bench:NAME -->`
marker; a run rewrites its own section and leaves the others."""

from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, name: str, lines: list[str]) -> None:
    marker = f"<!-- bench:{name} -->"
    text = path.read_text() if path.exists() else ""
    section = marker + "\n" + "\n".join(lines).strip("\n") + "\n"
    if marker in text:
        start = text.index(marker)
        following = re.search(r"<!-- bench:[\w-]+ -->", text[start + len(marker):])
        end = start + len(marker) + following.start() if following else len(text)
        text = text[:start] + section + ("\n" + text[end:] if following else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
