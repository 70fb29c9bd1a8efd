"""Analyze: turn observations into evidence — signal changes, growth, deploys, error logs.

Each piece of evidence has a stable id and says which source and query it came from, so a
hypothesis can cite it and a human can check it.
"""

from __future__ import annotations

import re
from collections import Counter

from nightowl.analysis.changes import detect_change, detect_growth
from nightowl.domain import Evidence, EvidenceKind, LogLevel, Observations, SignalKind

GROWTH_SIGNALS = (SignalKind.MEMORY,)
MASK = re.compile(r"0x[0-9a-f]+|\b[0-9a-f]{8,}\b|\d+(?:\.\d+)?", re.IGNORECASE)


def analyze(obs: Observations) -> list[Evidence]:
    evidence: list[Evidence] = []
    evidence += _signal_evidence(obs)
    evidence += _deploy_evidence(obs)
    evidence += _log_evidence(obs)
    evidence += [
        Evidence(
            id=f"unavailable:{u.source}:{u.what}",
            kind=EvidenceKind.UNAVAILABLE,
            service=None,
            summary=f"{u.what} from {u.source} unavailable: {u.reason}",
            source=u.source,
            query=u.what,
        )
        for u in obs.unavailable
    ]
    return evidence


def _signal_evidence(obs: Observations) -> list[Evidence]:
    out = []
    for service, signals in sorted(obs.signals.items()):
        for name, series in sorted(signals.items()):
            source = obs.sources.get("metrics", "metrics")
            query = f'{name}{{service="{service}"}}'
            change = detect_change(series)
            if change:
                word = "rose" if change.direction > 0 else "fell"
                out.append(
                    Evidence(
                        id=f"change:{service}:{name}",
                        kind=EvidenceKind.METRIC_CHANGE,
                        service=service,
                        signal=name,
                        summary=f"{service} {name} {word} {change.ratio:.1f}x "
                        f"({_fmt(change.baseline)} → {_fmt(change.level)}) from {change.onset:%H:%M:%S}",
                        source=source,
                        query=query,
                        onset=change.onset,
                        magnitude=change.ratio,
                        data={
                            "baseline": change.baseline,
                            "level": change.level,
                            "direction": change.direction,
                        },
                    )
                )
            if name in GROWTH_SIGNALS and (growth := detect_growth(series)):
                out.append(
                    Evidence(
                        id=f"growth:{service}:{name}",
                        kind=EvidenceKind.MONOTONIC_GROWTH,
                        service=service,
                        signal=name,
                        summary=f"{service} {name} climbed steadily by {growth.growth:.0%} since "
                        f"{growth.start:%H:%M:%S} (rank correlation {growth.rho:.2f})",
                        source=source,
                        query=query,
                        onset=growth.start,
                        magnitude=1 + growth.growth,
                        data={"rho": growth.rho, "growth": growth.growth},
                    )
                )
    return out


def _deploy_evidence(obs: Observations) -> list[Evidence]:
    return [
        Evidence(
            id=f"deploy:{d.service}:{d.version}",
            kind=EvidenceKind.DEPLOY,
            service=d.service,
            summary=f"{d.service} {d.previous_version or '?'} → {d.version} deployed at {d.at:%H:%M:%S}"
            + (f" by {d.author}" if d.author else "")
            + (f": {d.summary}" if d.summary else ""),
            source=d.source,
            query=f"deploys of {d.service}",
            onset=d.at,
            data={"version": d.version, "previous_version": d.previous_version, "commit": d.commit},
        )
        for d in obs.deploys
    ]


def _log_evidence(obs: Observations) -> list[Evidence]:
    out = []
    by_service: dict[str, list[str]] = {}
    first: dict[str, object] = {}
    for record in sorted(obs.logs, key=lambda r: r.timestamp):
        if record.level in (LogLevel.ERROR, LogLevel.FATAL):
            by_service.setdefault(record.service, []).append(record.message)
            first.setdefault(record.service, record.timestamp)
    for service, messages in sorted(by_service.items()):
        templates = Counter(MASK.sub("<*>", m) for m in messages)
        top, count = templates.most_common(1)[0]
        onset = first[service]
        out.append(
            Evidence(
                id=f"logs:{service}:errors",
                kind=EvidenceKind.LOG_ERRORS,
                service=service,
                summary=f"{len(messages)} error lines on {service}; most frequent ({count}×): {top}",
                source=obs.sources.get("logs", "logs"),
                query=f"level>=ERROR service={service}",
                onset=onset if isinstance(onset, type(obs.start)) else None,
                magnitude=float(len(messages)),
                data={"lines": len(messages), "templates": len(templates), "top_template": top},
            )
        )
    return out


def _fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.0f}M"
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"
