"""``kind: mcp`` — call one write tool of a ``kind: mcp`` connector, as a runbook action.

A connector's tools are read-only for gather and the agent; a tool it lists in ``writes`` is
called only here, by a runbook step ``action: mcp`` with ``params`` ``connector`` (the connector's
name), ``tool`` (one of its ``writes``) and ``arguments`` (a JSON object, as text: action params
are scalars). The workflow reaches a driver only after the policy gate and any approval, and the
executor audits every call. A dry run calls nothing and says what it would call; a tool not in
that connector's ``writes`` is refused. Each key is applied once (a ledger replays a repeat). An
MCP tool cannot be undone by nightowl: rollback says so and calls nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from nightowl.actions.config import options
from nightowl.actions.ledger import AppliedLog, Ledger
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.connectors.mcp import McpTools
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError, ConnectorError
from nightowl.settings import PluginConfig, Settings


class McpDriverConfig(BaseModel):
    """``kind: mcp`` driver: where its ledger is kept (the connectors come from ``connectors``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state_dir: Path | None = None


class McpDriver:
    """Calls the write tools of the ``kind: mcp`` connectors it was given, by name."""

    Config = McpDriverConfig
    kinds = frozenset({"mcp"})

    def __init__(self, name: str, servers: dict[str, McpTools], state_dir: Path) -> None:
        self.name, self.servers = name, servers
        self.ledger: AppliedLog = Ledger(state_dir / f"mcp-{name}-ledger.json")

    def use_ledger(self, shared: Callable[[str, Ledger], AppliedLog]) -> None:
        """Keep applied results in the database (``LedgerAware``), the file still read."""
        if isinstance(self.ledger, Ledger):
            self.ledger = shared(self.ledger.path.stem, self.ledger)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> McpDriver:
        """The driver of one ``actions.drivers`` entry, over every ``kind: mcp`` connector."""
        config = options(plugin, McpDriverConfig)
        servers = {
            c.name: McpTools.from_plugin(c, settings)
            for c in settings.connectors
            if c.kind == "mcp"
        }
        return cls(plugin.name, servers, config.state_dir or settings.data_dir / "actions")

    def target(self, action: ActionSpec) -> tuple[McpTools, str, dict[str, Any]]:
        """The connector, write tool and arguments ``action`` names; ActionError saying what is
        wrong otherwise (an unknown connector, a tool not in its ``writes``, bad arguments)."""
        name, tool = str(action.params.get("connector") or ""), str(action.params.get("tool") or "")
        server = self.servers.get(name)
        if server is None:
            known = ", ".join(sorted(self.servers)) or "none"
            raise ActionError(f"no kind: mcp connector {name!r} ({known})", driver=self.name)
        if tool not in server.config.writes:
            allowed = ", ".join(server.config.writes) or "none"
            raise ActionError(
                f"tool {tool!r} is not in writes of connector {name!r} ({allowed}): refused",
                driver=self.name,
            )
        raw = action.params.get("arguments") or "{}"
        try:
            arguments = json.loads(str(raw))
        except ValueError:
            arguments = None
        if not isinstance(arguments, dict):
            raise ActionError(
                f"params.arguments must be a JSON object as text, not {str(raw)[:80]!r}",
                driver=self.name,
            )
        return server, tool, arguments

    def plan(self, action: ActionSpec) -> str:
        """Which tool of which connector the action would call, with which arguments."""
        server, tool, arguments = self.target(action)
        return f"call MCP tool {tool} of connector {server.name} with {json.dumps(arguments)}"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Call the tool once per idempotency key; a dry run calls nothing."""
        started, (server, tool, arguments) = now(), self.target(action)
        pre: dict[str, Scalar] = {"connector": server.name, "tool": tool}
        radius = BlastRadius(summary="decided by the MCP server's tool")
        if dry_run:
            return dry_run_result(
                action, self.name, started, pre=pre, plan=self.plan(action), radius=radius
            )
        if (done := self.ledger.replay(action.idempotency_key)) is not None:
            return done
        try:
            answer = await server.call_write(tool, arguments)
        except ConnectorError as exc:
            raise ActionError(str(exc), driver=self.name, retryable=exc.retryable) from None
        finally:
            await server.close()
        done = result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=pre,
            post=_scalars(answer),
            message=f"MCP tool {tool} of {server.name} answered",
            radius=radius,
        )
        self.ledger.put(done)
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Nothing to call: nightowl cannot undo an MCP tool; the record says so."""
        return rolled_back(
            done,
            self.name,
            now(),
            done.post_state.flat(),
            "an MCP tool cannot be undone by nightowl; nothing was undone",
        )


def _scalars(answer: Any) -> dict[str, Scalar]:
    """The answer's top-level scalar fields (at most 20), or the answer itself bounded."""
    if isinstance(answer, dict):
        scalars = {k: v for k, v in answer.items() if isinstance(v, str | int | float | bool)}
        return {k: v[:500] if isinstance(v, str) else v for k, v in list(scalars.items())[:20]}
    return {"answer": str(answer)[:500]}
