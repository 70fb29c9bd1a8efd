"""PetShop's targets, its cases as ``Observations``, and normal operation cut into incident-sized
slices for specificity.

A PetShop issue file holds about five 5-minute points, the alarm at the third. So does a slice:
``noissue/metrics.csv`` is cut into consecutive, non-overlapping runs of ``SLICE`` points, the
"alarm" at the third one, for each (node, metric) an alarm of the scenario fired on. The slice's
history is the rest of normal operation, less ``GUARD`` on each side (neighbouring points are
too alike to count as other days). There was no issue, so the right answer is "no root cause":
the share of slices where the ranking says so is the specificity.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from nightowl.domain.observations import History, Observations
from nightowl.domain.signals import Series
from nightowl.errors import InputError
from nightowl_lab.eval.rca.cases import RcaCase

SignalMap = dict[str, dict[str, Series]]
SLICE = 5
ALARM = 2
STEP = 300.0
GUARD = 3600.0
HEADER_ROWS = 3


class Target(BaseModel):
    """An issue's alarm and label: ``target.json``."""

    symptom: str
    metric: str
    agg: str
    at: datetime
    root_cause: str

    @property
    def signal(self) -> str:
        """The alarm's series name, as the loader names series: ``<metric>.<agg>``."""
        return f"{self.metric}.{self.agg}"


class Slice(BaseModel):
    """A stretch of normal operation treated as an incident on ``node``'s ``metric``."""

    start: float
    alarm: float
    end: float
    node: str
    metric: str


def read_target(path: Path) -> Target:
    """The alarm and the root cause of one issue."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        target = raw["target"]
        return Target(
            symptom=str(target["node"]),
            metric=str(target["metric"]),
            agg=str(target["agg"]),
            at=datetime.fromtimestamp(float(target["timestamp"]), tz=UTC),
            root_cause=str(raw["root_cause"]["node"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a PetShop target ({exc})") from None


def observations(
    symptom: str,
    graph: dict[str, tuple[str, ...]],
    signals: SignalMap,
    history: SignalMap,
    at: datetime,
) -> Observations:
    """What the gather stage would hand over for an alarm on ``symptom`` at ``at``."""
    stamps = [t for metrics in signals.values() for s in metrics.values() for t in s.timestamps]
    start = datetime.fromtimestamp(min(stamps), tz=UTC) if stamps else at
    end = datetime.fromtimestamp(max(stamps), tz=UTC) if stamps else at
    services = {*signals, *graph, *(c for callees in graph.values() for c in callees)}
    return Observations(
        service=symptom,
        start=start,
        end=end,
        services=tuple(sorted(services)),
        topology={caller: list(callees) for caller, callees in graph.items()},
        signals=signals,
        history=History(signals=history),
    )


def _timestamps(path: Path) -> list[float]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[HEADER_ROWS:]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    out: list[float] = []
    for row in rows:
        try:
            out.append(float(row[0]))
        except (IndexError, ValueError):
            continue  # the ``unix_timestamp`` row
    return sorted(out)


def normal_slices(scenario: Path, targets: Sequence[tuple[str, str]]) -> list[Slice]:
    """Incident-sized slices of the scenario's normal operation, one per alarm target each."""
    path = scenario / "noissue" / "metrics.csv"
    if not path.is_file():
        return []
    stamps = _timestamps(path)
    out: list[Slice] = []
    for first in range(0, len(stamps) - SLICE + 1, SLICE):
        run = stamps[first : first + SLICE]
        if run[-1] - run[0] > (SLICE - 1) * STEP * 1.5:
            continue  # a gap in the data
        out += [
            Slice(start=run[0], alarm=run[ALARM], end=run[-1], node=node, metric=metric)
            for node, metric in targets
        ]
    return out


def _cut(history: SignalMap, lo: float, hi: float, keep_inside: bool) -> SignalMap:
    out: SignalMap = {}
    for node, metrics in history.items():
        out[node] = {}
        for name, s in metrics.items():
            pairs = [
                (t, v)
                for t, v in zip(s.timestamps, s.values, strict=True)
                if (lo <= t <= hi) == keep_inside
            ]
            out[node][name] = s.model_copy(
                update={
                    "timestamps": tuple(p[0] for p in pairs),
                    "values": tuple(p[1] for p in pairs),
                }
            )
    return out


def slice_cases(
    scenario: Path, graph: dict[str, tuple[str, ...]], history: SignalMap, slices: list[Slice]
) -> Iterator[RcaCase]:
    """Each slice as a case whose right answer is "no root cause"."""
    for chosen in slices:
        signals = _cut(history, chosen.start, chosen.end, keep_inside=True)
        rest = _cut(history, chosen.start - GUARD, chosen.end + GUARD, keep_inside=False)
        at = datetime.fromtimestamp(chosen.alarm, tz=UTC)
        metric = chosen.metric.split(".", 1)[0]
        yield RcaCase(
            name=f"{scenario.name}/noissue@{at:%m-%d %H:%M} {chosen.node} {chosen.metric}",
            group=scenario.name,
            fault_kind=metric,
            fault_time=at,
            root_cause=None,
            symptom_metric=chosen.metric,
            observations=observations(chosen.node, graph, signals, rest, at),
        )
