"""Build the agent from the settings (the composition root calls this when ``llm.provider`` is set).

Importing the agent needs the ``llm`` extra (pydantic-ai and the provider SDKs); without it, this
fails with the command that installs it, and nightowl without an LLM never gets here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from nightowl.clock import Clock
from nightowl.connectors.protocols import (
    ClusterSource,
    DeploySource,
    LogSource,
    MetricsSource,
    ToolSource,
    TopologySource,
)
from nightowl.errors import ConfigError
from nightowl.redaction import Redactor
from nightowl.runbooks.model import AnyStep, DecisionStep, Runbook, Step
from nightowl.settings import Settings
from nightowl.store.llm import LlmStore

if TYPE_CHECKING:
    from pydantic_ai.models import Model

    from nightowl.agent.investigator import Investigator


def build_investigator(
    settings: Settings,
    journal: LlmStore,
    clock: Clock,
    *,
    metrics: Sequence[MetricsSource] = (),
    logs: Sequence[LogSource] = (),
    deploys: Sequence[DeploySource] = (),
    cluster: Sequence[ClusterSource] = (),
    topology: Sequence[TopologySource] = (),
    tools: Sequence[ToolSource] = (),
    runbooks: Sequence[Runbook] = (),
    models: Mapping[str, Model] | None = None,
    redactor: Redactor | None = None,
) -> Investigator:
    """The agent over these connectors. ``models`` replaces the configured models per tier
    (``cheap``, ``strong``): tests pass pydantic-ai's ``FunctionModel`` or ``TestModel`` here."""
    try:
        from nightowl.agent.investigator import Investigator
        from nightowl.agent.toolsets import Sources
    except ImportError as exc:
        raise ConfigError(
            f"the LLM agent needs pydantic-ai ({exc.name or exc} is missing): "
            "pip install 'nightowl[llm]'",
            where="llm.provider",
        ) from None
    sources = Sources(
        metrics=metrics,
        logs=logs,
        deploys=deploys,
        cluster=cluster,
        topology=topology,
        tools=tools,
        step_seconds=settings.gather.step_seconds,
    )
    return Investigator(
        settings,
        journal,
        sources,
        clock,
        action_kinds=sorted({k for book in runbooks for k in _actions(book.steps)}),
        models=models,  # type: ignore[arg-type]
        redactor=redactor,
    )


def _actions(steps: Iterable[AnyStep]) -> Iterable[str]:
    for step in steps:
        if isinstance(step, Step):
            yield step.action
        elif isinstance(step, DecisionStep):
            yield from _actions([*step.decide.then, *step.decide.otherwise])
