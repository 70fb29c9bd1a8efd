"""Log files and the systemd journal, on real files written by the tests: plain and JSON-lines logs
(with naive timestamps in a configured time zone, and stack-trace continuation lines), a live tail
of appended lines, journalctl's ``-o json`` export format, and the real ``journalctl`` binary."""

from __future__ import annotations

import asyncio
import json
import shutil
from asyncio import run
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.connectors.base import parse_options
from nightowl.connectors.files import FilesConfig, LogFiles
from nightowl.connectors.journal import Journal, JournalConfig
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogLevel
from nightowl.errors import ConfigError, ConnectorError
from nightowl.settings import PluginConfig

T0 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
WINDOW = LogQuery(start=T0 - timedelta(hours=1), end=T0)


def files(path: Path, **options: object) -> LogFiles:
    return LogFiles("files", FilesConfig.model_validate({"path": str(path), **options}))


def test_plain_lines_in_a_local_time_zone_with_continuations(tmp_path: Path) -> None:
    (tmp_path / "checkout.log").write_text(
        "2026-11-20 03:30:00,120 INFO started\n"            # Paris: 02:30 UTC
        "2026-11-20 03:50:00 ERROR payment failed\n"        # 02:50 UTC
        "Traceback (most recent call last):\n"
        '  File "pay.py", line 3\n'
        "2026-11-20T04:10:00+01:00 WARN too late\n"         # 03:10 UTC: after the window
    )  # fmt: skip
    found = run(files(tmp_path / "*.log", timezone="Europe/Paris").search(WINDOW))
    assert [(r.timestamp, r.level, r.service) for r in found] == [
        (T0 - timedelta(minutes=10), LogLevel.ERROR, "checkout"),
        (T0 - timedelta(minutes=30, milliseconds=-120), LogLevel.INFO, "checkout"),
    ]
    assert found[0].message.endswith('File "pay.py", line 3')


def test_json_lines_with_their_own_service_and_filters(tmp_path: Path) -> None:
    lines = [
        {"ts": "2026-11-20T02:40:00Z", "level": "warning", "msg": "slow db", "service": "payments"},
        {"time": 1795143000.5, "severity": "ERROR", "message": "db timeout", "service": "payments"},
        {
            "@timestamp": "2026-11-20T02:59:00Z",
            "level": "info",
            "message": "ok",
            "service": "checkout",
        },
    ]
    (tmp_path / "app.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    query = WINDOW.model_copy(
        update={"service": "payments", "levels": (LogLevel.ERROR, LogLevel.WARN), "text": "DB"}
    )
    found = run(files(tmp_path / "app.jsonl").search(query))
    assert [r.message for r in found] == ["db timeout", "slow db"]
    assert found[0].timestamp == datetime.fromtimestamp(1795143000.5, UTC)


def test_tail_follows_appended_lines(tmp_path: Path) -> None:
    log = tmp_path / "svc.log"
    log.write_text("2026-11-20T02:00:00Z INFO old line\n")

    async def scenario() -> list[str]:
        seen: list[str] = []

        async def follow() -> None:
            async for record in files(tmp_path / "*.log", poll_seconds=0.02).tail(WINDOW):
                seen.append(record.message)
                if len(seen) == 2:
                    return

        task = asyncio.create_task(follow())
        await asyncio.sleep(0.1)
        with log.open("a") as out:
            out.write("2026-11-20T02:01:00Z ERROR new one\n2026-11-20T02:02:00Z WARN new two\n")
        await asyncio.wait_for(task, 5)
        return seen

    assert run(scenario()) == ["ERROR new one", "WARN new two"]


def test_bad_config_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"connectors\.app-logs\.timezone: .*unknown time zone"):
        parse_options(
            FilesConfig,
            PluginConfig(name="app-logs", kind="files", path="/x", timezone="Mars/Base"),
        )


def test_check_fails_clearly_when_no_file_matches(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="no file matches"):
        run(files(tmp_path / "*.log").check())


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
