"""Log files on disk: ``kind: files``, a path glob of plain-text or JSON-lines logs.

Each line is a JSON object (timestamp, level, message and service read from the usual keys) or
plain text starting with an ISO 8601 timestamp, with the first level word as its level. A plain line
without a timestamp continues the record before it (a stack trace). Naive timestamps are read in
``timezone``. The service is the ``service`` option, else a JSON line's own service, else the
file's name without extension. ``tail`` follows the files (and files that appear later) from their
current end, like ``tail -F``, checking every ``poll_seconds``.
"""

from __future__ import annotations

import asyncio
import glob
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from nightowl.connectors.base import ConnectorConfig, Skew, parse_options
from nightowl.connectors.logparse import matches, newest_first, parse_line
from nightowl.connectors.protocols import LogQuery
from nightowl.domain import LogRecord
from nightowl.errors import ConnectorError
from nightowl.settings import PluginConfig, Settings

FOREVER = datetime.max.replace(tzinfo=UTC)


class FilesConfig(ConnectorConfig):
    """``kind: files``."""

    path: str = Field(description="A glob: /var/log/app/*.log, /srv/**/*.jsonl.")
    service: str | None = None
    timezone: str = "UTC"
    poll_seconds: float = Field(default=1.0, gt=0)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as UTC") from None
        return value


class LogFiles:
    """Log files matched by a glob. Reads are done in a worker thread; safe to share."""

    def __init__(self, name: str, config: FilesConfig) -> None:
        self.name = name
        self.config = config
        self.zone: tzinfo = ZoneInfo(config.timezone)
        self.skew = Skew(name, config.clock_skew_seconds)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> LogFiles:
        """The connector of one ``connectors`` entry (its options validated as FilesConfig)."""
        return cls(plugin.name, parse_options(FilesConfig, plugin))

    def files(self) -> list[Path]:
        """The files the glob matches now, sorted (``**`` reaches into subdirectories)."""
        return sorted(Path(p) for p in glob.glob(self.config.path, recursive=True))

    async def check(self) -> None:
        """ConnectorError (permanent) when no file matches; otherwise read the last five minutes."""
        if not self.files():
            raise ConnectorError(
                f"no file matches {self.config.path!r}; check the path and its permissions",
                connector=self.name,
                retryable=False,
            )
        end = datetime.now(UTC)
        await self.search(LogQuery(start=end - timedelta(minutes=5), end=end, limit=1))

    async def search(self, query: LogQuery) -> list[LogRecord]:
        """Every matching file read whole (in a worker thread) and filtered: newest first, at
        most the limit.
        """
        self.skew.window(query.start, query.end)  # refuses naive or inverted ranges
        records = await asyncio.to_thread(self._read_all)
        found = [
            shifted
            for r in records
            if matches(shifted := self._shift(r), query, start=query.start, end=query.end)
        ]
        return newest_first(found, query.limit)

    async def tail(self, query: LogQuery) -> AsyncIterator[LogRecord]:
        """Lines appended from now on, polling every ``poll_seconds``; a file that appears later
        is read from its start. Never ends by itself.
        """
        offsets = {p: p.stat().st_size for p in self.files()}
        self.skew.aware(query.start)
        while True:
            for path in self.files():
                chunk, offsets[path] = await asyncio.to_thread(
                    _read_from, path, offsets.get(path, 0)
                )
                for record in self._parse(path, chunk):
                    shifted = self._shift(record)
                    if matches(shifted, query, start=query.start, end=FOREVER):
                        yield shifted
            await asyncio.sleep(self.config.poll_seconds)

    def _shift(self, record: LogRecord) -> LogRecord:
        if not self.config.clock_skew_seconds:
            return record
        return record.model_copy(update={"timestamp": self.skew.inbound(record.timestamp)})

    def _read_all(self) -> list[LogRecord]:
        out: list[LogRecord] = []
        for path in self.files():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                raise ConnectorError(
                    f"cannot read {path}: {exc.strerror}", connector=self.name, retryable=False
                ) from None
            out += self._parse(path, text)
        return out

    def _parse(self, path: Path, text: str) -> list[LogRecord]:
        service = self.config.service or path.name.split(".")[0]
        out: list[LogRecord] = []
        for line in text.splitlines():
            record = parse_line(line, service=service, zone=self.zone)
            if record is not None:
                out.append(record)
            elif out and line.strip():
                last = out[-1]
                out[-1] = last.model_copy(update={"message": f"{last.message}\n{line}"})
        return out


def _read_from(path: Path, offset: int) -> tuple[str, int]:
    """The complete lines appended since ``offset``, and the new offset (restarts if truncated)."""
    try:
        size = path.stat().st_size
    except OSError:
        return "", offset
    if size < offset:
        offset = 0
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read()
    end = data.rfind(b"\n") + 1
    return data[:end].decode("utf-8", errors="replace"), offset + end
