"""The MCP tools: read incidents, read the connectors, propose, ask for and give approvals.

Each tool names its caller (``callers.principal_of``) and asks ``Records.guard`` — the one table
of roles in ``app.access``, refusals audited — before it reads or writes anything: reading takes
the viewer role, ``request_approval``, ``approve`` and ``deny`` the approver role, and
``approve``/``deny`` go through ``Nightowl.answer_approval``, the path the API and the UI take
(the approvals package still decides who may answer for the service; every answer is on the
audit trail). Nothing here executes an action: ``propose_action`` is a dry run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations

from nightowl.app.access import Act, Principal
from nightowl.app.nightowl import Nightowl
from nightowl.app.proposals import propose, request_approval
from nightowl.domain import Incident, IncidentStatus, LogLevel
from nightowl.mcpserver import reads
from nightowl.mcpserver.answers import answer, refusing
from nightowl.mcpserver.callers import principal_of
from nightowl.mcpserver.memory import Memory, Unavailable

READ = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True)
ANSWER = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False)


class Tools:
    """The tools of one MCP server over one ``Nightowl``; ``local`` is the stdio caller."""

    def __init__(self, app: Nightowl, memory: Memory, local: Principal | None) -> None:
        self.app, self.memory, self.local = app, memory, local

    def caller(self, ctx: Context[Any, Any], act: Act) -> Principal:
        """The caller, if their role allows ``act`` (ToolError otherwise; a refusal is audited)."""
        principal = principal_of(ctx.request_context.request, self.local)
        if principal is None:
            raise ToolError("no caller: send a bearer token from api.users")
        self.app.records.guard(principal, act)
        return principal

    def register(self, server: MCPServer) -> None:
        """Add every tool to ``server``."""
        reads: list[Callable[..., Awaitable[str]]] = [
            self.list_incidents, self.get_incident, self.explain_root_cause,
            self.search_similar_incidents, self.graph_show, self.who_changed,
            self.query_metrics, self.search_logs, self.propose_action,
        ]  # fmt: skip
        answers: list[Callable[..., Awaitable[str]]] = [self.request_approval, self.approve,
                                                        self.deny]  # fmt: skip
        for fn in reads:
            server.tool(annotations=READ)(fn)
        for fn in answers:
            server.tool(annotations=ANSWER)(fn)

    async def list_incidents(
        self, ctx: Context[Any, Any], limit: int = 20, status: IncidentStatus | None = None
    ) -> str:
        """Incidents, newest first: id, title, status, service, severity, when."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            rows = min(max(1, limit), self.app.settings.mcp.max_rows)
            return answer(self.app, self.app.records.incidents(limit=rows, status=status))

    async def get_incident(self, ctx: Context[Any, Any], incident_id: str) -> str:
        """One incident: its diagnosis, evidence, decisions, actions, verification and report."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            return answer(self.app, view(self.app.records.incident(incident_id)))

    async def explain_root_cause(self, ctx: Context[Any, Any], incident_id: str) -> str:
        """The diagnosed root cause, its confidence, and the evidence for and against it."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            return answer(self.app, explain(self.app.records.incident(incident_id)))

    async def search_similar_incidents(
        self, ctx: Context[Any, Any], incident_id: str, limit: int = 5
    ) -> str:
        """Earlier incidents like this one (incident memory and the knowledge graph)."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            return await self._remember(self.memory.similar(incident_id, min(limit, 50)))

    async def graph_show(self, ctx: Context[Any, Any], service: str, depth: int = 2) -> str:
        """The knowledge graph around a service (incident memory and the knowledge graph)."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            return await self._remember(self.memory.graph(service, min(max(depth, 1), 5)))

    async def who_changed(self, ctx: Context[Any, Any], service: str, hours: int = 24) -> str:
        """Who changed a service or what it depends on lately (incident memory and the knowledge graph)."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            return await self._remember(self.memory.who_changed(service, min(hours, 24 * 30)))

    async def _remember(self, call: Coroutine[Any, Any, object]) -> str:
        """The memory's answer, or plainly that this build has none."""
        try:
            return answer(self.app, await call)
        except Unavailable as exc:
            return str(exc)

    async def query_metrics(
        self,
        ctx: Context[Any, Any],
        query: str,
        minutes: int = 60,
        step_seconds: int = 60,
        source: str | None = None,
    ) -> str:
        """A range query (the backend's language, e.g. PromQL) over the last ``minutes``."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            found = await reads.query_metrics(self.app, query, minutes, step_seconds, source)
            return answer(self.app, found)

    async def search_logs(
        self,
        ctx: Context[Any, Any],
        service: str | None = None,
        text: str | None = None,
        levels: list[LogLevel] | None = None,
        minutes: int = 60,
        source: str | None = None,
    ) -> str:
        """Log records of the last ``minutes``, newest first, filtered by service, text, level."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            found = await reads.search_logs(self.app, service, text, levels or [], minutes, source)
            return answer(self.app, found)

    async def propose_action(
        self, ctx: Context[Any, Any], incident_id: str, runbook: str | None = None
    ) -> str:
        """What a runbook (default: the matching one) would do on the incident, each step with
        the policy's verdict and reasons. A dry run: nothing is executed or stored."""
        async with refusing(self.app):
            self.caller(ctx, Act.READ)
            return answer(self.app, await propose(self.app, incident_id, runbook))

    async def request_approval(
        self, ctx: Context[Any, Any], incident_id: str, runbook: str | None = None, note: str = ""
    ) -> str:
        """Put the proposal's steps that the policy sends to a human to the approvers (approver
        role). nightowl acts on an approved step only in the incident's own workflow."""
        async with refusing(self.app):
            me = self.caller(ctx, Act.REQUEST_APPROVAL)
            opened = await request_approval(self.app, incident_id, runbook, by=me, note=note[:2000])
            return answer(self.app, opened)

    async def approve(self, ctx: Context[Any, Any], request_id: str, reason: str = "") -> str:
        """Approve a pending approval request (approver role, and an approver of the service)."""
        return await self._answer(ctx, request_id, True, reason)

    async def deny(self, ctx: Context[Any, Any], request_id: str, reason: str) -> str:
        """Deny a pending approval request, with a reason; nothing is executed."""
        if not reason.strip():
            raise ToolError("a denial needs a reason")
        return await self._answer(ctx, request_id, False, reason)

    async def _answer(
        self, ctx: Context[Any, Any], request_id: str, approve: bool, reason: str
    ) -> str:
        async with refusing(self.app):
            # READ here; the approver role is checked (and a refusal audited on the incident)
            # by answer_approval, exactly as for the API.
            me = self.caller(ctx, Act.READ)
            decided = await self.app.answer_approval(
                request_id, by=me, approve=approve, reason=reason[:2000]
            )
            return answer(self.app, decided)


def view(incident: Incident) -> dict[str, object]:
    """What ``get_incident`` shows: the incident's record in brief — the newest five alerts, the
    evidence and hypotheses by their summaries, the stages by their one-line results (the full
    record is the API's ``GET /api/v1/incidents/{id}``)."""
    data = incident.model_dump(
        mode="json",
        include={
            "id",
            "title",
            "status",
            "service",
            "severity",
            "category",
            "opened_at",
            "updated_at",
            "alert_count",
            "triage",
            "diagnosis",
            "plan",
            "decisions",
            "actions",
            "verification",
        },
    )
    if data.get("diagnosis"):
        data["diagnosis"].pop("hypotheses", None)
    data["alerts"] = [
        {"name": a.name, "status": a.status.value, "labels": a.labels, "annotations": a.annotations}
        for a in incident.alerts[-5:]
    ]
    data["evidence"] = [
        {"id": e.id, "kind": e.kind.value, "service": e.service, "summary": e.summary,
         "source": e.source}
        for e in incident.evidence
    ]  # fmt: skip
    data["hypotheses"] = [
        {"kind": h.kind, "service": h.service, "confidence": round(h.confidence, 3),
         "status": h.status.value, "summary": h.summary}
        for h in incident.hypotheses
    ]  # fmt: skip
    data["stages"] = [f"{s.stage.value}: {s.status.value} {s.summary}" for s in incident.stages]
    data["report"] = incident.report.markdown if incident.report else None
    return data


def explain(incident: Incident) -> dict[str, object]:
    """The root cause in a few lines: what, how sure, why, and the evidence cited."""
    diagnosis = incident.diagnosis
    if diagnosis is None:
        return {"incident": incident.id, "root_cause": None, "why": "not diagnosed yet"}
    cause = diagnosis.root_cause
    cited: set[str] = set()
    for h in diagnosis.hypotheses:
        if cause is not None and (h.kind, h.service) == (cause.kind, cause.service):
            cited = set(h.supporting) | set(h.refuting)
    evidence = [e.summary for e in incident.evidence if e.id in cited]
    return {
        "incident": incident.id,
        "root_cause": cause.model_dump(mode="json") if cause else None,
        "confidence": diagnosis.confidence,
        "why": diagnosis.explanation,
        "evidence": evidence,
    }
