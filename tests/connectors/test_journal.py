"""The systemd journal connector: journalctl's JSON export read from files, the journalctl
command line accepted by the real journalctl, and its failures reported in one line."""

from __future__ import annotations

import json
import shutil
from asyncio import run
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.connectors.journal import Journal, JournalConfig
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel
from nightowl.errors import ConnectorError

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)

WINDOW = LogQuery(start=T0 - timedelta(hours=1), end=T0)


def journal_entry(
    at: datetime, priority: int, message: str | list[int], unit: str
) -> dict[str, object]:
    micros = str(int(at.timestamp() * 1_000_000))
    return {
        "__CURSOR": f"s=abc;i={micros}",
        "__REALTIME_TIMESTAMP": micros,
        "__MONOTONIC_TIMESTAMP": "123456",
        "_BOOT_ID": "f00",
        "PRIORITY": str(priority),
        "SYSLOG_FACILITY": "3",
        "SYSLOG_IDENTIFIER": unit.split(".")[0],
        "_PID": "4242",
        "_HOSTNAME": "web-1",
        "_SYSTEMD_UNIT": unit,
        "MESSAGE": message,
    }


def test_journal_export_files_in_journalctl_json_format(tmp_path: Path) -> None:
    entries = [
        journal_entry(
            T0 - timedelta(minutes=5), 3, "checkout: upstream reset", "checkout-api.service"
        ),
        journal_entry(T0 - timedelta(minutes=4), 6, "GET /health 200", "checkout-api.service"),
        journal_entry(
            T0 - timedelta(minutes=3), 4, list(b"disk \xffnearly full"), "node-agent.service"
        ),
    ]
    (tmp_path / "web-1.json").write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    journal = Journal(
        "journal",
        JournalConfig(
            units={"checkout": "checkout-api.service"}, export_path=str(tmp_path / "*.json")
        ),
    )
    found = run(journal.search(WINDOW))
    assert [(r.service, r.level) for r in found] == [
        ("node-agent", LogLevel.WARN),
        ("checkout", LogLevel.INFO),
        ("checkout", LogLevel.ERROR),
    ]
    assert found[0].message == "disk \ufffdnearly full"
    assert found[2].labels["_HOSTNAME"] == "web-1"
    errors = run(
        journal.search(
            WINDOW.model_copy(update={"service": "checkout", "levels": (LogLevel.ERROR,)})
        )
    )
    assert [r.message for r in errors] == ["checkout: upstream reset"]


def test_journalctl_command_line_is_accepted_by_the_real_journalctl(tmp_path: Path) -> None:
    if shutil.which("journalctl") is None:
        pytest.skip("journalctl (systemd) is not installed")
    journal = Journal("journal", JournalConfig(directory=str(tmp_path)))
    query = WINDOW.model_copy(
        update={"service": "checkout", "levels": (LogLevel.ERROR, LogLevel.WARN)}
    )
    command = journal.command(query)
    assert "--unit=checkout.service" in command
    assert "--priority=0..4" in command
    assert f"--since=@{int((T0 - timedelta(hours=1)).timestamp())}" in command
    assert run(journal.search(query)) == []  # an empty journal directory: no entries, no error


def test_journalctl_failures_are_one_line(tmp_path: Path) -> None:
    if shutil.which("journalctl") is None:
        pytest.skip("journalctl (systemd) is not installed")
    journal = Journal("journal", JournalConfig(file=str(tmp_path / "missing.journal")))
    with pytest.raises(ConnectorError) as caught:
        run(journal.search(WINDOW))
    assert "journalctl failed" in str(caught.value)
    assert "\n" not in str(caught.value)
