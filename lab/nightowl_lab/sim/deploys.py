"""A synthetic deploy history for the deploy-risk backtest (``nightowl eval --deploys``).

Written by ``nightowl scenarios deploys --seed S``: services with a daily traffic profile, deploys
mostly in working hours, each with a change (size, kinds), CI results and the moment's traffic and
error budget; incidents in the background and incidents *caused* by deploys. Whether a deploy
causes an incident is drawn from a stated causal model (``CAUSES``, a logistic model): risk rises
with the change's size and kinds, failing tests, a coverage drop, peak traffic, an open incident,
a spent error budget and the service's own fragility (which shows as its change-failure rate),
plus the logistic noise. The history records the facts as they stood at each deploy and, apart,
its outcome; the backtest reads the outcome only to score.

The backtest's figures on this history are a consistency check of the score against *these*
assumptions, not evidence about real deploys.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field

from nightowl.deployrisk.change import classified
from nightowl.deployrisk.model import (
    Budget,
    Change,
    ChangeKind,
    Coverage,
    FileChange,
    JUnitSummary,
    Traffic,
)

START = datetime(2026, 6, 1, tzinfo=UTC)
CAUSES = {
    "intercept": -5.0,
    "log10_lines": 0.8,
    ChangeKind.MIGRATION.value: 1.2,
    ChangeKind.CONFIG.value: 0.8,
    ChangeKind.DEPENDENCY.value: 0.5,
    "tests_failing": 1.2,
    "coverage_drop_pp": 0.12,
    "peak": 0.6,
    "open_incident": 0.8,
    "budget_spent_over_0.8": 0.7,
    "freeze": 0.4,
    "fragility_sd": 0.7,
    "docs_only": -3.0,
}
"""The log-odds of a deploy causing an incident: the sum of the terms that apply."""
OBJECTIVE = 0.999
FREEZE = (START + timedelta(days=60), START + timedelta(days=63))
"""A change freeze the teams sometimes deploy through anyway (hotfixes)."""


class HistoryIncident(BaseModel):
    """An incident of a service; ``caused_by`` (the deploy's version) is the ground truth, never a
    feature."""

    service: str
    opened_at: datetime
    resolved_at: datetime
    caused_by: str | None = None


class HistoryDeploy(BaseModel):
    """One deploy with the facts known at its time (the outcome is in the incidents)."""

    service: str
    version: str
    at: datetime
    change: Change
    tests: JUnitSummary | None = None
    coverage: Coverage | None = None
    traffic: Traffic | None = None
    budget: Budget | None = None
    freeze: str | None = None
    dependents: tuple[str, ...] = ()


class DeployHistory(BaseModel):
    """A generated history: its seed, the causal model it was drawn from, deploys and incidents."""

    seed: int
    model: dict[str, float] = Field(default_factory=lambda: dict(CAUSES))
    deploys: list[HistoryDeploy]
    incidents: list[HistoryIncident]


def _profile(hour: int) -> float:
    """Requests per second by UTC hour: a day peak 12–20, a trough at night."""
    return 20.0 + 100.0 * max(0.0, math.sin(math.pi * (hour - 8) / 14)) if 8 <= hour < 22 else 20.0


PROFILE_MEDIAN = sorted(_profile(h) for h in range(24))[12]


def _change(rng: random.Random) -> Change:
    if rng.random() < 0.12:
        docs = FileChange(path="docs/guide.md", added=rng.randint(1, 30))
        return Change(files=classified((docs,)), source="sim")
    lines = max(1, int(rng.lognormvariate(math.log(80), 1.3)))
    files = [FileChange(path="src/app/core.py", added=lines * 2 // 3, deleted=lines // 3)]
    for path, p in (("migrations/0001_x.sql", 0.08), ("config/app.yaml", 0.25),
                    ("requirements.txt", 0.12), ("tests/test_core.py", 0.5)):  # fmt: skip
        if rng.random() < p:
            files.append(FileChange(path=path, added=rng.randint(1, 60)))
    return Change(files=classified(tuple(files)), source="sim")


def _when(rng: random.Random, day: int) -> datetime:
    hour = min(23, max(0, int(rng.gauss(13, 3.5))))
    return START + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59))


def _open(incidents: list[HistoryIncident], service: str, at: datetime) -> bool:
    return any(i.service == service and i.opened_at <= at < i.resolved_at for i in incidents)


def _spent(
    incidents: list[HistoryIncident], service: str, at: datetime, rng: random.Random
) -> float:
    month = [
        i
        for i in incidents
        if i.service == service and at - timedelta(days=30) <= i.opened_at <= at
    ]
    return max(0.0, 0.05 + 0.15 * len(month) + rng.gauss(0, 0.1))


def _logit(d: HistoryDeploy, fragility: float, open_now: bool) -> float:
    kinds = {f.kind for f in d.change.files}
    if kinds == {ChangeKind.DOCS}:
        return CAUSES["intercept"] + CAUSES["docs_only"]
    lines = sum(f.added + f.deleted for f in d.change.files)
    z = CAUSES["intercept"] + CAUSES["log10_lines"] * math.log10(1 + lines) + fragility
    z += sum(CAUSES[k.value] for k in kinds if k is not None and k.value in CAUSES)
    z += CAUSES["tests_failing"] * bool(d.tests and d.tests.failures)
    if d.coverage is not None and d.coverage.baseline is not None:
        z += CAUSES["coverage_drop_pp"] * max(
            0.0, 100 * (d.coverage.baseline - d.coverage.line_rate)
        )
    z += CAUSES["peak"] * bool(d.traffic and (d.traffic.ratio or 0) >= 1.2)
    z += CAUSES["open_incident"] * open_now
    z += CAUSES["budget_spent_over_0.8"] * bool(d.budget and d.budget.spent >= 0.8)
    return z + CAUSES["freeze"] * (d.freeze is not None)


def generate(seed: int, services: int = 12, days: int = 90) -> DeployHistory:
    """The history of ``services`` services over ``days`` days; the same seed, the same history."""
    rng = random.Random(seed)
    names = [f"svc-{n:02d}" for n in range(services)]
    fragility = {s: rng.gauss(0, CAUSES["fragility_sd"]) for s in names}
    dependents = {
        s: tuple(rng.sample(others, min(len(others), rng.choice((0, 1, 2, 4, 7)))))
        for s in names
        for others in ([n for n in names if n != s],)
    }
    incidents: list[HistoryIncident] = []
    for s in names:  # background incidents, about one every three weeks
        for day in range(days):
            if rng.random() < 1 / 21:
                opened = START + timedelta(days=day, hours=rng.uniform(0, 24))
                incidents.append(
                    HistoryIncident(
                        service=s,
                        opened_at=opened,
                        resolved_at=opened + timedelta(hours=rng.uniform(1, 6)),
                    )
                )
    planned = sorted(
        ((_when(rng, day), s) for s in names for day in range(days) for _ in range(_count(rng))),
        key=lambda p: p[0],
    )
    deploys = []
    for n, (at, s) in enumerate(planned):
        deploy = _deploy(rng, n, s, at, incidents, dependents[s])
        if rng.random() < 1 / (
            1 + math.exp(-_logit(deploy, fragility[s], _open(incidents, s, at)))
        ):
            opened = at + timedelta(minutes=rng.uniform(5, 600))
            incidents.append(
                HistoryIncident(
                    service=s,
                    opened_at=opened,
                    caused_by=deploy.version,
                    resolved_at=opened + timedelta(hours=rng.uniform(0.5, 4)),
                )
            )
        deploys.append(deploy)
    incidents.sort(key=lambda i: i.opened_at)
    return DeployHistory(seed=seed, deploys=deploys, incidents=incidents)


def _count(rng: random.Random) -> int:
    """Deploys of one service on one day: none on most weekends' worth of days, up to three."""
    return rng.choices((0, 1, 2, 3), weights=(45, 35, 15, 5))[0]


def _deploy(
    rng: random.Random, n: int, service: str, at: datetime,
    incidents: list[HistoryIncident], dependents: tuple[str, ...],
) -> HistoryDeploy:  # fmt: skip
    base = rng.uniform(0.6, 0.9)
    tests = (
        JUnitSummary(tests=200, failures=int(rng.random() < 0.05)) if rng.random() < 0.8 else None
    )
    cover = Coverage(line_rate=max(0.0, base - max(0.0, rng.gauss(0.0, 0.02))), baseline=base)
    now = _profile(at.hour) * rng.lognormvariate(0, 0.15)
    return HistoryDeploy(
        service=service,
        version=f"v{n}",
        at=at,
        change=_change(rng),
        tests=tests,
        coverage=cover if rng.random() < 0.7 else None,
        traffic=Traffic(now=now, typical=PROFILE_MEDIAN, days=7),
        budget=Budget(
            error_ratio=min(1.0, _spent(incidents, service, at, rng) * (1 - OBJECTIVE)),
            objective=OBJECTIVE,
        ),
        freeze="quarter close" if FREEZE[0] <= at < FREEZE[1] else None,
        dependents=dependents,
    )
