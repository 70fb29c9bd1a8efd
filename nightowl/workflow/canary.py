"""The durable canary analysis: one DBOS run per recorded deploy, keyed by the analysis's id.

Started when a deploy is recorded; sleeps ``canary.interval_seconds`` durably between
measurements (a crash resumes with the time left, and completed measurements are not taken
again), stops as soon as the verdict is known (Argo Rollouts' limits), and on a failure raises a
page that enters intake like any alert — the incident, its diagnosis and the rollback go through
the normal pipeline and the policy. Under a replay's scenario clock the sleeps skip ahead, as the
incident workflow's do.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from dbos import DBOS, SetWorkflowID, WorkflowHandleAsync

from nightowl.canary.alert import page_for
from nightowl.canary.analysis import CanaryAnalysis, run_id_of
from nightowl.canary.judge import phase
from nightowl.clock import Clock, SystemClock
from nightowl.domain import AlertGroup, Deploy
from nightowl.domain.canary import Verdict
from nightowl.errors import ConfigError

log = logging.getLogger(__name__)
Page = Callable[[AlertGroup], Coroutine[Any, Any, str | None]]
"""Hand a page to intake; the id of the incident it opened or joined (None: none, e.g. silenced)."""


@dataclass
class CanaryPipeline:
    """What the canary workflow needs, built by the composition root."""

    analysis: CanaryAnalysis
    page: Page
    resolved: Callable[[str], Awaitable[bool]]
    """Whether the incident of that id ended resolved."""
    clock: Clock


_bound: CanaryPipeline | None = None


def bind(pipeline: CanaryPipeline | None) -> None:
    """Bind the process's canary pipeline (before DBOS launches)."""
    global _bound
    _bound = pipeline


def bound() -> CanaryPipeline:
    if _bound is None:
        raise ConfigError("the canary pipeline is not bound: start nightowl through nightowl.app")
    return _bound


@DBOS.step(name="nightowl.canary.start")
async def _start(deploy_json: str) -> str:
    run = await bound().analysis.start(Deploy.model_validate_json(deploy_json))
    return run.id


@DBOS.step(name="nightowl.canary.measure")
async def _measure(run_id: str, index: int) -> str:
    measured = await bound().analysis.measure(run_id, index)
    return measured.verdict.value


@DBOS.step(name="nightowl.canary.conclude")
async def _conclude(run_id: str, verdict: str) -> str:
    done = await bound().analysis.conclude(run_id, Verdict(verdict))
    log.info("%s", done.summary)
    return done.summary


@DBOS.step(name="nightowl.canary.page")
async def _page(run_id: str) -> str | None:
    pipeline = bound()
    run = await pipeline.analysis.runs_get(run_id)
    page = pipeline.page(page_for(run, pipeline.analysis.settings.severity))
    # A DBOS step may not start workflows; intake starts the incident's as it does for a webhook,
    # so the page runs outside the step's context. Idempotent: a re-run step's page is a
    # duplicate alert, and the incident's workflow is started once.
    task = asyncio.get_running_loop().create_task(page, context=contextvars.Context())
    incident_id: str | None = await task
    await pipeline.analysis.opened(run_id, incident_id)
    return incident_id


@DBOS.step(name="nightowl.canary.resolve")
async def _resolve(run_id: str, incident_id: str) -> bool:
    """Resolve the page when its incident ended resolved; True if it did."""
    pipeline = bound()
    if not await pipeline.resolved(incident_id):
        return False
    run = await pipeline.analysis.runs_get(run_id)
    group = page_for(run, pipeline.analysis.settings.severity, ended=pipeline.clock.now())
    recorded_on = await asyncio.get_running_loop().create_task(
        pipeline.page(group), context=contextvars.Context()
    )
    await pipeline.analysis.page_resolved(run_id, incident_id, recorded_on)
    return True


async def _pause(seconds: float) -> None:
    clock = bound().clock
    if isinstance(clock, SystemClock):
        await DBOS.sleep_async(seconds)  # durable: a crash resumes with the time left
    else:
        await clock.sleep(seconds)  # a replay's scenario time skips ahead


@DBOS.workflow(name="nightowl.canary")
async def canary_workflow(deploy_json: str) -> str:
    """Measure every interval until the verdict is known; page on a failure. Returns the
    verdict."""
    settings = bound().analysis.settings
    run_id = await _start(deploy_json)
    verdicts: list[Verdict] = []
    verdict: Verdict | None = None
    while verdict is None:
        await _pause(settings.interval_seconds)
        verdicts.append(Verdict(await _measure(run_id, len(verdicts))))
        verdict = phase(verdicts, settings)
    await _conclude(run_id, verdict.value)
    if verdict is Verdict.FAIL and (incident_id := await _page(run_id)) is not None:
        # The page stays firing until its incident ends resolved (rolled back and verified).
        handle: WorkflowHandleAsync[str] = await DBOS.retrieve_workflow_async(incident_id)
        await handle.get_result()
        await _resolve(run_id, incident_id)
    return verdict.value


async def start_canary(deploy: Deploy) -> str:
    """Start the analysis of ``deploy`` (once: the same deploy again returns the same run)."""
    run_id = run_id_of(deploy)
    with SetWorkflowID(run_id):
        await DBOS.start_workflow_async(canary_workflow, deploy.model_dump_json())
    return run_id
