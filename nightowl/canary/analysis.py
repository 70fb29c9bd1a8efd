"""One deploy's analysis, an interval at a time: read the samples, judge every metric, record
the measurement on the analysis and the audit trail; at the end, record the verdict.

The durable loop around it is ``workflow/canary.py``; this is what each of its steps calls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from nightowl.canary.judge import interval_verdict, judge_metric
from nightowl.canary.samples import SampleReader, Samples
from nightowl.clock import Clock
from nightowl.domain import Deploy
from nightowl.domain.canary import CanaryRun, Measurement, MetricResult, Verdict
from nightowl.errors import ConnectorError
from nightowl.settings import CanaryMetric, CanarySettings
from nightowl.store.audit import AuditLog
from nightowl.store.canary import CanaryStore

log = logging.getLogger(__name__)
ACTOR = "nightowl"


def run_id_of(deploy: Deploy) -> str:
    """The analysis's id (and its workflow's): one per service, version and deploy time."""
    return f"canary:{deploy.service}:{deploy.version}:{deploy.at:%Y%m%dT%H%M%SZ}"


class CanaryAnalysis:
    """Measures and concludes analyses. StoreError when the store fails; a metrics read that
    fails makes the interval inconclusive (never a pass, never a crash)."""

    def __init__(
        self,
        settings: CanarySettings,
        reader: SampleReader,
        runs: CanaryStore,
        audit: AuditLog,
        clock: Clock,
        wall: Clock,
    ) -> None:
        self.settings = settings
        self.reader = reader
        self.runs = runs
        self.audit = audit
        self.clock = clock
        self.wall = wall

    async def runs_get(self, run_id: str) -> CanaryRun:
        """The analysis as stored now (NotFoundError for an unknown id)."""
        return await asyncio.to_thread(self.runs.get, run_id)

    async def start(self, deploy: Deploy) -> CanaryRun:
        """Keep the analysis of ``deploy`` (once) and say so on the audit trail."""
        run = CanaryRun(id=run_id_of(deploy), deploy=deploy, started_at=self.clock.now())
        stored = await asyncio.to_thread(self.runs.start, run)
        data = {"run": run.id, "service": deploy.service, "version": deploy.version}
        await asyncio.to_thread(self._audit, "canary.started", data)
        return stored

    async def measure(self, run_id: str, index: int) -> Measurement:
        """Measure interval ``index`` now, and record it."""
        run = await asyncio.to_thread(self.runs.get, run_id)
        now = self.clock.now()
        try:
            samples = await self.reader.read(run.deploy, now)
        except ConnectorError as exc:
            log.warning("canary %s: metrics unreadable: %s", run_id, exc)
            samples = {}
            why = f"metrics unreadable: {exc}"
        else:
            why = "no data"
        results = tuple(self._judge(m, samples.get(m.name), why) for m in self.settings.metrics)
        measured = Measurement(
            index=index, at=now, verdict=interval_verdict(results), metrics=results
        )
        await asyncio.to_thread(self.runs.measured, run_id, measured)
        data = {"run": run_id, "index": index, "verdict": measured.verdict.value}
        data |= {r.metric: f"{r.verdict.value}: {r.reason}" for r in results}
        await asyncio.to_thread(self._audit, "canary.measured", data)
        return measured

    def _judge(self, metric: CanaryMetric, samples: Samples | None, why: str) -> MetricResult:
        if samples is None:
            return MetricResult(
                metric=metric.name, signal=metric.signal, verdict=Verdict.INCONCLUSIVE, reason=why
            )
        result = judge_metric(metric, samples.baseline, samples.canary, self.settings.min_samples)
        return result.model_copy(update={"comparison": samples.comparison})

    async def conclude(
        self, run_id: str, verdict: Verdict, incident_id: str | None = None
    ) -> CanaryRun:
        """Record the analysis's verdict, with a one-line summary, on the run and the trail."""
        run = await asyncio.to_thread(self.runs.get, run_id)
        summary = summarize(run, verdict)
        done = await asyncio.to_thread(self.runs.concluded, run_id, verdict, summary, incident_id)
        data = {"run": run_id, "verdict": verdict.value, "summary": summary}
        await asyncio.to_thread(self._audit, "canary.concluded", data, incident_id)
        return done

    async def opened(self, run_id: str, incident_id: str | None) -> CanaryRun:
        """Record the incident a failed analysis's page opened (or joined)."""
        run = await asyncio.to_thread(self.runs.get, run_id)
        verdict = run.verdict or Verdict.FAIL
        done = await asyncio.to_thread(
            self.runs.concluded, run_id, verdict, run.summary, incident_id
        )
        data = {"run": run_id, "incident": incident_id or "none: the page opened no incident"}
        await asyncio.to_thread(self._audit, "canary.paged", data, incident_id)
        return done

    async def page_resolved(self, run_id: str, incident_id: str, recorded_on: str | None) -> None:
        """Audit that the analysis resolved its page once its incident ended resolved."""
        data = {"run": run_id, "incident": incident_id, "recorded_on": recorded_on or "none"}
        await asyncio.to_thread(self._audit, "canary.resolved", data, incident_id)

    def _audit(self, kind: str, data: Mapping[str, object], incident_id: str | None = None) -> None:
        self.audit.append(incident_id, kind, dict(data), actor=ACTOR, at=self.wall.now())


def summarize(run: CanaryRun, verdict: Verdict) -> str:
    """What the analysis of ``run`` concluded, in one line a human reads."""
    d = run.deploy
    what = f"{d.service} {d.version}" + (
        f" (was {d.previous_version})" if d.previous_version else ""
    )
    failed = [m for m in run.measurements if m.verdict is Verdict.FAIL]
    if verdict is Verdict.FAIL and failed:
        worst = [r for r in failed[-1].metrics if r.verdict is Verdict.FAIL]
        detail = "; ".join(f"{r.metric} {r.reason}" for r in worst)
        return (
            f"canary analysis failed for {what} after {len(run.measurements)} interval(s): {detail}"
        )
    counts = ", ".join(
        f"{sum(m.verdict is v for m in run.measurements)} {v.value}" for v in Verdict
    )
    return f"canary analysis {verdict.value} for {what} ({counts})"
