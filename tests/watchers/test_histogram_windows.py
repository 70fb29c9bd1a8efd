"""``model_drift`` on Prometheus histograms: the windows read from a real VictoriaMetrics (started
by the test on loopback, counters imported at their own timestamps) through the ``prometheus``
connector. The reference is the same hour ``reference_offset_minutes`` earlier (a week by
default; two hours here, to keep the imported history small)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
import pytest
from nightowl_lab.harness.prometheus import VictoriaMetricsServer

from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.histogram_windows import query
from nightowl.watchers.model_drift import ModelDriftWatcher
from nightowl.watchers.protocol import WatchContext

NOW = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
OFFSET, WINDOW, PER_MINUTE = 120, 60, 50
BOUNDS = ("140", "150", "160", "170", "180", "190", "200", "+Inf")


def shares(mean: float) -> np.ndarray:
    """Each bucket's share of a normal(mean, 10) population (a seeded sample of it)."""
    values = np.random.default_rng(int(mean)).normal(mean, 10, 20000)
    cumulative = np.array([np.mean(values <= float(b)) for b in BOUNDS])
    return np.diff(cumulative, prepend=0.0)


def lines() -> str:
    """One counter per bucket and feature, a sample a minute: ``age`` steady, ``height_cm``
    moved by 8 cm in the current window."""
    start = NOW - timedelta(minutes=OFFSET + WINDOW + 10)
    minutes = int((NOW - start).total_seconds() // 60) + 1
    stamps = [int((start + timedelta(minutes=m)).timestamp() * 1000) for m in range(minutes)]
    rows = []
    for feature, before, after in (("age", 170.0, 170.0), ("height_cm", 170.0, 178.0)):
        steps = np.array(
            [
                shares(after if start + timedelta(minutes=m) > NOW - timedelta(minutes=WINDOW)
                       else before) * PER_MINUTE
                for m in range(minutes)
            ]
        )  # fmt: skip
        counters = np.cumsum(np.cumsum(steps, axis=0), axis=1)  # over time, then cumulative by le
        for i, le in enumerate(BOUNDS):
            metric = {"__name__": "model_input_bucket", "model": "churn", "feature": feature}
            metric["le"] = le
            values = [round(float(v), 3) for v in counters[:, i]]
            rows.append(json.dumps({"metric": metric, "values": values, "timestamps": stamps}))
    return "\n".join(rows)


@pytest.fixture(scope="module")
def victoria() -> Iterator[str]:
    with VictoriaMetricsServer() as server:
        httpx.post(f"{server.url}/api/v1/import", content=lines(), timeout=30).raise_for_status()
        httpx.get(f"{server.url}/internal/force_flush", timeout=30).raise_for_status()
        yield server.url


def watcher(url: str, columns: dict[str, str]) -> ModelDriftWatcher:
    histograms = {
        "prometheus": {"url": url},
        "columns": columns,
        "reference_offset_minutes": OFFSET,
    }
    options = {"model": "churn", "histograms": histograms, "window_minutes": WINDOW}
    config = WatcherConfig(name="churn-hist", kind="model_drift", options=options)
    return ModelDriftWatcher.from_config(config, Settings())


def selector(feature: str) -> str:
    return f'model_input_bucket{{model="churn",feature="{feature}"}}'


def test_a_moved_histogram_is_a_finding_with_both_windows(victoria: str) -> None:
    w = watcher(victoria, {f: selector(f) for f in ("age", "height_cm")})
    (finding,) = asyncio.run(w.check(WatchContext(now=NOW, settings=Settings())))
    assert finding.evidence["feature"] == "height_cm"
    assert finding.evidence["test"] == "chi2"
    assert finding.evidence["cause"] == "population_shift"
    shown = json.loads(str(finding.evidence["distribution"]))
    assert shown["labels"] == ["≤140", "≤150", "≤160", "≤170", "≤180", "≤190", "≤200", ">200"]
    assert shown["current"][5] > shown["reference"][5]  # more of the mass above 180 cm


def test_a_selector_without_buckets_could_not_look(victoria: str) -> None:
    w = watcher(victoria, {"nope": selector("nope")})
    with pytest.raises(WatcherError, match="no histogram buckets for column 'nope'"):
        asyncio.run(w.check(WatchContext(now=NOW, settings=Settings())))


def test_options_name_one_source_and_the_query() -> None:
    with pytest.raises(ConfigError, match="one of: reference and current"):
        ModelDriftWatcher.from_config(
            WatcherConfig(name="w", kind="model_drift", options={"model": "m"}), Settings()
        )
    assert query('h_bucket{a="b"}', 60) == 'sum by (le) (increase(h_bucket{a="b"}[60m]))'
