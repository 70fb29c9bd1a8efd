"""The live dependencies the workflow's stages use, installed once by the composition root.

DBOS calls workflow and step functions by name (also when it recovers them after a crash), so they
cannot take these dependencies as arguments; app.py installs one Runtime per process before DBOS
launches, and the stages read it here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nightowl.actions.protocol import ActionDriver
from nightowl.clock import Clock
from nightowl.connectors.protocols import (
    ClusterSource,
    DeploySource,
    LogSource,
    MetricsSource,
    TopologySource,
)
from nightowl.errors import ConfigError
from nightowl.notify.protocol import Notifier
from nightowl.policy.cedar import CedarRules
from nightowl.runbooks.model import Runbook
from nightowl.settings import Settings
from nightowl.store import IncidentStore
from nightowl.store.approvals import ApprovalStore
from nightowl.store.audit import AuditLog
from nightowl.store.control import ControlStore

if TYPE_CHECKING:
    from nightowl.agent.investigator import Investigator  # needs the optional llm extra


@dataclass
class Runtime:
    settings: Settings
    store: IncidentStore
    clock: Clock
    metrics: list[MetricsSource] = field(default_factory=list)
    logs: list[LogSource] = field(default_factory=list)
    deploys: list[DeploySource] = field(default_factory=list)
    topology: list[TopologySource] = field(default_factory=list)
    cluster: list[ClusterSource] = field(default_factory=list)
    drivers: list[ActionDriver] = field(default_factory=list)
    notifiers: list[Notifier] = field(default_factory=list)
    runbooks: list[Runbook] = field(default_factory=list)
    cedar: CedarRules | None = None
    agent: Investigator | None = None
    """The LLM agent, when ``llm.provider`` is set (app.py builds it)."""
    audit: AuditLog = field(init=False)
    approvals: ApprovalStore = field(init=False)
    control: ControlStore = field(init=False)

    def __post_init__(self) -> None:
        # The safety stores share the incident store's engine (one database, one pool).
        self.audit = AuditLog(self.store.engine)
        self.approvals = ApprovalStore(self.store.engine)
        self.control = ControlStore(self.store.engine)

    def driver_for(self, kind: str, service: str | None = None) -> ActionDriver | None:
        """The driver routed to ``service`` (``actions.routes``) if it can, else the first that can."""
        routed = self.settings.actions.routes.get(service or "")
        if routed is not None:
            return next((d for d in self.drivers if d.name == routed and kind in d.kinds), None)
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
