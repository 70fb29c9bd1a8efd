"""How early canary analysis flags a bad deploy, and how often it flags a good one.

Every deploy of every scenario is analysed as nightowl would after it is pushed: the replay's
metrics from the deploy on, one measurement per ``canary.interval_seconds`` on the scenario's
clock (the durable workflow's loop, without the engine: its sleeps skip ahead under a scenario
clock anyway, and ``tests/workflow/test_canary.py`` runs the real workflow end to end). A deploy
is *bad* when rolling it back is the scenario's remedy (its truth: the remediation is
``rollback`` on the deploy's service); every other deploy — red herrings, deploys before a
traffic spike or a dependency's failure — is *good*. Nothing known only after the outcome feeds
the analysis: it reads the metrics up to each measurement's time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from nightowl.app import Nightowl
from nightowl.canary.analysis import CanaryAnalysis
from nightowl.canary.judge import phase
from nightowl.canary.samples import SampleReader
from nightowl.clock import ScenarioClock
from nightowl.domain import Deploy
from nightowl.domain.base import Model
from nightowl.domain.canary import Verdict
from nightowl.settings import Settings
from nightowl_lab.sim.scenario import Scenario, load_scenario


class DeployCase(Model):
    """One analysed deploy: what the analysis said, when, and when the page came."""

    scenario: str
    service: str
    version: str
    bad: bool
    verdict: Verdict
    seconds_to_verdict: float
    """Scenario seconds from the deploy to the measurement that settled the verdict."""
    seconds_to_alert: float | None
    """Scenario seconds from the deploy to the first alert after it (None: no alert followed)."""
    wall_seconds: float
    summary: str


class CanaryResult(Model):
    """Every case, and the figures over them."""

    cases: tuple[DeployCase, ...]

    def _bad(self) -> list[DeployCase]:
        return [c for c in self.cases if c.bad]

    @property
    def detected(self) -> float | None:
        """Share of bad deploys whose analysis failed."""
        bad = self._bad()
        return sum(c.verdict is Verdict.FAIL for c in bad) / len(bad) if bad else None

    @property
    def false_alarms(self) -> float | None:
        """Share of good deploys whose analysis failed."""
        good = [c for c in self.cases if not c.bad]
        return sum(c.verdict is Verdict.FAIL for c in good) / len(good) if good else None

    @property
    def before_alert(self) -> float | None:
        """Share of detected bad deploys flagged before the first alert after them."""
        caught = [c for c in self._bad() if c.verdict is Verdict.FAIL]
        early = [
            c
            for c in caught
            if c.seconds_to_alert is None or c.seconds_to_verdict < c.seconds_to_alert
        ]
        return len(early) / len(caught) if caught else None


def is_bad(scenario: Scenario, deploy: Deploy) -> bool:
    """The deploy whose rollback is the scenario's remedy."""
    truth = scenario.truth
    return bool(truth and truth.remediation == "rollback" and truth.service == deploy.service)


def _first_alert_after(scenario: Scenario, at: datetime) -> float | None:
    later = [a.at for a in scenario.alerts if a.at >= at]
    return (min(later) - at).total_seconds() if later else None


async def analyse(app: Nightowl, deploy: Deploy) -> tuple[Verdict, float, str]:
    """Analyse ``deploy`` on the scenario's clock from its time on: verdict, seconds, summary."""
    settings = app.settings.canary
    clock = ScenarioClock(deploy.at)
    reader = SampleReader(app.reads.metrics, settings)
    analysis = CanaryAnalysis(settings, reader, app.canary.analysis.runs, app.audit, clock, clock)
    run = await analysis.start(deploy)
    verdicts: list[Verdict] = []
    verdict: Verdict | None = None
    while verdict is None:
        await clock.sleep(settings.interval_seconds)
        verdicts.append((await analysis.measure(run.id, len(verdicts))).verdict)
        verdict = phase(verdicts, settings)
    done = await analysis.conclude(run.id, verdict)
    settled = done.measurements[-1].at
    return verdict, (settled - deploy.at).total_seconds(), done.summary


async def run_benchmark(
    paths: Sequence[Path],
    settings_for: Callable[[Path], Settings],
    progress: Callable[[str], None] = lambda _: None,
) -> CanaryResult:
    """Analyse every deploy of every scenario in ``paths``."""
    cases = []
    for path in paths:
        scenario = load_scenario(path)
        app = Nightowl(settings_for(path))
        try:
            replay = app.reads.deploys[0]  # the scenario's own deploys (settings come first)
            for deploy in await replay.deploys(None, scenario.start, scenario.end):
                began = time.perf_counter()
                verdict, seconds, summary = await analyse(app, deploy)
                cases.append(
                    DeployCase(
                        scenario=scenario.name, service=deploy.service, version=deploy.version,
                        bad=is_bad(scenario, deploy), verdict=verdict, seconds_to_verdict=seconds,
                        seconds_to_alert=_first_alert_after(scenario, deploy.at),
                        wall_seconds=time.perf_counter() - began, summary=summary,
                    )
                )  # fmt: skip
                progress(f"{scenario.name}: {deploy.service} {deploy.version} {verdict.value}")
        finally:
            app.shutdown()
    return CanaryResult(cases=tuple(cases))


__all__ = ["CanaryResult", "DeployCase", "analyse", "is_bad", "run_benchmark"]
