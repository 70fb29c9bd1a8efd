"""Analyze, second pass: what the log miner and the anomaly detectors see in the observations.

- Logs: for every service, its error spike (with onset), its top unique error templates with counts
  and an example line, and the error templates that are new since the service's latest deploy —
  each linked to its raw lines (timestamps of the first lines).
- Metrics: every metric the streaming detector finds anomalous, with its onset, direction and
  magnitude, and the order in which the services moved (the first mover is a root-cause candidate).
"""

from __future__ import annotations

from collections.abc import Sequence

from nightowl.analysis.anomaly.evidence import metric_evidence
from nightowl.analysis.logs.evidence import deploy_diff, top_error_templates
from nightowl.analysis.logs.timeline import detect_error_spike, level_timeline
from nightowl.domain import (
    AnomalyScore,
    Evidence,
    EvidenceKind,
    LogRecord,
    Observations,
    TemplateLines,
)

TOP_TEMPLATES = 3
MAX_LINKS = 5


def log_template_evidence(obs: Observations) -> list[Evidence]:
    out: list[Evidence] = []
    source = obs.sources.get("logs", "logs")
    for service in sorted({r.service for r in obs.logs}):
        records = sorted((r for r in obs.logs if r.service == service), key=lambda r: r.timestamp)
        out += _spike(service, records, source)
        for t in top_error_templates(records, n=TOP_TEMPLATES):
            out.append(
                Evidence(
                    id=f"logtpl:{service}:{t.template_id}",
                    kind=EvidenceKind.LOG_TEMPLATE,
                    service=service,
                    summary=f"{service}: {t.count}× “{t.template}” since {t.first_seen:%H:%M:%S}",
                    source=source,
                    query=f"level>=ERROR service={service} template={t.template_id}",
                    onset=t.first_seen,
                    magnitude=float(t.count),
                    detail=TemplateLines(
                        template=t.template,
                        count=t.count,
                        example=t.example,
                        lines=_links(records, t.line_indices),
                    ),
                )
            )
        deploys = [d for d in obs.deploys if d.service == service]
        if deploys:
            latest = max(deploys, key=lambda d: d.at)
            diff = deploy_diff(records, latest.at)
            for t in diff.new[:TOP_TEMPLATES]:
                out.append(
                    Evidence(
                        id=f"lognew:{service}:{latest.version}:{t.template_id}",
                        kind=EvidenceKind.LOG_TEMPLATE,
                        service=service,
                        summary=f"{service}: new since {latest.version} ({latest.at:%H:%M}): “{t.template}” ×{t.count}",
                        source=source,
                        query=f"service={service} since={latest.at.isoformat()}",
                        onset=t.first_seen,
                        magnitude=float(t.count),
                        detail=TemplateLines(
                            template=t.template,
                            new_since=latest.version,
                            example=t.example,
                            lines=_links(records, t.line_indices),
                        ),
                    )
                )
    return out


def _spike(service: str, records: Sequence[LogRecord], source: str) -> list[Evidence]:
    spike = detect_error_spike(level_timeline(records))
    if spike is None:
        return []
    return [
        Evidence(
            id=f"logspike:{service}",
            kind=EvidenceKind.LOG_TEMPLATE,
            service=service,
            summary=f"{service}: error spike from {spike.onset:%H:%M:%S} (peak {spike.peak_errors}/bucket, baseline {spike.baseline_errors:.1f})",
            source=source,
            query=f"level>=ERROR service={service} timeline",
            onset=spike.onset,
            magnitude=float(spike.peak_errors),
            detail=TemplateLines(
                total_errors=spike.total_errors, lines=_links(records, spike.line_indices)
            ),
        )
    ]


def _links(records: Sequence[LogRecord], indices: Sequence[int]) -> str:
    """The raw lines behind an item, as their timestamps (the log source can fetch them)."""
    return ", ".join(
        records[i].timestamp.isoformat() for i in list(indices)[:MAX_LINKS] if i < len(records)
    )


def anomaly_evidence(obs: Observations) -> list[Evidence]:
    found = metric_evidence(obs.signals, history=obs.history.signals)
    order = {service: n for n, service in enumerate(found.service_order)}
    source = obs.sources.get("metrics", "metrics")
    return [
        Evidence(
            id=f"anomaly:{a.service}:{a.metric}",
            kind=EvidenceKind.ANOMALY,
            service=a.service,
            signal=a.metric,
            summary=f"{a.service} {a.metric} anomalous from {a.onset:%H:%M:%S} ({a.direction}, {a.magnitude:+.0%}); service #{order[a.service] + 1} to move",
            source=source,
            query=f'{a.metric}{{service="{a.service}"}}',
            onset=a.onset,
            magnitude=a.magnitude,
            detail=AnomalyScore(
                score=a.score,
                direction=str(a.direction),
                baseline=a.baseline,
                observed=a.observed,
                order=order[a.service],
            ),
        )
        for a in found.anomalies
    ]
