"""Asking for more evidence: the log searches that would confirm or refute the leading hypotheses.

Each leading hypothesis names the features of its kind it has not seen yet; a ``log:`` feature
becomes a targeted search of the service's logs for the pattern's texts (a ``callers_log:`` feature,
of its callers' logs). Searches run through the log connectors within a query budget and a time
budget; what they find becomes evidence that cites the query it came from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from nightowl.analysis.taxonomy.model import Taxonomy
from nightowl.connectors.protocols import LogQuery, LogSource
from nightowl.domain import Evidence, EvidenceKind, Hypothesis, LogRecord, PatternLines
from nightowl.errors import NightowlError


@dataclass(frozen=True)
class Probe:
    """One search: ``text`` in the logs of ``service``, to settle ``feature``."""

    service: str
    feature: str
    pattern: str
    text: str


@dataclass(frozen=True)
class ProbeBudget:
    queries: int = 8
    seconds: float = 5.0
    rounds: int = 3
    leaders: int = 3


def plan_probes(
    leaders: Sequence[Hypothesis],
    taxonomy: Taxonomy,
    topology: Mapping[str, Sequence[str]],
    done: set[tuple[str, str]],
) -> list[Probe]:
    """The searches that would test the leaders' unseen log features, strongest leader first."""
    out: list[Probe] = []
    for h in leaders:
        signature = taxonomy.kind(h.kind)
        if signature is None:
            continue
        for feature in signature.features:
            kind, _, pattern = feature.partition(":")
            texts = taxonomy.probe_texts(feature)
            services = [h.service] if kind == "log" else _callers(h.service, topology)
            for service in services:
                for text in texts[:1]:
                    if (service, text) not in done:
                        done.add((service, text))
                        out.append(Probe(service, feature, pattern, text))
    return out


def _callers(service: str, topology: Mapping[str, Sequence[str]]) -> list[str]:
    return sorted(c for c, callees in topology.items() if service in callees)


async def run_probes(
    probes: Sequence[Probe],
    sources: Sequence[LogSource],
    start: datetime,
    end: datetime,
    seconds: float,
) -> tuple[list[Evidence], int]:
    """Run ``probes`` concurrently within ``seconds``; the evidence found and the queries spent."""
    calls = [(p, s) for p in probes for s in sources]

    async def one(p: Probe, s: LogSource) -> list[LogRecord]:
        query = LogQuery(service=p.service, text=p.text, start=start, end=end, limit=200)
        try:
            return await asyncio.wait_for(s.search(query), timeout=seconds)
        except (TimeoutError, NightowlError):
            return []

    results = await asyncio.gather(*[one(p, s) for p, s in calls])
    out: list[Evidence] = []
    for (probe, source), records in zip(calls, results, strict=True):
        if records:
            out.append(_evidence(probe, getattr(source, "name", "logs"), records))
    return out, len(calls)


def _evidence(probe: Probe, source: str, records: list[LogRecord]) -> Evidence:
    first = min(records, key=lambda r: r.timestamp)
    return Evidence(
        id=f"logs:{probe.service}:{probe.pattern}",
        kind=EvidenceKind.LOG_ERRORS,
        service=probe.service,
        signal=f"log:{probe.pattern}",
        summary=f"{len(records)} lines on {probe.service} match {probe.text!r} "
        f"(from {first.timestamp:%H:%M:%S}): {first.message}",
        source=source,
        query=f'service={probe.service} text="{probe.text}"',
        onset=first.timestamp,
        magnitude=float(len(records)),
        detail=PatternLines(pattern=probe.pattern, lines=len(records), probed=True),
    )
