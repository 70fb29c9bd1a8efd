"""The file notifier: each message becomes one JSON line; a write failure comes back as
``ok=False``, never as an exception."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

from nightowl.clock import ScenarioClock
from nightowl.notify.file import FileConfig, FileNotifier
from nightowl.notify.protocol import Message

AT = datetime(2026, 11, 20, 3, 10, tzinfo=UTC)


def message(incident_id: str = "inc-1") -> Message:
    return Message(
        incident_id=incident_id,
        title="HighLatency on checkout",
        status="resolved",
        text="bad_deploy on checkout (0.97)",
        report_path="/tmp/reports/inc-1.md",
    )


def test_the_file_notifier_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "notifications.jsonl"
    files = FileNotifier("file", FileConfig(path=path), ScenarioClock(AT))

    first = asyncio.run(files.send(message("inc-1")))
    second = asyncio.run(files.send(message("inc-2")))

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["incident_id"] for line in lines] == ["inc-1", "inc-2"]
    assert lines[0]["title"] == "HighLatency on checkout"
    assert lines[0]["report_path"] == "/tmp/reports/inc-1.md"
    assert datetime.fromisoformat(lines[0]["at"]) >= AT
    assert (first.ok, second.ok) == (True, True)
    assert first.channel == "file"
    assert str(path) in first.detail


def test_the_file_notifier_reports_a_write_failure(tmp_path: Path) -> None:
    blocked = tmp_path / "a-directory"
    blocked.mkdir()
    files = FileNotifier("file", FileConfig(path=blocked), ScenarioClock(AT))

    note = asyncio.run(files.send(message()))

    assert note.ok is False
    assert f"cannot write {blocked}" in note.detail
