"""The Nezha fault-injection dataset (FSE 2023) as root-cause cases.

Layout (``DIR`` may be the dataset root or its ``rca_data`` folder)::

    rca_data/<date>/<date>-fault_list.json   hour → [{inject_time, inject_pod, inject_type, ...}]
    rca_data/<date>/metric/<pod>_metric.csv[.gz], dependency.csv, source_50/destination_50.csv
    rca_data/<date>/trace/HH_MM_trace.csv[.gz], log/HH_MM_log.csv[.gz]   (optional)
    construct_data/root_cause_<system>.json   service → fault type → indicator (names the system)

Labels are service-level: the injected pod's workload. Faults are placed on the ``inject_time``
string, which is on the telemetry's clock (``inject_timestamp`` is hours off). A case sees its data
up to the next fault of the day at most, as an on-call engineer would.

Each case is the ``Observations`` an incident would gather (no symptom: Nezha names no alert).
Its history of normal operation is the day's fault-free metrics — before the first fault and
after the last one has settled (the metric files of ``construct_data`` are the same day-long
files) — and the fault-free trace and log minutes of ``construct_data/<day>``. Part of that
stretch comes after the faults: it is normal operation of the same system, never a label.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from nightowl.analysis.rca.patterns import learn_baseline
from nightowl.domain.base import Model
from nightowl.domain.observations import History, Observations
from nightowl.domain.signals import Series
from nightowl.errors import InputError
from nightowl_lab.eval.rca.cases import RcaCase
from nightowl_lab.eval.rca.nezha_metrics import (
    SignalMap,
    load_dependency,
    load_edge_gaps,
    load_pod_metrics,
    service_of_pod,
)
from nightowl_lab.eval.rca.nezha_traces import call_graph, read_logs, read_spans, trace_signals

LOOKBACK = timedelta(minutes=60)
LOOKAHEAD = timedelta(minutes=10)
SETTLE = timedelta(minutes=5)
EXPECTED = (
    "a Nezha dataset: rca_data/<date>/<date>-fault_list.json with rca_data/<date>/metric/ "
    "(see docs/benchmarks.md)"
)


class NezhaFault(Model):
    """One labelled fault injection."""

    day: str
    at: datetime
    service: str
    kind: str


def _rca_root(data: Path) -> Path:
    for root in (data / "rca_data", data):
        if root.is_dir() and any(_fault_list(d) for d in root.iterdir() if d.is_dir()):
            return root
    raise InputError(f"{data}: not {EXPECTED}")


def _fault_list(day: Path) -> Path | None:
    path = day / f"{day.name}-fault_list.json"
    return path if path.is_file() and (day / "metric").is_dir() else None


def read_faults(path: Path) -> list[NezhaFault]:
    """The labelled faults of one day, in time order."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        faults = [
            NezhaFault(
                day=path.parent.name,
                at=datetime.strptime(f["inject_time"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC),
                service=service_of_pod(f["inject_pod"]),
                kind=f["inject_type"],
            )
            for hour in raw.values()
            for f in hour
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a Nezha fault list ({exc})") from None
    return sorted(faults, key=lambda f: f.at)


def _systems(root: Path) -> dict[str, set[str]]:
    """System name → its services, from ``construct_data/root_cause_<system>.json``."""
    out: dict[str, set[str]] = {}
    for path in sorted((root.parent / "construct_data").glob("root_cause_*.json")):
        try:
            out[path.stem.removeprefix("root_cause_")] = set(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError):
            continue
    return out


class NezhaDataset:
    """Nezha's labelled faults, turned into cases one day at a time (a day's files are read once).

    Raises ``InputError`` at construction when ``data`` does not have the Nezha layout.
    """

    def __init__(self, data: Path, *, patterns: bool = True, history: bool = True) -> None:
        self.root = _rca_root(data)
        self.patterns = patterns
        self.history = history
        days = sorted(d for d in self.root.iterdir() if d.is_dir() and _fault_list(d))
        self.faults = [f for d in days for f in read_faults(d / f"{d.name}-fault_list.json")]
        systems = _systems(self.root)
        self._group = {d.name: self._system(d.name, systems) for d in days}

    def __len__(self) -> int:
        return len(self.faults)

    def _system(self, day: str, systems: dict[str, set[str]]) -> str:
        services = {f.service for f in self.faults if f.day == day}
        names = [name for name, known in systems.items() if services <= known]
        return names[0] if len(names) == 1 else day

    def cases(self) -> Iterator[RcaCase]:
        """Every fault as a case, in time order within each day."""
        for day in dict.fromkeys(f.day for f in self.faults):
            faults = [f for f in self.faults if f.day == day]
            day_dir = self.root / day
            metrics, graph = _day_signals(day_dir)
            history = self._history(day, metrics, faults) if self.history else History()
            baseline = learn_baseline(history.logs) if self.patterns and history.logs else None
            for i, fault in enumerate(faults):
                end = fault.at + LOOKAHEAD
                if i + 1 < len(faults):
                    end = min(end, faults[i + 1].at)
                case = self._case(day_dir, fault, i, (metrics, graph), history, end)
                yield case.model_copy(update={"patterns": baseline or None})

    def _history(self, day: str, metrics: SignalMap, faults: list[NezhaFault]) -> History:
        """The day's normal operation: its metrics before the first fault and after the last one
        has settled, and the fault-free trace and log minutes of ``construct_data/<day>``."""
        first, last = faults[0].at - SETTLE, faults[-1].at + LOOKAHEAD + SETTLE
        lo, hi = first.timestamp(), last.timestamp()
        signals = {s: {m: _outside(x, lo, hi) for m, x in ms.items()} for s, ms in metrics.items()}
        construct = self.root.parent / "construct_data" / day
        spans = read_spans(_all_files(construct / "trace"), float("-inf"), float("inf"))
        for service, extra in trace_signals(spans).items():
            signals.setdefault(service, {}).update(extra)
        logs = read_logs(_all_files(construct / "log"), float("-inf"), float("inf"))
        return History(signals=signals, logs=tuple(logs) if self.patterns else ())

    def _case(
        self,
        day_dir: Path,
        fault: NezhaFault,
        index: int,
        day: tuple[SignalMap, dict[str, set[str]]],
        history: History,
        end: datetime,
    ) -> RcaCase:
        metrics, graph = day
        start = fault.at - LOOKBACK
        lo, hi = start.timestamp(), end.timestamp()
        signals = {s: {m: _clip(x, lo, hi) for m, x in ms.items()} for s, ms in metrics.items()}
        # Per-minute files come in chunks around each fault: those of earlier faults hold those
        # faults, so the baseline for traces and logs is the minute before this one only.
        recent = fault.at - timedelta(minutes=1)
        spans = read_spans(_minute_files(day_dir / "trace", "trace", recent, end), lo, hi)
        for service, extra in trace_signals(spans).items():
            signals.setdefault(service, {}).update(extra)
        logs = read_logs(_minute_files(day_dir / "log", "log", recent, end), lo, hi)
        services = {*signals, *graph, *(c for callees in graph.values() for c in callees)}
        return RcaCase(
            name=f"{fault.day}#{index + 1} {fault.at:%H:%M:%S} {fault.kind} {fault.service}",
            group=self._group[fault.day],
            fault_kind=fault.kind,
            fault_time=fault.at,
            root_cause=fault.service,
            observations=Observations(
                service=None,
                start=start,
                end=end,
                services=tuple(sorted(services)),
                topology={caller: sorted(callees) for caller, callees in graph.items()},
                signals=signals,
                logs=tuple(logs),
                history=history,
            ),
        )


def _day_signals(day_dir: Path) -> tuple[SignalMap, dict[str, set[str]]]:
    """A day's metric series per service and its call graph (dependency file and all traces)."""
    metric_dir = day_dir / "metric"
    metrics = load_pod_metrics(metric_dir)
    services = set(metrics)
    for service, extra in load_edge_gaps(metric_dir, services).items():
        metrics.setdefault(service, {}).update(extra)
    graph = load_dependency(metric_dir, services)
    trace_dir = day_dir / "trace"
    if trace_dir.is_dir():
        spans = read_spans(sorted(trace_dir.iterdir()), float("-inf"), float("inf"))
        for caller, callees in call_graph(spans).items():
            graph.setdefault(caller, set()).update(callees)
    return metrics, graph


def _minute_files(directory: Path, kind: str, start: datetime, end: datetime) -> list[Path]:
    """The per-minute files (``HH_MM_<kind>.csv[.gz]``) whose minute lies in ``[start, end]``."""
    if not directory.is_dir():
        return []
    out: list[Path] = []
    minute = start.replace(second=0, microsecond=0)
    while minute <= end + timedelta(minutes=1):
        for suffix in (".csv", ".csv.gz"):
            path = directory / f"{minute:%H_%M}_{kind}{suffix}"
            if path.is_file():
                out.append(path)
        minute += timedelta(minutes=1)
    return out


def _all_files(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.is_dir() else []


def _outside(series: Series, lo: float, hi: float) -> Series:
    """The series without its samples in ``[lo, hi)``."""
    first, last = bisect_left(series.timestamps, lo), bisect_left(series.timestamps, hi)
    return series.model_copy(
        update={
            "timestamps": series.timestamps[:first] + series.timestamps[last:],
            "values": series.values[:first] + series.values[last:],
        }
    )


def _clip(series: Series, lo: float, hi: float) -> Series:
    first, last = bisect_left(series.timestamps, lo), bisect_left(series.timestamps, hi)
    return series.model_copy(
        update={
            "timestamps": series.timestamps[first:last],
            "values": series.values[first:last],
        }
    )
