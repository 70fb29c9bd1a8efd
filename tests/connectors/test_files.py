"""Log files, on real files written by the tests: plain and JSON-lines logs (with naive
timestamps in a configured time zone, and stack-trace continuation lines), a live tail of appended
lines, and clear errors for bad config and missing files."""

from __future__ import annotations

import asyncio
import json
from asyncio import run
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.connectors.base import parse_options
from nightowl.connectors.files import FilesConfig, LogFiles
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
