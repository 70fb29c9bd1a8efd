"""Analyze: turn observations into evidence — signal changes, growth, deploys, error logs.

Each piece of evidence has a stable id and says which source and query it came from, so a
hypothesis can cite it and a human can check it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from nightowl.analysis.attribution import HostIndex
from nightowl.analysis.changes import detect_change, detect_growth
from nightowl.analysis.enrich import anomaly_evidence, log_template_evidence
from nightowl.analysis.taxonomy import Taxonomy, builtin_taxonomy
from nightowl.domain import (
    Change,
    ClusterWarning,
    Deploy,
    ErrorLines,
    Evidence,
    EvidenceKind,
    Growth,
    LogLevel,
    Observations,
    PatternLines,
    PodTrouble,
    Shift,
    SignalKind,
)
from nightowl.domain.units import value as in_unit

GROWTH_SIGNALS = (SignalKind.MEMORY,)
NOT_ABOUT_THE_HOST = frozenset({"dns_failure"})
"""Patterns whose lines name a host that is not at fault: a name that does not resolve points at
the resolver, not at the service it names."""
MASK = re.compile(r"0x[0-9a-f]+|\b[0-9a-f]{8,}\b|\d+(?:\.\d+)?", re.IGNORECASE)


def analyze(obs: Observations, taxonomy: Taxonomy | None = None) -> list[Evidence]:
    """Every piece of evidence in ``obs``; ``taxonomy`` names the log patterns worth citing."""
    evidence: list[Evidence] = []
    evidence += _signal_evidence(obs)
    evidence += _deploy_evidence(obs)
    evidence += _log_evidence(obs)
    evidence += _pattern_evidence(obs, taxonomy or builtin_taxonomy())
    evidence += _pod_evidence(obs)
    evidence += _event_evidence(obs)
    evidence += log_template_evidence(obs)
    evidence += anomaly_evidence(obs)
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
            past = obs.history.signals.get(service, {}).get(name)
            change = detect_change(series, history=past)
            if change:
                word = "rose" if change.direction > 0 else "fell"
                out.append(
                    Evidence(
                        id=f"change:{service}:{name}",
                        kind=EvidenceKind.METRIC_CHANGE,
                        service=service,
                        signal=name,
                        summary=f"{service} {name} {word} {change.ratio:.1f}x "
                        f"({in_unit(change.baseline, name)} → {in_unit(change.level, name)}) "
                        f"from {change.onset:%H:%M:%S}",
                        source=source,
                        query=query,
                        onset=change.onset,
                        magnitude=change.ratio,
                        detail=Shift(
                            baseline=change.baseline,
                            level=change.level,
                            direction=1 if change.direction > 0 else -1,
                        ),
                    )
                )
            if name in GROWTH_SIGNALS and (growth := detect_growth(series, history=past)):
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
                        detail=Growth(rho=growth.rho, growth=growth.growth),
                    )
                )
    return out


def _deploy_evidence(obs: Observations) -> list[Evidence]:
    return [
        Evidence(
            id=evidence_id,
            kind=EvidenceKind.DEPLOY,
            service=d.service,
            summary=f"{d.service} {d.previous_version or '?'} → {d.version} deployed at {d.at:%H:%M:%S}"
            + (f" by {d.author}" if d.author else "")
            + (f": {d.summary}" if d.summary else ""),
            source=d.source,
            query=f"deploys of {d.service}",
            onset=d.at,
            detail=Change(version=d.version, previous_version=d.previous_version, commit=d.commit),
        )
        for evidence_id, d in deploy_ids(obs.deploys)
    ]


def deploy_ids(deploys: Iterable[Deploy]) -> list[tuple[str, Deploy]]:
    """Every distinct deploy with an id unique among them, oldest first.

    A team deploys the same version again after a rollback (the fix did not hold, or the rollback
    was a precaution): the id is ``deploy:<service>:<version>`` for the latest deploy of that
    version, and the earlier ones carry their time (``…@20261204T025121Z``). The same deploy
    reported twice (by two sources, or pushed twice) is kept once.
    """
    distinct = {(d.service, d.version, d.at): d for d in sorted(deploys, key=lambda d: d.at)}
    latest: dict[tuple[str, str], datetime] = {}
    for service, version, at in distinct:
        latest[service, version] = max(at, latest.get((service, version), at))
    out, taken = [], set()
    for (service, version, at), deploy in distinct.items():
        base = f"deploy:{service}:{version}"
        evidence_id = base if at == latest[service, version] else f"{base}@{at:%Y%m%dT%H%M%SZ}"
        repeat = 1
        while evidence_id in taken:  # two deploys of one version within one second
            repeat += 1
            evidence_id = f"{base}@{at:%Y%m%dT%H%M%SZ}#{repeat}"
        taken.add(evidence_id)
        out.append((evidence_id, deploy))
    return out


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
                detail=ErrorLines(lines=len(messages), templates=len(templates), top_template=top),
            )
        )
    return out


def _pattern_evidence(obs: Observations, taxonomy: Taxonomy) -> list[Evidence]:
    """One piece per service, taxonomy log pattern its error or warning lines match, and the
    service those lines name by host (``Observations.endpoints``; see ``attribution``)."""
    hosts = HostIndex(obs.endpoints)
    found: dict[tuple[str, str, str], list[tuple[datetime, str]]] = {}
    for record in sorted(obs.logs, key=lambda r: r.timestamp):
        if record.level not in (LogLevel.ERROR, LogLevel.FATAL, LogLevel.WARN):
            continue
        text = record.message.lower()
        for pattern, needles in taxonomy.log_patterns.items():
            if any(n in text for n in needles):
                named = hosts and pattern not in NOT_ABOUT_THE_HOST
                about = (hosts.about(record.message, record.service) if named else None) or ""
                found.setdefault((record.service, pattern, about), []).append(
                    (record.timestamp, record.message)
                )
    return [
        _pattern(obs, service, pattern, about or None, lines)
        for (service, pattern, about), lines in sorted(found.items())
    ]


def _pattern(
    obs: Observations,
    service: str,
    pattern: str,
    about: str | None,
    lines: list[tuple[datetime, str]],
) -> Evidence:
    at, example = lines[0]
    named = f" naming {about}" if about else ""
    return Evidence(
        id=f"logs:{service}:{pattern}" + (f":{about}" if about else ""),
        kind=EvidenceKind.LOG_ERRORS,
        service=service,
        signal=f"log:{pattern}",
        summary=f"{len(lines)} lines on {service}{named} read like {pattern.replace('_', ' ')}, "
        f"first at {at:%H:%M:%S}: {example}",
        source=obs.sources.get("logs", "logs"),
        query=f"level>=WARN service={service} ({pattern})",
        onset=at,
        magnitude=float(len(lines)),
        detail=PatternLines(pattern=pattern, lines=len(lines), example=example, about=about),
    )


def _pod_evidence(obs: Observations) -> list[Evidence]:
    """Restarts, OOM kills and crash loops of each service's pods (cluster state at the page)."""
    out = []
    source = obs.sources.get("cluster", "cluster")
    for service in sorted({p.service for p in obs.pods if p.service}):
        pods = [p for p in obs.pods if p.service == service]
        restarts = sum(p.restarts for p in pods)
        ooms = sum(p.oom_kills for p in pods)
        waiting = sorted({c.reason for p in pods for c in p.containers if c.reason})
        facts = [
            ("pod_restarts", restarts, f"{service} pods restarted {restarts} times"),
            ("oom_kills", ooms, f"{ooms} {service} containers were OOM-killed"),
            (
                "crash_loop",
                int("CrashLoopBackOff" in waiting),
                f"{service} pods wait in {', '.join(waiting)}",
            ),
        ]
        for signal, value, summary in facts:
            if value:
                out.append(
                    Evidence(
                        id=f"pods:{service}:{signal}",
                        kind=EvidenceKind.METRIC_CHANGE,
                        service=service,
                        signal=signal,
                        summary=summary,
                        source=source,
                        query=f"pods of {service}",
                        magnitude=float(value),
                        detail=PodTrouble(pods=len(pods)),
                    )
                )
    return out


def _event_evidence(obs: Observations) -> list[Evidence]:
    """Warning events (BackOff, evictions, ...) and configuration changes, from the cluster."""
    out = []
    source = obs.sources.get("cluster", "cluster")
    for e in sorted(obs.events, key=lambda e: e.at):
        if e.reason == "ConfigChanged" and e.service:
            out.append(
                Evidence(
                    id=f"config:{e.service}:{e.at:%H%M%S}",
                    kind=EvidenceKind.DEPLOY,
                    service=e.service,
                    summary=f"{e.service} configuration changed at {e.at:%H:%M:%S}: {e.message}",
                    source=source,
                    query=f"events of {e.service}",
                    onset=e.at,
                    detail=Change(version=f"config@{e.at:%H%M%S}", config=True),
                )
            )
        elif e.type == "Warning" and e.service:
            out.append(
                Evidence(
                    id=f"event:{e.service}:{e.reason}",
                    kind=EvidenceKind.LOG_ERRORS,
                    service=e.service,
                    signal=f"event:{e.reason}",
                    summary=f"{e.reason} on {e.object} at {e.at:%H:%M:%S}: {e.message}",
                    source=source,
                    query=f"events of {e.service}",
                    onset=e.at,
                    detail=ClusterWarning(reason=e.reason, count=e.count),
                )
            )
    return list({e.id: e for e in out}.values())
