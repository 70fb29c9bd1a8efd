"""The anchor file: append-only JSON lines and a log line per anchor; a torn line is skipped."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nightowl.errors import StoreError
from nightowl.store.audit_anchor import Anchor, AnchorFile

AT = datetime(2030, 1, 1, tzinfo=UTC)


def test_anchors_append_and_are_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    file = AnchorFile(tmp_path / "audit.anchor")
    assert file.read().exists is False
    caplog.set_level(logging.INFO, logger="nightowl.audit")
    for seq in (0, 10, 20):
        file.write(Anchor(seq=seq, mac=f"{seq:064d}", key_id="k" * 16, at=AT))
    read = file.read()
    assert [a.seq for a in read.anchors] == [0, 10, 20]
    assert read.newest is not None
    assert read.newest.seq == 20
    assert (tmp_path / "audit.anchor").stat().st_mode & 0o777 == 0o600
    assert f"audit anchor seq=20 mac={20:064d}" in caplog.text


def test_a_torn_line_is_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "audit.anchor"
    file = AnchorFile(path)
    file.write(Anchor(seq=5, mac="a" * 64, key_id="k" * 16, at=AT))
    with path.open("a") as out:
        out.write('{"seq": 6, "mac": "b')  # a crash mid-write
    read = file.read()
    assert ([a.seq for a in read.anchors], read.torn) == ([5], 1)


def test_an_unwritable_anchor_file_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(StoreError, match=r"cannot write the audit anchor file.*audit.anchor_file"):
        AnchorFile(tmp_path / "dir").write(Anchor(seq=1, mac="a" * 64, key_id="k" * 16, at=AT))
