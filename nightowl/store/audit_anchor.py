"""The audit trail's anchor: the chain's head, written outside the database it protects.

An HMAC chain shows that no record was altered, but not that the newest records still exist:
whoever deletes the last records (or the whole table) and rewinds the head leaves a chain that
verifies. So the head — sequence number and HMAC — is appended to a file (by default
``<data_dir>/audit.anchor``, JSON lines, mode 0600) and written as a log line (``audit anchor
seq=… mac=…``, for a log shipper to keep off the machine): every ``audit.anchor_every`` records,
every ``audit.anchor_seconds`` while serving, at shutdown, and when a trail is started (seq 0), so
that a missing anchor file is itself a finding. ``verify`` compares the chain with every anchor.

Appends are single ``write`` calls on an ``O_APPEND`` descriptor, so concurrent processes do not
interleave lines; a torn last line (a crash mid-write) is skipped and reported, not fatal.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nightowl.domain import Model
from nightowl.errors import InputError, StoreError

log = logging.getLogger("nightowl.audit")
_LOG_LINE = re.compile(r"seq=(\d+)\s+mac=([0-9a-f]{64})")
_SHORT = re.compile(r"(\d+):([0-9a-f]{64})")


class Anchor(Model):
    """One anchored head: the trail had ``seq`` records, the newest with HMAC ``mac``."""

    seq: int
    mac: str
    key_id: str
    at: datetime


class AnchorRead(Model):
    """What the anchor file holds: ``exists`` False when there is no file; unreadable lines."""

    exists: bool
    anchors: list[Anchor] = []
    torn: int = 0

    @property
    def newest(self) -> Anchor | None:
        return max(self.anchors, key=lambda a: a.seq, default=None)


@dataclass(frozen=True)
class AnchorFile:
    """The append-only anchor file at ``path``. Thread- and process-safe appends."""

    path: Path

    def write(self, anchor: Anchor) -> None:
        """Append ``anchor`` and log it. Raises StoreError when the file cannot be written."""
        line = anchor.model_dump_json() + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError(
                f"cannot write the audit anchor file {self.path}: {exc.strerror or exc}; "
                "make it writable or set audit.anchor_file"
            ) from None
        log.info("audit anchor seq=%d mac=%s key=%s", anchor.seq, anchor.mac, anchor.key_id)

    def read(self) -> AnchorRead:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return AnchorRead(exists=False)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise StoreError(f"cannot read the audit anchor file {self.path}: {reason}") from None
        anchors, torn = [], 0
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                anchors.append(Anchor.model_validate(json.loads(line)))
            except ValueError:
                torn += 1
        return AnchorRead(exists=True, anchors=anchors, torn=torn)


def parse_anchor(text: str) -> tuple[int, str]:
    """(seq, mac) from an ``audit anchor seq=… mac=…`` log line or ``SEQ:MAC``; InputError else."""
    found = _LOG_LINE.search(text) or _SHORT.fullmatch(text.strip())
    if found is None:
        raise InputError(
            f"{text[:80]!r} is not an anchor: give the 'audit anchor seq=N mac=…' log line "
            "or N:MAC (64 hex characters)"
        )
    return int(found.group(1)), found.group(2)
