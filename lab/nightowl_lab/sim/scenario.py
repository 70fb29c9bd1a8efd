"""The scenario format: a recorded or generated incident that replays through the real pipeline.

A scenario is one YAML file (see docs/scenarios.md). It describes the services and their topology,
each service's normal signals, the deploys, the faults with the effects they have on signals and
logs, which remediation ends each fault, the alerts that fire, and the ground truth.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.domain import LogLevel, SignalKind
from nightowl.errors import ConfigError


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Baseline(_Spec):
    """A service's normal level of each golden signal, and the relative noise around it."""

    request_rate: float = 100.0
    error_rate: float = 0.002
    latency_p99: float = 0.25
    memory: float = 4.0e8
    cpu: float = 0.4
    noise: float = Field(default=0.03, ge=0, description="Relative noise (standard deviation).")

    def value(self, signal: SignalKind) -> float:
        """The normal level of ``signal``."""
        return float(getattr(self, signal.value))


class ServiceSpec(_Spec):
    """One service of the scenario: its version, replicas, the services it calls, its baselines,
    and the host names its callers use for it.
    """

    version: str = "v1.0.0"
    replicas: int = Field(default=3, ge=0)
    calls: list[str] = []
    baseline: Baseline = Baseline()
    hosts: list[str] = Field(
        default=[],
        description="Names its callers reach it by (DNS names, host:port, a DSN's host), as a "
        "service registry or DNS zone would list them.",
    )


class Effect(_Spec):
    """A change to one signal: multiplies the baseline, reaching ``factor`` after ``ramp_minutes``."""

    signal: SignalKind
    factor: float = Field(gt=0)
    delay_minutes: float = Field(default=0, ge=0)
    ramp_minutes: float = Field(default=0, ge=0)
    shape: Literal["ramp", "step"] = "ramp"
    persists: bool = Field(
        default=False, description="Not ended by the remedy (genuine load stays after a scale-out)."
    )


class LogSpec(_Spec):
    """A line a fault makes the service write every ``every_seconds``, from ``delay_minutes``
    after the fault starts until it ends.
    """

    level: LogLevel = LogLevel.ERROR
    message: str
    every_seconds: float = Field(default=30, gt=0)
    delay_minutes: float = Field(default=0, ge=0)


class PodEffect(_Spec):
    """What the fault does to the service's pods while it lasts (restarts, a waiting reason)."""

    restarts: int = Field(default=0, ge=0, description="Extra restarts per pod.")
    waiting_reason: str | None = Field(default=None, description="e.g. CrashLoopBackOff.")
    oom_killed: bool = False
    event_reason: str | None = Field(default=None, description="A Warning event, e.g. BackOff.")
    event_message: str = ""
    delay_minutes: float = Field(default=0, ge=0)
    pods_affected: int | None = Field(
        default=None,
        ge=1,
        description="How many of the pods it hits (a stalled rollout, one node); all when unset.",
    )


class Remedy(_Spec):
    """An action kind that ends the fault, and how long the signals take to recover after it."""

    kind: str
    recovery_minutes: float = Field(default=1.0, ge=0)


class FaultSpec(_Spec):
    """One fault: what it is, where and when it starts, its effects on signals, logs and pods,
    the effects on its callers, and the remedies that end it (none: it lasts the whole scenario).
    """

    kind: str
    service: str
    start: datetime
    effects: list[Effect] = []
    logs: list[LogSpec] = []
    resolved_by: list[Remedy] = []
    propagates_to: dict[str, list[Effect]] = Field(
        default={}, description="Effects the fault has on other services (callers)."
    )
    caller_logs: dict[str, list[LogSpec]] = Field(
        default={}, description="Lines the fault makes other services (callers) write."
    )
    pods: PodEffect | None = None


class ConfigChangeSpec(_Spec):
    """A configuration change (a ConfigMap edit, a flag flip): served as a cluster event."""

    service: str
    at: datetime
    key: str
    old: str = ""
    new: str = ""
    author: str | None = None


class DeploySpec(_Spec):
    """A deploy in the scenario's history, served by the replay's deploy source."""

    service: str
    version: str
    previous_version: str | None = None
    at: datetime
    author: str | None = None
    commit: str | None = None
    summary: str | None = None


class BackgroundLog(_Spec):
    """Lines a service writes regardless of the faults; within [start, end] when either is set
    (a startup banner after a deploy, a nightly job's warnings)."""

    service: str
    level: LogLevel = LogLevel.INFO
    message: str
    every_seconds: float = Field(default=60, gt=0)
    start: datetime | None = None
    end: datetime | None = None


class AlertSpec(_Spec):
    """An alert the scenario fires at ``at``, sent to nightowl as an Alertmanager notification."""

    at: datetime
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    receiver: str = "nightowl"


class Truth(_Spec):
    """The ground truth the scorecard grades against: the faulty service, the fault kind, the
    right remediation, and actions that must never be taken.
    """

    service: str
    kind: str
    remediation: str
    forbidden_actions: list[str] = []


class Scenario(_Spec):
    """A whole incident to replay: the window and its step, the services, what happened (deploys,
    config changes, faults, background logs), the alerts, and the truth. ``seed`` fixes the
    noise, so a scenario replays the same every time.
    """

    name: str
    title: str
    description: str = ""
    start: datetime
    end: datetime
    step_seconds: int = Field(default=30, ge=1)
    seed: int = 0
    services: dict[str, ServiceSpec]
    deploys: list[DeploySpec] = []
    config_changes: list[ConfigChangeSpec] = []
    faults: list[FaultSpec] = []
    logs: list[BackgroundLog] = []
    alerts: list[AlertSpec] = Field(min_length=1)
    truth: Truth | None = None

    @property
    def page_time(self) -> datetime:
        """When nightowl receives the page: the last alert's time."""
        return max(a.at for a in self.alerts)

    def topology(self) -> dict[str, list[str]]:
        """Caller → callees, as the services' ``calls`` declare them."""
        return {name: list(spec.calls) for name, spec in self.services.items()}


def load_scenario(path: Path) -> Scenario:
    """Read a scenario file; ConfigError names the file and the bad key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("scenario file not found", where=str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", where=str(path)) from None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{loc}: {first['msg']}", where=str(path)) from None
    unknown = {f.service for f in scenario.faults} | {d.service for d in scenario.deploys}
    unknown |= {c.service for c in scenario.config_changes}
    unknown |= {bg.service for bg in scenario.logs}
    unknown |= {callee for spec in scenario.services.values() for callee in spec.calls}
    unknown |= {s for f in scenario.faults for s in [*f.propagates_to, *f.caller_logs]}
    unknown -= set(scenario.services)
    if unknown:
        raise ConfigError(
            f"faults, deploys, logs or calls name unknown services: {sorted(unknown)}",
            where=str(path),
        )
    return scenario


def bundled_scenario(name: str) -> Path:
    """The path of a scenario shipped with nightowl (``nightowl/sim/scenarios/NAME.yaml``)."""
    path = Path(__file__).parent / "scenarios" / f"{name}.yaml"
    if not path.exists():
        raise ConfigError(f"no bundled scenario named {name!r}")
    return path


def bundled_names() -> list[str]:
    """The names of the scenarios shipped with the lab, sorted."""
    return sorted(p.stem for p in (Path(__file__).parent / "scenarios").glob("*.yaml"))
