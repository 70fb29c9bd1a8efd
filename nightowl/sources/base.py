"""What every alert source provides: a name, a parser, and how it authenticates a request."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Protocol

import orjson
from pydantic import ValidationError

from nightowl.domain import Alert, AlertGroup, AlertStatus, utc
from nightowl.errors import PayloadError


class AlertSource(Protocol):
    """Turns one raw webhook body into an AlertGroup.

    ``parse`` raises PayloadError naming the offending field; it never partially succeeds.
    It is pure: parsing the same body twice gives equal results.
    """

    name: str

    def parse(self, body: bytes, headers: Mapping[str, str]) -> AlertGroup:
        """The alert group in ``body``; PayloadError (a 4xx, the body dead-lettered) when it
        cannot be read.
        """


MAX_JSON_DEPTH = 32
"""Deepest nesting a webhook body may have: real payloads are 4 or 5 levels deep; anything deeper
is refused before a parser (or ``json.dumps`` of a label) recurses into it."""


def load_json(body: bytes, source: str) -> object:
    """The body as JSON: UTF-8, no NaN or Infinity, no lone surrogate, at most MAX_JSON_DEPTH
    levels deep. Raises PayloadError saying what was wrong."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"body is not valid UTF-8 (byte {exc.start})", source=source) from None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(
            f"body is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            source=source,
        ) from None
    if _too_deep(data, MAX_JSON_DEPTH):
        raise PayloadError(
            f"body is nested more than {MAX_JSON_DEPTH} levels deep; send the documented payload",
            source=source,
        )
    return data


_CONTAINERS = (dict, list)


def _too_deep(data: object, limit: int) -> bool:
    """Whether ``data`` nests deeper than ``limit`` (iterative: no recursion to exhaust). Each
    level keeps only the containers of the one above; the scalars, nearly every value, are
    tested once each and dropped."""
    level: list[dict[str, object] | list[object]] = [data] if isinstance(data, _CONTAINERS) else []
    for _ in range(limit):
        if not level:
            return False
        below: list[dict[str, object] | list[object]] = []
        for node in level:
            children = node.values() if isinstance(node, dict) else node
            below.extend([child for child in children if isinstance(child, _CONTAINERS)])
        level = below
    return bool(level)


LATEST = datetime(9999, 1, 1, tzinfo=UTC)


def epoch_time(value: float, field: str, source: str, *, millis: bool) -> datetime:
    """A Unix timestamp (seconds, or milliseconds with ``millis``) as a UTC datetime.

    Raises PayloadError for NaN, infinities and values outside the years 1970 to 9999, which
    ``datetime.fromtimestamp`` would answer with OverflowError, OSError or ValueError.
    """
    seconds = value / 1000 if millis else value
    if not math.isfinite(seconds) or not 0 <= seconds < LATEST.timestamp():
        raise PayloadError(
            f"not a time: {str(value)[:40]!r} is not a Unix timestamp between 1970 and 9999",
            source=source,
            field=field,
        )
    return datetime.fromtimestamp(seconds, UTC)


def checked_time(value: datetime, field: str, source: str) -> datetime:
    """``value`` in UTC; PayloadError when it cannot be (a year-1 time with a positive offset)."""
    try:
        return utc(value)
    except OverflowError:
        raise PayloadError(
            f"not a time: {value.isoformat()[:40]!r} is out of range", source=source, field=field
        ) from None


def raise_validation(exc: ValidationError, source: str) -> PayloadError:
    """Translate pydantic's error into a PayloadError naming the first bad field."""
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"])
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) else f" (got {json.dumps(got, default=str)[:80]})"
    more = f"; {len(exc.errors()) - 1} more problem(s)" if len(exc.errors()) > 1 else ""
    return PayloadError(f"{err['msg']}{shown}{more}", source=source, field=field or None)


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """A stable fingerprint of a label set (used when a source does not send one)."""
    return hashlib.sha256(orjson.dumps(sorted(labels.items()))).hexdigest()[:16]


def content_hash(*parts: object) -> str:
    """A stable hash of ``parts`` (dict keys sorted, times as text): equal content, equal hash,
    so a redelivered notification is recognised as a duplicate.
    """
    canon = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(canon).hexdigest()[:32]


def make_alert(
    *,
    source: str,
    status: AlertStatus,
    name: str,
    labels: dict[str, str],
    annotations: dict[str, str],
    starts_at: datetime,
    ends_at: datetime | None = None,
    generator_url: str | None = None,
    fingerprint: str | None = None,
    times_in_hash: bool = True,
) -> Alert:
    """Build a normalised alert: ``alertname`` is always a label; the fingerprint falls back to the labels.

    ``times_in_hash=False`` is for senders that give no start time (nightowl stamps the arrival),
    so that a redelivery still hashes the same.
    """
    labels = {"alertname": name, **labels}
    fp = fingerprint or label_fingerprint(labels)
    starts = checked_time(starts_at, "startsAt", source)
    ends = checked_time(ends_at, "endsAt", source) if ends_at else None
    times = (starts, ends) if times_in_hash else ()
    return Alert(
        source=source,
        fingerprint=fp,
        content_hash=content_hash(fp, status, *times, labels, annotations),
        status=status,
        name=name,
        labels=labels,
        annotations=annotations,
        starts_at=starts,
        ends_at=ends,
        generator_url=generator_url,
    )


def group_of(source: str, group_key: str, alerts: list[Alert], **extra: object) -> AlertGroup:
    """An AlertGroup whose status is firing while any alert fires."""
    firing = any(a.status is AlertStatus.FIRING for a in alerts)
    return AlertGroup(
        source=source,
        group_key=group_key,
        status=AlertStatus.FIRING if firing else AlertStatus.RESOLVED,
        alerts=tuple(alerts),
        **extra,
    )


def str_labels(data: Mapping[str, object]) -> dict[str, str]:
    """Labels as strings (sources send numbers and booleans too); nulls are dropped."""
    return {
        str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items() if v is not None
    }
