"""Charts of the key metrics around an incident: chosen from the evidence, captured once, drawn as
inline SVG (no JavaScript, no external files), with deploy markers and anomaly onsets.

``key_signals`` picks the (service, signal) pairs the evidence is about, the root cause's service
first; ``capture`` reads them through the metrics connectors (each call within a timeout; a failing
backend leaves its chart out); the report stage saves the result beside the report
(``<id>.charts.json``) so the charts outlive the metrics backend's retention; ``svg`` draws one.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter

from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import ActionStatus, EvidenceKind, Incident, Model, SignalKind
from nightowl.domain.units import value as fmt
from nightowl.errors import NightowlError

MAX_CHARTS = 6
MAX_POINTS = 240
PRIORITY = ("error_rate", "latency_p99", "request_rate", "memory", "cpu")
COLOURS = {
    "deploy": "#7c3aed",
    "onset": "#dc2626",
    "action": "#2563eb",
    "opened": "#6b7280",
    "recovered": "#16a34a",
}
MarkerKind = Literal["deploy", "onset", "action", "opened", "recovered"]


class Marker(Model):
    """Something that happened on a chart's time axis: a deploy, the symptom's onset, an action,
    the incident opening, the recovery.
    """

    at: datetime
    label: str
    kind: MarkerKind


class Chart(Model):
    """One metric of one service over the incident's window, with what happened on it."""

    service: str
    signal: str
    timestamps: tuple[float, ...]
    values: tuple[float, ...]
    markers: tuple[Marker, ...] = ()

    @property
    def title(self) -> str:
        """``service signal``, as the report's chart heading."""
        return f"{self.service} {self.signal.replace('_', ' ')}"


CHARTS = TypeAdapter(list[Chart])


def key_signals(incident: Incident) -> list[tuple[str, str]]:
    """The (service, signal) pairs the evidence shows changing, root-cause service first."""
    cause = incident.diagnosis.root_cause if incident.diagnosis else None
    first = cause.service if cause else incident.service
    pairs = {
        (e.service, e.signal)
        for e in incident.evidence
        if e.kind in (EvidenceKind.METRIC_CHANGE, EvidenceKind.MONOTONIC_GROWTH)
        and e.service
        and e.signal
    }
    if not pairs and first:  # nothing changed visibly: show the service's symptoms anyway
        pairs = {(first, "error_rate"), (first, "latency_p99")}
    rank = {s: i for i, s in enumerate(PRIORITY)}
    ordered = sorted(pairs, key=lambda p: (p[0] != first, p[0], rank.get(p[1], 99), p[1]))
    return ordered[:MAX_CHARTS]


def markers(incident: Incident, service: str, signal: str) -> list[Marker]:
    """Deploys of the service, this signal's onset, actions on it, the page and the recovery."""
    out: list[Marker] = [Marker(at=incident.opened_at, label="paged", kind="opened")]
    for e in incident.evidence:
        if e.onset is None or e.service != service:
            continue
        if e.kind is EvidenceKind.DEPLOY:
            out.append(
                Marker(
                    at=e.onset,
                    label=f"deploy {e.change.version if e.change else ''}",
                    kind="deploy",
                )
            )
        elif e.signal == signal and e.kind in (
            EvidenceKind.METRIC_CHANGE,
            EvidenceKind.MONOTONIC_GROWTH,
        ):
            out.append(Marker(at=e.onset, label="onset", kind="onset"))
    for a in incident.actions:
        if a.service == service and a.status is not ActionStatus.DRY_RUN:
            out.append(Marker(at=a.started_at, label=a.kind, kind="action"))
    v = incident.verification
    if v is not None and v.recovered:
        out.append(Marker(at=v.checked_at, label="recovered", kind="recovered"))
    return sorted(out, key=lambda m: m.at)


def window(incident: Incident, now: datetime) -> tuple[datetime, datetime]:
    """From 15 minutes before the first thing that happened to the end of verification (or now)."""
    times = [incident.opened_at, *(e.onset for e in incident.evidence if e.onset)]
    start = min(times) - timedelta(minutes=15)
    v = incident.verification
    end = max(v.window_end, v.checked_at) if v is not None else now
    return start, max(end, incident.opened_at + timedelta(minutes=5))


async def capture(
    metrics: Sequence[MetricsSource],
    incident: Incident,
    now: datetime,
    step_seconds: int = 30,
    timeout_seconds: float = 10.0,
) -> list[Chart]:
    """Read the key signals through the first metrics source that has them."""
    wanted = key_signals(incident)
    if not wanted or not metrics:
        return []
    start, end = window(incident, now)
    step = max(step_seconds, int((end - start).total_seconds() / MAX_POINTS) or 1)
    found: dict[tuple[str, str], Chart] = {}
    for service in dict.fromkeys(s for s, _ in wanted):
        for source in metrics:
            try:
                signals = await asyncio.wait_for(
                    source.service_signals(service, start, end, step), timeout_seconds
                )
            except (NightowlError, TimeoutError):
                continue
            for kind, series in signals.items():
                key = (service, SignalKind(kind).value)
                if key in wanted and key not in found and series.values:
                    found[key] = Chart(
                        service=service,
                        signal=key[1],
                        timestamps=series.timestamps[-MAX_POINTS:],
                        values=series.values[-MAX_POINTS:],
                        markers=tuple(markers(incident, *key)),
                    )
    return [found[k] for k in wanted if k in found]


def chart_path(report_path: Path) -> Path:
    """Where a report's charts are kept: beside it, as ``<report>.charts.json``."""
    return report_path.with_suffix(".charts.json")


def dump(charts: Sequence[Chart]) -> str:
    """The charts as JSON text, what ``parse`` reads back."""
    return CHARTS.dump_json(list(charts)).decode()


def parse(text: str | None) -> list[Chart]:
    """The charts in ``text`` (from ``dump``); none if it is missing or unreadable."""
    try:
        return CHARTS.validate_json(text) if text else []
    except ValueError:
        return []


def save(path: Path, charts: Sequence[Chart]) -> None:
    """Write the charts as JSON (the report's directory is created when missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(CHARTS.dump_json(list(charts)))


def load(path: Path) -> list[Chart]:
    """The charts saved at ``path``; none if the file is missing or unreadable."""
    try:
        return CHARTS.validate_json(path.read_bytes())
    except (OSError, ValueError):
        return []


def svg(chart: Chart, width: int = 640, height: int = 200) -> str:
    """The chart as an inline SVG element (escaped; safe to embed in HTML)."""
    left, right, top, bottom = 64, 12, 22, 26
    ts, vs = chart.timestamps, chart.values
    if not ts:
        return ""
    t0, t1 = ts[0], max(ts[-1], ts[0] + 1)
    lo, hi = min(0.0, min(vs)), max(vs) * 1.1 or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + (t - t0) / (t1 - t0) * plot_w

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{e(chart.title)}">',
        f'<text x="{left}" y="14" class="chart-title">{e(chart.title)}</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#d1d5db"/>',
    ]
    for i in range(4):
        v = lo + (hi - lo) * i / 3
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#f3f4f6"/>'
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="tick">{e(fmt(v, chart.signal))}</text>'
        )
    for i in range(5):
        t = t0 + (t1 - t0) * i / 4
        label = datetime.fromtimestamp(t, UTC).strftime("%H:%M")
        anchor = ("start", "middle", "middle", "middle", "end")[i]
        parts.append(
            f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="{anchor}" class="tick">{label}</text>'
        )
    points = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(ts, vs, strict=False))
    parts.append(f'<polyline points="{points}" fill="none" stroke="#0f766e" stroke-width="1.6"/>')
    for n, m in enumerate(chart.markers):
        at = m.at.timestamp()
        if not t0 <= at <= t1:
            continue
        colour, mx = COLOURS[m.kind], x(at)
        near_end = mx > left + plot_w * 0.85  # label to the left of the line, inside the plot
        lx, anchor = (mx - 3, "end") if near_end else (mx + 3, "start")
        parts.append(
            f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{colour}" '
            f'stroke-dasharray="4 3" stroke-width="1.2"><title>{e(m.label)} at {m.at:%H:%M:%S} UTC</title></line>'
            f'<text x="{lx:.1f}" y="{top + 12 + (n % 3) * 12}" text-anchor="{anchor}" '
            f'class="marker" fill="{colour}">{e(m.label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
