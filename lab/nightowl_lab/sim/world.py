"""The scenario's world: what every signal, log line and deploy looks like at any moment.

Values are computed, not stored: a service's baseline, multiplied by the active fault effects and by
deterministic noise (a counter-based hash of the point's index, so every process sees the same
series). Effects end when the simulated cluster records the action that remedies the fault.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from nightowl.domain import Deploy, LogLevel, LogRecord, Series, SignalKind
from nightowl_lab.sim.cluster import SimulatedCluster
from nightowl_lab.sim.scenario import Effect, FaultSpec, Scenario

FloatArray = npt.NDArray[np.float64]
DAY = 86400.0
MAX_LINES_PER_SPEC = 20000


def _key(*parts: object) -> int:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _uniform(key: int, idx: npt.NDArray[np.int64]) -> FloatArray:
    """SplitMix64 of (key, index): a reproducible uniform in (0, 1) per index."""
    with np.errstate(over="ignore"):
        x = idx.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(key)
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return ((x >> np.uint64(11)).astype(np.float64) + 0.5) / float(2**53)


def _normal(key: int, idx: npt.NDArray[np.int64]) -> FloatArray:
    u1, u2 = _uniform(key, idx), _uniform(key ^ 0x5DEECE66D, idx)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)


class World:
    """What a scenario looks like from outside at any moment: metric series, log lines and
    deploys, with the remedies the simulated driver applied taken into account.
    """

    def __init__(self, scenario: Scenario, cluster: SimulatedCluster) -> None:
        self.scenario = scenario
        self.cluster = cluster

    def series(
        self, service: str, signal: SignalKind, start: datetime, end: datetime, step_seconds: int
    ) -> Series:
        """One signal of one service over [start, end] at ``step_seconds``: baseline, noise
        (seeded) and the faults' effects until their remedy.
        """
        spec = self.scenario.services[service]
        t0, t1 = start.timestamp(), end.timestamp()
        idx = np.arange(
            math.ceil(t0 / step_seconds), math.floor(t1 / step_seconds) + 1, dtype=np.int64
        )
        ts = idx.astype(np.float64) * step_seconds
        base = spec.baseline.value(signal)
        seasonal = (
            1.0 + 0.08 * np.sin(2 * math.pi * ts / DAY)
            if signal is SignalKind.REQUEST_RATE
            else 1.0
        )
        noise = 1.0 + spec.baseline.noise * _normal(_key(self.scenario.seed, service, signal), idx)
        values = base * seasonal * np.clip(noise, 0.5, 1.5) * self._factor(service, signal, ts)
        return Series(
            metric=signal.value,
            labels={"service": service},
            timestamps=tuple(ts.tolist()),
            values=tuple(values.tolist()),
        )

    def _factor(self, service: str, signal: SignalKind, ts: FloatArray) -> FloatArray:
        total = np.ones_like(ts)
        for fault in self.scenario.faults:
            effects = (
                fault.effects if fault.service == service else fault.propagates_to.get(service, [])
            )
            remedied = self.cluster.remedied_at(fault)
            for effect in effects:
                if effect.signal is signal:
                    total *= _effect(effect, fault, ts, remedied)
        return total

    def logs(self, start: datetime, end: datetime) -> list[LogRecord]:
        """Every log line in [start, end], oldest first."""
        records: list[LogRecord] = []
        for bg in self.scenario.logs:
            begin, stop = max(start, bg.start or start), min(end, bg.end or end)
            records += _lines(bg.service, bg.level, bg.message, bg.every_seconds, begin, stop, None)
        for fault in self.scenario.faults:
            remedied = self.cluster.remedied_at(fault)
            stop = remedied[0] if remedied else end
            emitters = [(fault.service, spec) for spec in fault.logs]
            emitters += [(svc, spec) for svc, specs in fault.caller_logs.items() for spec in specs]
            for service, spec in emitters:
                begin = max(start, fault.start + timedelta(minutes=spec.delay_minutes))
                records += _lines(
                    service,
                    spec.level,
                    spec.message,
                    spec.every_seconds,
                    begin,
                    min(end, stop),
                    fault.start,
                )
        return sorted(records, key=lambda r: r.timestamp)

    def deploys(self, start: datetime, end: datetime) -> list[Deploy]:
        """The scenario's deploys in the window and the simulated driver's rollbacks, as deploys."""
        found = [
            Deploy(source="scenario", **d.model_dump())
            for d in self.scenario.deploys
            if start <= d.at <= end
        ]
        state = self.cluster.state()
        for event in state.events:
            if event.kind == "rollback" and start <= event.at <= end:
                svc = state.services[event.service]
                found.append(
                    Deploy(
                        service=event.service,
                        version=svc.version,
                        previous_version=svc.previous_version,
                        at=event.at,
                        author="nightowl",
                        summary="rollback by nightowl",
                        source="simulated-cluster",
                    )
                )
        return sorted(found, key=lambda d: d.at)


def _effect(
    effect: Effect, fault: FaultSpec, ts: FloatArray, remedied: tuple[datetime, float] | None
) -> FloatArray:
    begin = fault.start.timestamp() + effect.delay_minutes * 60
    ramp = effect.ramp_minutes * 60
    if effect.shape == "step" or ramp == 0:
        progress = (ts >= begin).astype(np.float64)
    else:
        progress = np.clip((ts - begin) / ramp, 0.0, 1.0)
    if remedied is not None and not effect.persists:
        fixed_at, recovery_minutes = remedied
        t_fix = fixed_at.timestamp()
        at_fix = float(np.clip((t_fix - begin) / ramp, 0.0, 1.0)) if ramp else float(t_fix >= begin)
        decay = np.clip(1.0 - (ts - t_fix) / max(recovery_minutes * 60, 1.0), 0.0, 1.0)
        progress = np.where(ts >= t_fix, at_fix * decay, progress)
    return np.asarray(1.0 + (effect.factor - 1.0) * progress, dtype=np.float64)


def _lines(
    service: str,
    level: str,
    template: str,
    every: float,
    start: datetime,
    end: datetime,
    anchor: datetime | None,
) -> list[LogRecord]:
    origin = (anchor or datetime(2000, 1, 1, tzinfo=UTC)).timestamp()
    first = math.ceil((start.timestamp() - origin) / every)
    last = math.floor((end.timestamp() - origin) / every)
    out = []
    for n in range(max(first, last - MAX_LINES_PER_SPEC), last + 1):
        h = _key(service, template, n)
        at = datetime.fromtimestamp(origin + n * every, UTC)
        values = {
            "id": f"{h & 0xFFFFFFFF:08x}",
            "ms": 1000 + h % 4000,
            "n": h % 1000,
            "ts": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "ip": f"10.{(h >> 40) % 64}.{(h >> 48) % 256}.{(h >> 56) % 254 + 1}",
        }
        out.append(
            LogRecord(
                timestamp=at,
                service=service,
                level=LogLevel(level),
                message=template.format(**values),
            )
        )
    return out
