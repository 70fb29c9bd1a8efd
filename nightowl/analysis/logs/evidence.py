"""Template-level log evidence for an incident: top errors, new templates, deploy differences.

Every function is pure: it takes the records (and optionally the result of
:func:`~nightowl.analysis.logs.mined.mine_records`, to mine only once) and returns frozen models.
Each item points back at its raw lines through ``line_indices`` (indices into ``records``,
capped at ``max_refs``; ``count`` is always the full count).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from nightowl.analysis.logs.mined import MinedRecords, mine_records
from nightowl.analysis.logs.state import MinerState
from nightowl.analysis.logs.timeline import ERROR_LEVELS
from nightowl.domain.base import Model, utc
from nightowl.domain.signals import LogLevel, LogRecord

MAX_REFS = 50


class TemplateEvidence(Model):
    """One template (per service) with how often and when it occurred, and an example line."""

    service: str
    template_id: int
    template: str
    count: int
    first_seen: datetime
    last_seen: datetime
    example: str
    line_indices: tuple[int, ...]


class TemplateShift(Model):
    """A template whose rate changed across a deploy (rates are per hour of each window)."""

    service: str
    template_id: int
    template: str
    before: int
    after: int
    before_per_hour: float
    after_per_hour: float
    example: str
    line_indices: tuple[int, ...]


class DeployDiff(Model):
    """Template-level difference between the window before a deploy and the window after."""

    deploy_at: datetime
    window: timedelta
    new: tuple[TemplateEvidence, ...]
    gone: tuple[TemplateEvidence, ...]
    increased: tuple[TemplateShift, ...]
    decreased: tuple[TemplateShift, ...]


_Key = tuple[str, int]


def _group(
    records: Sequence[LogRecord], mined: MinedRecords, picked: Collection[int] | None = None
) -> dict[_Key, list[int]]:
    groups: dict[_Key, list[int]] = {}
    indices = range(len(records)) if picked is None else picked
    for i in indices:
        groups.setdefault((records[i].service, mined.template_ids[i]), []).append(i)
    return groups


def _evidence(
    records: Sequence[LogRecord], mined: MinedRecords, key: _Key, lines: list[int], max_refs: int
) -> TemplateEvidence:
    stamps = [utc(records[i].timestamp) for i in lines]
    return TemplateEvidence(
        service=key[0],
        template_id=key[1],
        template=mined.templates[lines[0]],
        count=len(lines),
        first_seen=min(stamps),
        last_seen=max(stamps),
        example=records[lines[0]].message,
        line_indices=tuple(lines[:max_refs]),
    )


def _by_count(item: TemplateEvidence) -> tuple[int, datetime]:
    return (-item.count, item.first_seen)


def top_error_templates(
    records: Sequence[LogRecord],
    *,
    n: int = 10,
    levels: Collection[LogLevel] = ERROR_LEVELS,
    mined: MinedRecords | None = None,
    max_refs: int = MAX_REFS,
) -> tuple[TemplateEvidence, ...]:
    """The ``n`` most frequent templates among records at ``levels`` (errors by default)."""
    mined = mined or mine_records(records)
    picked = [i for i, r in enumerate(records) if r.level in levels]
    groups = _group(records, mined, picked)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))[:n]
    return tuple(_evidence(records, mined, key, lines, max_refs) for key, lines in ranked)


def new_templates_since(
    records: Sequence[LogRecord],
    since: datetime,
    *,
    known: Mapping[str, MinerState] | None = None,
    levels: Collection[LogLevel] | None = None,
    max_refs: int = MAX_REFS,
) -> tuple[TemplateEvidence, ...]:
    """Templates first seen at or after ``since`` (e.g. a deploy), most frequent first.

    A template is not new if it occurs before ``since`` in ``records`` or if ``known`` (the
    persisted miner states) saw it before ``since``. ``levels`` restricts the lines considered.
    """
    since = utc(since)
    mined = mine_records(records, known)
    seen_before = {
        (service, t.id)
        for service, state in (known or {}).items()
        for t in state.templates
        if t.first_seen is not None and utc(t.first_seen) < since
    }
    groups = _group(records, mined)
    out = []
    for key, lines in groups.items():
        if key in seen_before or any(utc(records[i].timestamp) < since for i in lines):
            continue
        if levels is not None:
            lines = [i for i in lines if records[i].level in levels]
            if not lines:
                continue
        out.append(_evidence(records, mined, key, lines, max_refs))
    return tuple(sorted(out, key=_by_count))


def new_templates_in_last(
    records: Sequence[LogRecord],
    hours: float,
    *,
    now: datetime | None = None,
    known: Mapping[str, MinerState] | None = None,
    levels: Collection[LogLevel] | None = None,
) -> tuple[TemplateEvidence, ...]:
    """Templates new in the last ``hours`` before ``now`` (default: the latest record)."""
    if not records:
        return ()
    end = utc(now) if now else max(utc(r.timestamp) for r in records)
    since = end - timedelta(hours=hours)
    return new_templates_since(records, since, known=known, levels=levels)


def deploy_diff(
    records: Sequence[LogRecord],
    deploy_at: datetime,
    *,
    window: timedelta = timedelta(hours=1),
    min_ratio: float = 2.0,
    max_refs: int = MAX_REFS,
) -> DeployDiff:
    """Compare templates in ``[deploy - window, deploy)`` with ``[deploy, deploy + window)``.

    ``new``: only after; ``gone``: only before; ``increased``/``decreased``: in both, with the
    count changed by a factor of at least ``min_ratio`` (both windows have the same length).
    """
    at = utc(deploy_at)
    before = [i for i, r in enumerate(records) if at - window <= utc(r.timestamp) < at]
    after = [i for i, r in enumerate(records) if at <= utc(r.timestamp) < at + window]
    mined = mine_records(records)
    groups_before = _group(records, mined, before)
    groups_after = _group(records, mined, after)
    hours = window.total_seconds() / 3600
    new = [
        _evidence(records, mined, k, v, max_refs)
        for k, v in groups_after.items()
        if k not in groups_before
    ]
    gone = [
        _evidence(records, mined, k, v, max_refs)
        for k, v in groups_before.items()
        if k not in groups_after
    ]
    up: list[TemplateShift] = []
    down: list[TemplateShift] = []
    for key in groups_before.keys() & groups_after.keys():
        b, a = groups_before[key], groups_after[key]
        ratio = len(a) / len(b)
        if ratio < min_ratio and ratio > 1 / min_ratio:
            continue
        lines = a if ratio > 1 else b
        shift = TemplateShift(
            service=key[0],
            template_id=key[1],
            template=mined.templates[lines[0]],
            before=len(b),
            after=len(a),
            before_per_hour=len(b) / hours,
            after_per_hour=len(a) / hours,
            example=records[lines[0]].message,
            line_indices=tuple(lines[:max_refs]),
        )
        (up if ratio > 1 else down).append(shift)
    return DeployDiff(
        deploy_at=at,
        window=window,
        new=tuple(sorted(new, key=_by_count)),
        gone=tuple(sorted(gone, key=_by_count)),
        increased=tuple(sorted(up, key=lambda s: -(s.after - s.before))),
        decreased=tuple(sorted(down, key=lambda s: s.after - s.before)),
    )
