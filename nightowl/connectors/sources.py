"""The read side of one process: its connectors sorted by what they can read.

A connector may serve several kinds (a replay serves them all; Kubernetes serves pods, events,
topology and logs), so each list holds every connector that implements that protocol, in the
order of the settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from nightowl.connectors.protocols import (
    ClusterSource,
    DeploySource,
    EndpointSource,
    LogSource,
    MetricsSource,
    OwnershipSource,
    ToolSource,
    TopologySource,
)


@dataclass(frozen=True)
class Sources:
    """The connectors by kind; immutable, shareable across incidents."""

    metrics: tuple[MetricsSource, ...] = ()
    logs: tuple[LogSource, ...] = ()
    deploys: tuple[DeploySource, ...] = ()
    topology: tuple[TopologySource, ...] = ()
    cluster: tuple[ClusterSource, ...] = ()
    endpoints: tuple[EndpointSource, ...] = ()
    owners: tuple[OwnershipSource, ...] = ()
    tools: tuple[ToolSource, ...] = ()
    """Tool servers (``kind: mcp``) whose allowlisted tools the agent may call."""
    names: dict[str, str] = field(default_factory=dict)
    """Kind → the names of its connectors ("none" when there is none), as evidence cites them."""

    @classmethod
    def of(cls, connectors: Iterable[object]) -> Sources:
        """The connectors sorted by the protocols each implements (one may serve several), with
        the names serving each kind for the observations' ``sources``.
        """
        found = list(connectors)
        metrics = tuple(c for c in found if isinstance(c, MetricsSource))
        logs = tuple(c for c in found if isinstance(c, LogSource))
        deploys = tuple(c for c in found if isinstance(c, DeploySource))
        cluster = tuple(c for c in found if isinstance(c, ClusterSource))
        return cls(
            metrics=metrics,
            logs=logs,
            deploys=deploys,
            topology=tuple(c for c in found if isinstance(c, TopologySource)),
            cluster=cluster,
            endpoints=tuple(c for c in found if isinstance(c, EndpointSource)),
            owners=tuple(c for c in found if isinstance(c, OwnershipSource)),
            tools=tuple(c for c in found if isinstance(c, ToolSource)),
            names={
                "metrics": ",".join(m.name for m in metrics) or "none",
                "logs": ",".join(s.name for s in logs) or "none",
                "deploys": ",".join(d.name for d in deploys) or "none",
                "cluster": ",".join(c.name for c in cluster) or "none",
            },
        )
