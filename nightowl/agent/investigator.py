"""The agent as the workflow sees it: ``diagnose`` (diagnostician, then remediator) and ``narrate``
(communicator). The durable workflow stays the supervisor: each call runs inside a stage, never
fails it (a provider error, a spent budget or rejected output leaves the deterministic result
standing, recorded as the run's outcome) and never executes anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Generic, TypeVar

from pydantic import BaseModel
from pydantic_ai import Agent, capture_run_messages
from pydantic_ai.exceptions import AgentRunError, UnexpectedModelBehavior, UsageLimitExceeded
from pydantic_ai.models import Model
from pydantic_ai.usage import UsageLimits

from nightowl.agent import audit, briefing
from nightowl.agent.journal import BudgetExhausted, CallContext, JournaledModel
from nightowl.agent.ledger import Ledger
from nightowl.agent.merge import Merged, merge
from nightowl.agent.prices import PriceTable
from nightowl.agent.prompts import Prompts, Role, load, version_for
from nightowl.agent.providers import Tier, build_model, model_name, model_settings
from nightowl.agent.schema import Finding, LlmDiagnosis, Narrative, Proposals, RunbookProse
from nightowl.agent.toolsets import Scope, Sources, build
from nightowl.clock import Clock
from nightowl.domain import Diagnosis, Incident
from nightowl.errors import NightowlError
from nightowl.redaction import Redactor
from nightowl.settings import Settings
from nightowl.store.llm import AgentRun, LlmStore

T = TypeVar("T", bound=BaseModel)
TAGS = {Role.OBSERVER: "o", Role.DIAGNOSTICIAN: "d", Role.REMEDIATOR: "r", Role.COMMUNICATOR: "c"}


@dataclass
class RunResult(Generic[T]):
    """One agent run: its validated output (None when it produced none), the run record, and the
    refused calls counted by reason.
    """

    output: T | None
    run: AgentRun
    refused: Counter[str] = field(default_factory=Counter)


class Investigator:
    """Runs the agent's roles for the stages. Safe to share across incidents (no per-run state)."""

    def __init__(
        self,
        settings: Settings,
        store: LlmStore,
        sources: Sources,
        clock: Clock,
        *,
        action_kinds: Sequence[str] = (),
        models: Mapping[Tier, Model] | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.settings, self.llm = settings, settings.llm
        self.store, self.sources, self.clock = store, sources, clock
        self.redact = redactor or Redactor.from_settings(settings)
        self.prices = PriceTable(self.llm)
        self.action_kinds = tuple(sorted(set(action_kinds)))
        self._models: dict[Tier, tuple[Model, str]] = {
            tier: (m, m.model_name) for tier, m in (models or {}).items()
        }
        for version in {self.llm.version, self.llm.canary_version or self.llm.version}:
            load(version)  # a missing or broken prompt version is a config error at startup

    def model(self, tier: Tier) -> tuple[Model, str]:
        """The model of ``tier`` and its name, built once per tier from the settings (or as
        injected).
        """
        if tier not in self._models:
            self._models[tier] = (build_model(self.llm, tier), model_name(self.llm, tier))
        return self._models[tier]

    async def diagnose(
        self, incident: Incident, deterministic: Diagnosis, *, cycle: int, tried: Sequence[str]
    ) -> Merged:
        """The LLM's diagnosis beside the deterministic one, merged.

        The diagnostician runs on the incident's prompt version; its finding is accepted only
        when its claims are backed by the tool calls it made, and then the remediator proposes
        actions (recorded, never executed). Every refusal and unsupported claim is counted on the
        run record. The key includes ``cycle``, so a re-diagnosis round is a new run, not a
        replay.
        """
        prompts = load(version_for(incident.id, self.llm))
        scope = self._scope(incident, deterministic)
        prompt = briefing.diagnose(incident, deterministic, self.llm.tool_output_chars, self.redact)
        key = f"diagnose{cycle}"
        found = await self._run(
            Role.DIAGNOSTICIAN, incident.id, key, prompts, Finding, scope, prompt
        )
        finding, problems = found.output, Counter(found.refused)
        accepted = False
        if finding is not None and finding.root_cause is not None:
            deploys = [e.change.version for e in incident.evidence if e.change is not None]
            unsupported = audit.check_finding(finding, self.store.tool_calls(incident.id), deploys)
            problems += unsupported
            accepted = not unsupported
            if accepted and self.action_kinds:
                brief = briefing.remediate(finding, self.action_kinds, self.redact)
                await self._run(Role.REMEDIATOR, incident.id, key, prompts, Proposals, scope, brief)
        proposal = None
        if finding is not None:
            proposal = LlmDiagnosis(
                **finding.model_dump(exclude={"evidence"}),
                evidence=finding.evidence,
                proposed_actions=list(scope.proposals),
            )
        label = f"LLM agent {prompts.version} ({found.run.model})"
        merged = merge(
            deterministic,
            proposal,
            accepted=accepted,
            min_confidence=self.settings.analysis.min_confidence,
            tried=tried,
            label=label,
        )
        audit.count(problems - found.refused)  # the refused calls were counted by _run
        self.store.record_run(
            found.run.model_copy(
                update={
                    "engine": merged.engine,
                    "won": merged.engine == "llm",
                    "rejections": dict(problems),
                    "output": proposal.model_dump_json() if proposal else "",
                }
            )
        )
        return merged

    async def narrate(self, incident: Incident) -> str:
        """The body of the report's narrative section (Markdown); "" when there is none."""
        prompts = load(version_for(incident.id, self.llm))
        diag = next(
            (r for r in reversed(self.store.runs(incident.id)) if r.role == Role.DIAGNOSTICIAN),
            None,
        )
        llm = LlmDiagnosis.model_validate_json(diag.output) if diag and diag.output else None
        prompt = briefing.narrate(
            incident, self.store.runs(incident.id), llm, self.llm.tool_output_chars, self.redact
        )
        scope = Scope(start=self.clock.now(), end=self.clock.now())
        told = await self._run(
            Role.COMMUNICATOR, incident.id, "report", prompts, Narrative, scope, prompt
        )
        if told.output is None:
            return ""
        n = told.output
        spent = self.store.spent(incident.id)
        return self.redact(
            f"*Written by the LLM agent {prompts.version} ({told.run.model}); the other sections "
            f"are nightowl's own record. LLM use on this incident: {spent.calls} calls, "
            f"{spent.tokens} tokens, ${spent.cost_usd:.4f}.*\n\n**{n.summary}**\n\n"
            f"{n.narrative}\n\n**Status update:** {n.status_update}\n"
        )

    async def describe_runbook(self, incident_id: str, text: str) -> str:
        """The prose of a runbook drafted from ``incident_id`` (its YAML ``text``), signed with
        the agent's version and model; "" when the agent gave none (its run is recorded and
        counted in the incident's LLM budget either way)."""
        prompts = load(version_for(incident_id, self.llm))
        prompt = briefing.runbook_draft(text, self.llm.tool_output_chars, self.redact)
        scope = Scope(start=self.clock.now(), end=self.clock.now())
        told = await self._run(
            Role.COMMUNICATOR, incident_id, "runbook", prompts, RunbookProse, scope, prompt
        )
        if told.output is None:
            return ""
        said = told.output
        return self.redact(
            f"{said.summary}\n\n{said.prose}\n\n(Prose by the LLM agent {prompts.version}, "
            f"{told.run.model}; the steps are nightowl's own.)"
        )

    def _scope(self, incident: Incident, deterministic: Diagnosis) -> Scope:
        now = self.clock.now()
        return Scope(
            start=now - timedelta(minutes=self.settings.gather.lookback_minutes),
            end=now,
            evidence=incident.evidence,
            hypotheses=deterministic.hypotheses,
            action_kinds=self.action_kinds,
        )

    async def _run(
        self,
        role: Role,
        incident_id: str,
        key: str,
        prompts: Prompts,
        output_type: type[T],
        scope: Scope,
        prompt: str,
    ) -> RunResult[T]:
        spec = prompts.spec(role)
        model, name = self.model(spec.tier)
        run_key = f"{key}:{role.value}"
        own = {"report": TAGS[role], "runbook": f"{TAGS[role]}r"}  # call ids apart from diagnose's
        tag = own.get(key, f"{TAGS[role]}{key.removeprefix('diagnose')}")
        ledger = Ledger(incident_id, run_key, tag, role.value, self.store, self.clock,
                        self.redact, self.llm.tool_output_chars)  # fmt: skip
        ctx = CallContext(self.store, incident_id, run_key, role.value, name, self.prices,
                          self.llm.budget, self.redact, self.clock)  # fmt: skip
        toolsets = build(spec.toolsets, self.sources, scope, ledger, prompts)
        agent = Agent(
            JournaledModel(model, ctx),
            output_type=output_type,
            instructions=prompts.instructions(role),
            toolsets=toolsets,
            retries=2,
            model_settings=model_settings(self.llm),
            name=f"nightowl-{role.value}",
        )
        output: T | None = None
        outcome, detail = "completed", ""
        with capture_run_messages() as messages:
            try:
                result = await agent.run(
                    prompt, usage_limits=UsageLimits(request_limit=self.llm.budget.max_requests)
                )
                output = result.output
            except (BudgetExhausted, UsageLimitExceeded) as exc:
                outcome, detail = "budget", str(exc)
            except UnexpectedModelBehavior as exc:
                outcome, detail = "rejected", str(exc)
            except (AgentRunError, NightowlError) as exc:
                outcome, detail = "failed", f"{type(exc).__name__}: {exc}"
            except Exception as exc:  # noqa: BLE001 — the LLM is optional: its failure is recorded on the run, the deterministic result stands
                outcome, detail = "failed", f"{type(exc).__name__}: {exc}"
        tools = {t for ts in toolsets for t in ts.tools}
        refused = audit.refused_calls(messages, tools)
        if outcome == "rejected":  # the answer that exhausted the retries was refused too
            refused[audit.INVALID_OUTPUT if "output" in detail else audit.INVALID_ARGUMENTS] += 1
        audit.count(refused)
        run = AgentRun(
            incident_id=incident_id,
            run_key=run_key,
            role=role.value,
            version=prompts.version,
            model=name,
            outcome=outcome,
            rejections=dict(refused),
            tool_calls=len(ledger.calls),
            detail=self.redact(detail)[:2000],
            output=output.model_dump_json() if output is not None else "",
            at=self.clock.now(),
        )
        self.store.record_run(run)
        return RunResult(output=output, run=run, refused=refused)
