"""The durable incident workflow on DBOS: one run per incident, keyed by the incident id.

Each stage is a DBOS step, so after a crash DBOS replays the workflow and completed stages return
their recorded outcome instead of running again; only a stage that was interrupted runs again (its
``attempt`` goes up, and its writes replace the earlier attempt's). Starting the workflow with an id
that exists returns the existing run: a webhook delivered twice never starts a second one.
"""

from __future__ import annotations

import asyncio
import logging

from dbos import DBOS, SetWorkflowID, WorkflowHandleAsync

from nightowl.domain import IncidentStatus, Stage, StageRecord, StageStatus
from nightowl.errors import NightowlError
from nightowl.workflow.runtime import current
from nightowl.workflow.stages import ALWAYS_RUN, PIPELINE, Carry, Outcome

log = logging.getLogger(__name__)
STAGES = dict(PIPELINE)


@DBOS.step(name="nightowl.stage")
async def run_stage(incident_id: str, stage: str, carry_json: str) -> str:
    rt = current()
    name = Stage(stage)
    previous = next((s for s in rt.store.get(incident_id).stages if s.stage is name), None)
    attempt = previous.attempt + 1 if previous else 1
    started = rt.clock.now()
    rt.store.record_stage(
        incident_id,
        StageRecord(stage=name, status=StageStatus.RUNNING, started_at=started, attempt=attempt),
        attempt,
    )
    try:
        outcome = await STAGES[name](rt, incident_id, Carry.model_validate_json(carry_json))
    except Exception as exc:  # recorded on the incident; the workflow goes on to report and notify
        detail = str(exc) if isinstance(exc, NightowlError) else f"{type(exc).__name__}: {exc}"
        log.exception("stage %s of %s failed", stage, incident_id)
        rt.store.record_stage(
            incident_id,
            StageRecord(
                stage=name,
                status=StageStatus.FAILED,
                started_at=started,
                finished_at=rt.clock.now(),
                error=detail,
                attempt=attempt,
            ),
            attempt,
        )
        return Outcome(summary=f"failed: {detail}", failed=True).model_dump_json()
    rt.store.record_stage(
        incident_id,
        StageRecord(
            stage=name,
            status=StageStatus.COMPLETED,
            started_at=started,
            finished_at=rt.clock.now(),
            summary=outcome.summary,
            attempt=attempt,
        ),
        attempt,
    )
    return outcome.model_dump_json()


@DBOS.workflow(name="nightowl.incident")
async def incident_workflow(incident_id: str) -> str:
    carry = Carry()
    failed = False
    for stage, _ in PIPELINE:
        if failed and stage not in ALWAYS_RUN:
            continue
        outcome = Outcome.model_validate_json(
            await run_stage(incident_id, stage.value, carry.model_dump_json())
        )
        failed = failed or outcome.failed
        carry = outcome.carry
        await _maybe_pause(stage)
    if failed:
        await _set_status(incident_id, IncidentStatus.ESCALATED)
    return incident_id


@DBOS.step(name="nightowl.status")
async def _set_status(incident_id: str, status: IncidentStatus) -> None:
    current().store.set_status(incident_id, status)


async def _maybe_pause(stage: Stage) -> None:
    """Chaos testing: hold the workflow between two stages so a test can kill the process there."""
    cfg = current().settings.workflow
    if cfg.pause_after_stage is stage and cfg.pause_seconds > 0:
        log.warning(
            "pausing %.0fs after stage %s (workflow.pause_after_stage)",
            cfg.pause_seconds,
            stage.value,
        )
        await asyncio.sleep(cfg.pause_seconds)


async def start_incident(incident_id: str) -> None:
    """Start the incident's workflow, or do nothing if it has been started before."""
    with SetWorkflowID(incident_id):
        await DBOS.start_workflow_async(incident_workflow, incident_id)


async def wait_for(incident_id: str, timeout: float | None = None) -> None:
    handle: WorkflowHandleAsync[str] = await DBOS.retrieve_workflow_async(incident_id)
    await asyncio.wait_for(handle.get_result(), timeout=timeout)
