"""The samples a canary measurement compares: canary against baseline pods, or after against
before.

Canary against baseline, when a metric has a ``query`` and both versions answer it over the same
window since the deploy: the old and the new version run side by side (a canary ReplicaSet, a
blue/green pair), so time of day, load and dependencies affect both alike. Otherwise the service's
golden signal after the deploy against the same signal over ``baseline_minutes`` before it — a
weaker comparison (traffic changes with the hour), said so on every result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Deploy, Series, SignalKind
from nightowl.domain.canary import Comparison
from nightowl.errors import ConnectorError
from nightowl.settings import CanaryMetric, CanarySettings


@dataclass(frozen=True)
class Samples:
    """One metric's two samples and how they were taken; ``note`` says why one is empty."""

    comparison: Comparison
    baseline: tuple[float, ...]
    canary: tuple[float, ...]
    note: str = ""


def _values(found: Sequence[Series]) -> tuple[float, ...]:
    return tuple(v for s in found for v in s.values)


class SampleReader:
    """Reads samples through the process's metrics connectors (the first with data).
    ConnectorError when none is configured or every one fails."""

    def __init__(self, metrics: Sequence[MetricsSource], settings: CanarySettings) -> None:
        self.metrics = tuple(metrics)
        self.settings = settings

    async def read(self, deploy: Deploy, now: datetime) -> dict[str, Samples]:
        """Every configured metric's samples for ``deploy`` at ``now``, keyed by metric name."""
        if not self.metrics:
            raise ConnectorError(
                "none is configured: add a metrics connector to analyse deploys",
                connector="metrics",
                retryable=False,
            )
        start = deploy.at - timedelta(minutes=self.settings.baseline_minutes)
        signals = await self._signals(deploy.service, start, now)
        cut = deploy.at.timestamp()
        out = {}
        for metric in self.settings.metrics:
            paired = await self._canary(metric, deploy, now) if metric.query else None
            if paired is not None:
                out[metric.name] = paired
                continue
            series = signals.get(SignalKind(metric.signal))
            if series is None:
                out[metric.name] = Samples(Comparison.BEFORE_AFTER, (), (), "no data")
                continue
            points = list(zip(series.timestamps, series.values, strict=True))
            before = tuple(v for t, v in points if t < cut)
            after = tuple(v for t, v in points if t >= cut)
            out[metric.name] = Samples(Comparison.BEFORE_AFTER, before, after)
        return out

    async def _signals(
        self, service: str, start: datetime, end: datetime
    ) -> dict[SignalKind, Series]:
        """The first connector's signals that has any for ``service`` (a backend without the
        service's series answers empty, not with an error); ConnectorError when every one failed."""
        errors = []
        for source in self.metrics:
            step = self.settings.step_seconds
            try:
                found = await source.service_signals(service, start, end, step)
            except ConnectorError as exc:
                errors.append(str(exc))
                continue
            if any(s.values for s in found.values()):
                return found
        if len(errors) == len(self.metrics):
            raise ConnectorError("; ".join(errors), connector="metrics")
        return {}

    async def _canary(self, metric: CanaryMetric, deploy: Deploy, now: datetime) -> Samples | None:
        """Canary pods against baseline pods over [deploy, now], or None unless both answer."""
        if metric.query is None or deploy.previous_version is None:
            return None
        step = self.settings.step_seconds
        found = []
        for version in (deploy.previous_version, deploy.version):
            query = metric.query.replace("{{service}}", deploy.service).replace(
                "{{version}}", version
            )
            values: tuple[float, ...] = ()
            for source in self.metrics:
                try:
                    values = _values(await source.query_range(query, deploy.at, now, step))
                except ConnectorError:
                    continue
                if values:
                    break
            found.append(values)
        baseline, canary = found
        if not baseline or not canary:
            return None  # one version is gone (a full rollout): compare before with after
        return Samples(Comparison.CANARY, baseline, canary)
