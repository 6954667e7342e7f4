"""The access log keeps writing to its path when the file is rotated away or deleted."""

from __future__ import annotations

import json

from service.access_log import AccessLog


def entries(path) -> list[str]:
    return [json.loads(line)["employee"] for line in path.read_text().splitlines()]


def test_a_log_moved_away_by_rotation_is_followed_by_a_new_file_at_the_path(tmp_path):
    path = tmp_path / "access.log"
    log = AccessLog(path)
    log.append("hr:a", "E1", "status")
    path.rename(tmp_path / "access.log.1")
    log.append("hr:a", "E2", "status")
    assert entries(tmp_path / "access.log.1") == ["E1"] and entries(path) == ["E2"]


def test_a_deleted_log_is_created_again_at_the_next_entry(tmp_path):
    path = tmp_path / "access.log"
    log = AccessLog(path)
    log.append("hr:a", "E1", "status")
    path.unlink()
    log.append("hr:a", "E2", "history")
    assert entries(path) == ["E2"]
