"""The systemd journal: ``kind: journald``, through ``journalctl -o json``.

Runs ``journalctl -o json --since @<start> --until @<end> --reverse`` (plus ``-u`` for a service's
unit, ``-p`` for levels, ``--directory``/``--file`` for a journal copied from another host) and
reads its JSON lines: ``__REALTIME_TIMESTAMP`` (microseconds), ``PRIORITY`` (syslog 0-7),
``MESSAGE``, ``_SYSTEMD_UNIT`` and ``SYSLOG_IDENTIFIER``. With ``export_path`` it reads files that
already hold such JSON lines (the output of ``journalctl -o json``, e.g. shipped from other hosts)
instead of running journalctl. A service maps to a unit through ``units`` (default
``<service>.service``); an entry's service is the unit (without ``.service``) or the identifier.
"""

from __future__ import annotations

import asyncio
import glob
import json
import math
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field

from nightowl.connectors.base import ConnectorConfig, Skew, parse_options
from nightowl.connectors.logparse import level_in_text, level_of, matches, newest_first
from nightowl.connectors.protocols import LogQuery
from nightowl.connectors.tailing import poll_tail
from nightowl.domain import LogLevel, LogRecord
from nightowl.errors import ConnectorError
from nightowl.settings import PluginConfig, Settings

PRIORITY = {
    LogLevel.FATAL: 2,
    LogLevel.ERROR: 3,
    LogLevel.WARN: 4,
    LogLevel.INFO: 6,
    LogLevel.DEBUG: 7,
}


class JournalConfig(ConnectorConfig):
    """``kind: journald``."""

    units: dict[str, str] = Field(default={}, description="service -> systemd unit")
    journalctl: str = "journalctl"
    directory: str | None = None
    file: str | None = None
    export_path: str | None = Field(
        default=None, description="Glob of `journalctl -o json` output files to read instead."
    )
    timeout_seconds: float = Field(default=30.0, gt=0)
    poll_seconds: float = Field(default=2.0, gt=0)


class Journal:
    """The systemd journal of this host (or copied journal files). Safe to share."""

    def __init__(self, name: str, config: JournalConfig) -> None:
        self.name = name
        self.config = config
        self.skew = Skew(name, config.clock_skew_seconds)
        self.services = {unit: service for service, unit in config.units.items()}

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> Journal:
        """The connector of one ``connectors`` entry (its options validated as JournalConfig)."""
        return cls(plugin.name, parse_options(JournalConfig, plugin))

    def command(self, query: LogQuery) -> list[str]:
        """The journalctl command line for ``query`` (text is filtered afterwards)."""
        start, end = self.skew.window(query.start, query.end)
        cmd = [
            self.config.journalctl, "-o", "json", "--no-pager", "--reverse",
            f"--since=@{math.floor(start.timestamp())}",
            f"--until=@{math.ceil(end.timestamp())}",
        ]  # fmt: skip
        if self.config.directory:
            cmd.append(f"--directory={self.config.directory}")
        if self.config.file:
            cmd.append(f"--file={self.config.file}")
        if query.service is not None:
            cmd.append(f"--unit={self.config.units.get(query.service, query.service + '.service')}")
        if query.levels:
            cmd.append(f"--priority=0..{max(PRIORITY[level] for level in query.levels)}")
        if not query.text:
            cmd.append(f"--lines={query.limit}")
        return cmd

    async def check(self) -> None:
        """Search the last five minutes: proves journalctl (or the export files) can be read."""
        end = datetime.now(UTC)
        await self.search(LogQuery(start=end - timedelta(minutes=5), end=end, limit=1))

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """Run journalctl for the query (or read the export files) and filter: newest first, at
        most the limit.
        """
        if self.config.export_path is not None:
            self.skew.window(query.start, query.end)
            text = await asyncio.to_thread(self._read_exports)
        else:
            text = await self._run(self.command(query))
        records = [r for line in text.splitlines() if (r := self.record(line)) is not None]
        found = [r for r in records if matches(r, query, start=query.start, end=query.end)]
        return newest_first(found, query.limit)

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Entries as they come, by polling ``search`` every ``poll_seconds``."""
        async for record in poll_tail(self.search, query, interval=self.config.poll_seconds):
            yield record

    def record(self, line: str) -> LogRecord | None:
        """One ``journalctl -o json`` line as a LogRecord (None when it is not an entry)."""
        try:
            entry: Any = json.loads(line)
        except ValueError:
            return None
        if not isinstance(entry, dict) or "__REALTIME_TIMESTAMP" not in entry:
            return None
        at = datetime.fromtimestamp(int(entry["__REALTIME_TIMESTAMP"]) / 1e6, UTC)
        message = _text(entry.get("MESSAGE"))
        unit = _text(entry.get("_SYSTEMD_UNIT") or entry.get("UNIT"))
        ident = _text(entry.get("SYSLOG_IDENTIFIER"))
        service = self.services.get(unit) or unit.removesuffix(".service") or ident or "unknown"
        labels = {
            k: _text(entry[k]) for k in ("_HOSTNAME", "_PID", "SYSLOG_IDENTIFIER") if k in entry
        }
        return LogRecord(
            timestamp=self.skew.inbound(at),
            service=service,
            level=level_of(entry.get("PRIORITY")) or level_in_text(message),
            message=message,
            labels=labels,
        )

    def _read_exports(self) -> str:
        paths = sorted(glob.glob(self.config.export_path or "", recursive=True))
        if not paths:
            raise ConnectorError(
                f"no file matches export_path {self.config.export_path!r}",
                connector=self.name,
                retryable=False,
            )
        return "\n".join(Path(p).read_text(encoding="utf-8", errors="replace") for p in paths)

    async def _run(self, cmd: list[str]) -> str:
        if shutil.which(cmd[0]) is None:
            raise ConnectorError(
                f"{cmd[0]!r} not found: install systemd's journalctl, or set export_path",
                connector=self.name,
                retryable=False,
            )
        process = await asyncio.create_subprocess_exec(
            *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), self.config.timeout_seconds)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise ConnectorError(
                f"journalctl gave no answer within {self.config.timeout_seconds:g}s",
                connector=self.name,
            ) from None
        if process.returncode != 0:
            reason = err.decode(errors="replace").strip().splitlines()
            raise ConnectorError(
                f"journalctl failed (exit {process.returncode}): "
                f"{reason[0] if reason else 'no message'}",
                connector=self.name,
                retryable=False,
            )
        return out.decode("utf-8", errors="replace")


def _text(value: Any) -> str:
    """journald fields are strings, or arrays of bytes when not valid UTF-8."""
    if isinstance(value, list):
        return bytes(int(b) for b in value).decode("utf-8", errors="replace")
    return "" if value is None else str(value)
