"""A service graph written in the configuration: ``kind: static``.

::

    connectors:
      - name: graph
        kind: static
        services: {frontend: [checkout, search], checkout: [payments, inventory]}
        hosts: {payments: [payments.prod.internal, "10.0.4.12:8443"], carrier: [api.carrier.example]}

Services named only as callees become nodes without dependencies. ``hosts`` lists the names a
service is reached by (DNS names, DSN hosts, addresses): callers' log lines that name them count
as evidence about that service.
"""

from __future__ import annotations

from pydantic import Field

from nightowl.connectors.base import ConnectorConfig, parse_options
from nightowl.settings import PluginConfig, Settings


class StaticConfig(ConnectorConfig):
    """``kind: static``."""

    services: dict[str, list[str]] = Field(description="caller -> the services it calls")
    hosts: dict[str, list[str]] = Field(
        default_factory=dict, description="service -> the host names and addresses it is reached by"
    )


class StaticTopology:
    """A fixed dependency graph. Immutable; safe to share."""

    def __init__(self, name: str, config: StaticConfig) -> None:
        self.name = name
        self.config = config

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> StaticTopology:
        """The connector of one ``connectors`` entry (its options validated as StaticConfig)."""
        return cls(plugin.name, parse_options(StaticConfig, plugin))

    async def check(self) -> None:
        """Nothing to reach: the graph is in the configuration, validated when it was read."""
        return None

    async def dependencies(self) -> dict[str, list[str]]:
        """The configured graph with every callee a node too, sorted, without self-loops."""
        graph = {s: set(callees) for s, callees in self.config.services.items()}
        for callees in self.config.services.values():
            for callee in callees:
                graph.setdefault(callee, set())
        return {s: sorted(c - {s}) for s, c in sorted(graph.items())}

    async def endpoints(self) -> dict[str, list[str]]:
        return {s: sorted(set(h)) for s, h in sorted(self.config.hosts.items())}
