"""The live dependencies the workflow's stages use, installed once by the composition root.

DBOS calls workflow and step functions by name (also when it recovers them after a crash), so they
cannot take these dependencies as arguments; app.py installs one Runtime per process before DBOS
launches, and the stages read it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nightowl.actions.protocol import ActionDriver
from nightowl.clock import Clock
from nightowl.connectors.protocols import DeploySource, LogSource, MetricsSource, TopologySource
from nightowl.errors import ConfigError
from nightowl.notify.protocol import Notifier
from nightowl.runbooks.model import Runbook
from nightowl.settings import Settings
from nightowl.store import IncidentStore


@dataclass
class Runtime:
    settings: Settings
    store: IncidentStore
    clock: Clock
    metrics: list[MetricsSource] = field(default_factory=list)
    logs: list[LogSource] = field(default_factory=list)
    deploys: list[DeploySource] = field(default_factory=list)
    topology: list[TopologySource] = field(default_factory=list)
    drivers: list[ActionDriver] = field(default_factory=list)
    notifiers: list[Notifier] = field(default_factory=list)
    runbooks: list[Runbook] = field(default_factory=list)

    def driver_for(self, kind: str) -> ActionDriver | None:
        return next((d for d in self.drivers if kind in d.kinds), None)


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise ConfigError(
            "the workflow runtime is not installed: start nightowl through nightowl.app"
        )
    return _current
