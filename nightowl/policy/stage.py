"""The gate stage: a decision (allow, require approval, deny) with reasons for every planned action.

For each action it gathers the facts the policy reads — the kill switch, the driver's dry run (its
blast radius, or why there is none), the write counts the circuit breakers read, whether the
runbook always asks a human — then evaluates the guardrails and the user's Cedar rules. Every
decision is audited with its action and preview; decisions of earlier rounds stay on record.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from nightowl.clock import Clock
from nightowl.domain import (
    ActionSpec,
    BlastRadius,
    Decision,
    Incident,
    IncidentStatus,
    KillSwitch,
    StageContext,
    StageName,
    StageResult,
    Verdict,
)
from nightowl.domain.control import OtherWrite
from nightowl.domain.ports import Knowledge, Preview, Previewer, RunbookFacts
from nightowl.errors import NightowlError
from nightowl.policy.cedar import CedarRules
from nightowl.policy.facts import Facts
from nightowl.policy.gate import evaluate
from nightowl.settings import PolicySettings
from nightowl.store import IncidentStore
from nightowl.store.audit import AuditLog
from nightowl.store.control import ControlStore
from nightowl.telemetry import Span, meters, span

log = logging.getLogger(__name__)


class Gate:
    """The gate stage; see the module docstring."""

    name = StageName.GATE

    def __init__(
        self,
        policy: PolicySettings,
        cedar: CedarRules | None,
        *,
        previewer: Previewer,
        runbooks: RunbookFacts,
        store: IncidentStore,
        control: ControlStore,
        audit: AuditLog,
        clock: Clock,
        knowledge: Knowledge | None = None,
    ) -> None:
        self.policy, self.cedar, self.previewer, self.runbooks = policy, cedar, previewer, runbooks
        self.store, self.control, self.audit, self.clock = store, control, audit, clock
        self.knowledge = knowledge

    async def run(self, ctx: StageContext, incident: Incident) -> StageResult:
        """Decide every planned action (guardrails, then the user's rules), auditing each
        decision with its facts and dry-run preview; wait for approvals when any needs one.
        """
        killswitch = self.control.killswitch()
        decisions = []
        for action in incident.plan:
            with span(f"policy {action.kind}", {"nightowl.action.kind": action.kind}) as traced:
                facts, preview = await self.facts(incident.id, action, killswitch)
                facts = facts.model_copy(update={"others": self._others(incident, action)})
                decision = evaluate(facts, self.policy, self.cedar)
                _describe(traced, decision)
            decisions.append(decision)
            self.audit.append(
                incident.id,
                "decision",
                {
                    "decision": decision.model_dump(mode="json"),
                    "action": action.model_dump(mode="json"),
                    "preview": preview.result.model_dump(mode="json") if preview.result else None,
                },
                actor="policy",
                at=self.clock.now(),
            )
        planned = {a.idempotency_key for a in incident.plan}
        earlier = [d for d in incident.decisions if d.idempotency_key not in planned]
        self.store.save_decisions(incident.id, [*earlier, *decisions])
        if any(d.verdict is Verdict.REQUIRE_APPROVAL for d in decisions):
            self.store.set_status(incident.id, IncidentStatus.AWAITING_APPROVAL)
        summary = "; ".join(f"{d.action_kind}: {d.verdict.value}" for d in decisions)
        return StageResult(summary=summary or "no action to decide")

    def _others(self, incident: Incident, action: ActionSpec) -> tuple[OtherWrite, ...]:
        """Recent real writes by other incidents on this incident's services."""
        minutes = self.policy.breakers.other_incident_minutes
        if minutes <= 0:
            return ()
        services = {action.service, *(a.service for a in incident.alerts if a.service)}
        services |= {e.service for e in incident.evidence if e.service}
        if incident.service:
            services.add(incident.service)
        since = self.clock.now() - timedelta(minutes=minutes)
        return tuple(self.control.writes_by_others(incident.id, services, since))

    async def facts(
        self, incident_id: str, action: ActionSpec, killswitch: KillSwitch
    ) -> tuple[Facts, Preview]:
        """The facts about ``action`` and the driver's dry run of it."""
        now = self.clock.now()
        base = Facts(
            action=action,
            incident_id=incident_id,
            at=now,
            killswitch=killswitch.on,
            killswitch_reason=killswitch.reason,
            runbook_requires_approval=self.runbooks.requires_approval(action.runbook),
            writes_service_last_hour=self.control.writes_for_service(
                action.service, now - timedelta(hours=1)
            ),
            writes_incident=self.control.writes_for_incident(incident_id),
            dependents=self._dependents(action.service),
        )
        preview = await self.previewer.preview(action)
        if not preview.available:
            return base.model_copy(update={"driver_available": False}), preview
        if preview.error is not None:
            update = {"preview_error": preview.error, "preview_retryable": preview.retryable}
            return base.model_copy(update=update), preview
        if preview.result is None:
            return base, preview
        radius = radius_of(preview, action)
        return base.model_copy(update={"blast_radius": radius}), preview

    def _dependents(self, service: str) -> int | None:
        if self.knowledge is None:
            return None
        try:
            return self.knowledge.fan_in(service)
        except NightowlError as exc:  # unknown: the other guardrails still hold the bar
            log.warning("the knowledge graph's fan-in of %s is unknown: %s", service, exc)
            return None


def _describe(traced: Span, decision: Decision) -> None:
    """The verdict and what decided it, on the decision's span (and counted by verdict)."""
    meters.count(meters.POLICY_VERDICTS.labels(decision.verdict.value))
    traced.set("nightowl.policy.verdict", decision.verdict.value)
    traced.set("nightowl.policy.autonomy", decision.autonomy.value)
    traced.set("nightowl.policy.rules", list(decision.rules))
    traced.set("nightowl.policy.reasons", [r[:300] for r in decision.reasons])


def radius_of(preview: Preview, action: ActionSpec) -> BlastRadius | None:
    """The driver's blast radius, or one derived from the replica counts it reported — or, when
    its dry run reports no change, from the replica count or factor the action asks for."""
    result = preview.result
    if result is None:
        return None
    if result.blast_radius is not None:
        return result.blast_radius
    before, after = result.pre_state.replicas, result.post_state.replicas
    if isinstance(before, int) and after == before:
        if action.params.get("replicas") is not None:
            after = int(action.params["replicas"] or 0)
        elif action.params.get("factor") is not None:
            after = max(1, round(before * float(action.params["factor"] or 1)))
    if isinstance(before, int) and isinstance(after, int):
        removed = max(0, before - after)
        return BlastRadius(
            replicas_before=before,
            replicas_after=after,
            pods_at_once=removed,
            capacity_fraction=removed / before if before else 0.0,
            summary=f"{before} → {after} replicas",
        )
    return None
