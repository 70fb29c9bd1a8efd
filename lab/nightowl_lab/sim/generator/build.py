"""Assembling generated scenarios: a small service graph, one fault, noise and red herrings.

Every scenario has a caller (``web``) of the paged service (``app``), which calls a database
(``db``) and a dependency (``dep``). Names, baselines, magnitudes and times vary with the seed;
each variant adds red herrings: an unrelated deploy elsewhere, a noisy low-severity alert, a slow
but healthy dependency, background warning lines.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from nightowl_lab.sim.generator.faults import BUILDERS, Built, Names
from nightowl_lab.sim.scenario import Scenario

POOLS = {
    "web": ["frontend", "gateway", "edge", "storefront"],
    "app": ["checkout", "orders", "billing", "search", "accounts", "catalog"],
    "db": ["postgres", "mysql", "orders-db", "ledger-db"],
    "dep": ["payments-api", "shipping-api", "fraud-api", "tax-api"],
}
PAGE = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def _baseline(
    r: random.Random, rate: float, latency: float, noise: float = 0.03
) -> dict[str, float]:
    return {
        "request_rate": round(rate * r.uniform(0.7, 1.4), 1),
        "error_rate": round(r.uniform(0.0005, 0.003), 4),
        "latency_p99": round(latency * r.uniform(0.7, 1.4), 3),
        "memory": round(r.uniform(2, 8)) * 1e8,
        "cpu": round(r.uniform(0.2, 1.0), 2),
        "noise": noise,
    }


def generate(kind: str, variant: int, seed: int) -> Scenario:
    """One scenario of ``kind``; the same (kind, variant, seed) always gives the same scenario."""
    r = random.Random(f"{seed}:{kind}:{variant}")
    n = Names(*(r.choice(POOLS[k]) for k in ("web", "app", "db", "dep")))
    onset = PAGE - timedelta(minutes=r.uniform(9, 14))
    built = BUILDERS[kind](n, onset, r)
    slow_dep = r.random() < 0.5  # a slow but healthy dependency: high latency, always
    services: dict[str, Any] = {
        n.web: {"replicas": 4, "calls": [n.app], "baseline": _baseline(r, 400, 0.3)},
        n.app: {"replicas": 3, "calls": [n.db, n.dep], "baseline": _baseline(r, 120, 0.25)},
        n.db: {"version": "15.8", "replicas": 1, "baseline": _baseline(r, 900, 0.012)},
        n.dep: {"replicas": 2, "baseline": _baseline(r, 80, 1.4 if slow_dep else 0.2, 0.06)},
    }
    deploys = list(built.deploys)
    herring = r.choice([n.web, n.db, n.dep])
    if r.random() < 0.8:
        deploys.append({"service": herring, "version": "v9.1.1", "previous_version": "v9.1.0",
                        "at": PAGE - timedelta(minutes=r.uniform(40, 55)), "author": "dana",
                        "summary": "unrelated: bump logging library"})  # fmt: skip
    page = {"alertname": "HighErrorRate", "service": n.app, "severity": "critical"}
    alerts = [
        {"at": PAGE - timedelta(minutes=1), "labels": {**page, "alertname": "HighLatency"}},
        {"at": PAGE, "labels": page, "annotations": {"summary": f"{n.app} is failing requests"}},
    ]
    if r.random() < 0.7:
        noisy = {"alertname": "KubeJobSlow", "service": herring, "severity": "info"}
        alerts.insert(0, {"at": PAGE - timedelta(minutes=5), "labels": noisy})
    data = {
        "name": f"{kind.replace('_', '-')}-{variant}",
        "title": f"generated {kind} (variant {variant}, seed {seed})",
        "description": f"{built.truth['kind']} on {built.truth['service']}; red herrings: "
        f"deploy of {herring}, slow {n.dep}: {slow_dep}",
        "start": PAGE - timedelta(minutes=150),
        "end": PAGE + timedelta(minutes=60),
        "step_seconds": 30,
        "seed": r.randint(1, 10_000),
        "services": services,
        "deploys": deploys,
        "config_changes": built.config_changes,
        "faults": [built.fault],
        "logs": _background(n, r),
        "alerts": alerts,
        "truth": built.truth,
    }
    return Scenario.model_validate(data)


def _background(n: Names, r: random.Random) -> list[dict[str, Any]]:
    return [
        {"service": n.app, "level": "INFO", "message": "request {id} served in {ms}us", "every_seconds": 10},
        {"service": n.web, "level": "WARN", "message": "slow client {id}: {ms}ms to read body", "every_seconds": r.choice([60, 90, 120])},
        {"service": n.dep, "level": "WARN", "message": "retrying idempotent call {id}", "every_seconds": 180},
    ]  # fmt: skip


def write_suite(
    out: Path, variants: int = 2, seed: int = 0, kinds: list[str] | None = None
) -> list[Path]:
    """Write ``variants`` scenarios of every kind to ``out``; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in kinds or sorted(BUILDERS):
        for variant in range(variants):
            scenario = generate(kind, variant, seed)
            path = out / f"{scenario.name}.yaml"
            body = yaml.safe_dump(
                scenario.model_dump(mode="json", exclude_defaults=True), sort_keys=False
            )
            path.write_text(f"# Generated by `nightowl scenarios generate --seed {seed}`.\n{body}")
            paths.append(path)
    return paths


__all__ = ["Built", "generate", "write_suite"]
