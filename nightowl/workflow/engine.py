"""The durable incident workflow on DBOS: one run per incident, keyed by the incident id.

Each stage is a DBOS step, so after a crash DBOS replays the workflow and completed stages return
their recorded outcome instead of running again; only a stage that was interrupted runs again (its
``attempt`` goes up, and its writes replace the earlier attempt's). Starting the workflow with an id
that exists returns the existing run: a webhook delivered twice never starts a second one.
"""

from __future__ import annotations

import asyncio
import json
import logging

from dbos import DBOS, SetWorkflowID, WorkflowHandleAsync

from nightowl.domain import IncidentStatus, Stage, StageRecord, StageStatus
from nightowl.errors import NightowlError
from nightowl.notify.protocol import Message
from nightowl.workflow.outcome import Carry, Outcome
from nightowl.workflow.recheck import recheck
from nightowl.workflow.runtime import current
from nightowl.workflow.stages import ALWAYS_RUN, LOOK_AGAIN_FROM, PIPELINE, REDIAGNOSE_FROM

log = logging.getLogger(__name__)
STAGES = dict(PIPELINE)


@DBOS.step(name="nightowl.stage")
async def run_stage(incident_id: str, stage: str, carry_json: str, resume: bool = False) -> str:
    """Run one stage; ``resume``: the same attempt, woken after the wait it asked for."""
    rt = current()
    name = Stage(stage)
    previous = next((s for s in rt.store.get(incident_id).stages if s.stage is name), None)
    attempt = (previous.attempt + (0 if resume else 1)) if previous else 1
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
    carry, failed = Carry(), False
    rounds: dict[str, object] = {"cycle": 0, "tried": (), "tried_runbooks": (), "looks": 0}
    order = [stage for stage, _ in PIPELINE]
    index = 0
    while index < len(order):
        stage, index = order[index], index + 1
        if failed and stage not in ALWAYS_RUN:
            continue
        if stage is Stage.REPORT:
            await _settle(incident_id)
        outcome = await _run(incident_id, stage, carry)
        failed = failed or outcome.failed
        if outcome.carry.rediagnose and not failed:
            # Not recovered and rolled back: another round from diagnosis, excluding what failed.
            # Bounded: verify asks for one only while rounds remain (verify.max_cycles).
            index = order.index(REDIAGNOSE_FROM)
            rounds = {
                **rounds,
                "cycle": outcome.carry.cycle + 1,
                "tried": outcome.carry.tried,
                "tried_runbooks": outcome.carry.tried_runbooks,
            }
        elif outcome.carry.look_again and not failed:
            # No root cause yet: wait (durably) and gather again. Bounded by analysis.look_again.
            await DBOS.sleep_async(current().settings.analysis.look_again_seconds)
            index = order.index(LOOK_AGAIN_FROM)
            rounds = {**rounds, "looks": outcome.carry.looks}
        carry = outcome.carry.model_copy(
            update={
                **rounds,
                "rediagnose": False,
                "look_again": False,
                "waited": False,
                "reply": None,
            }
        )
        await _maybe_pause(stage)
    if failed:
        await _set_status(incident_id, IncidentStatus.ESCALATED)
    return incident_id


async def _run(incident_id: str, stage: Stage, carry: Carry) -> Outcome:
    """Run a stage; while it asks to wait, wait durably for a message (or the timeout) and run it
    again with what came back. ``DBOS.recv_async`` keeps its deadline in the system database, so a
    wait cut short by a crash resumes with the time that was left."""
    outcome = Outcome.model_validate_json(
        await run_stage(incident_id, stage.value, carry.model_dump_json())
    )
    while outcome.wait is not None:
        reply = await DBOS.recv_async(outcome.wait.topic, outcome.wait.timeout_seconds)
        woken = outcome.carry.model_copy(
            update={"waited": True, "reply": None if reply is None else json.dumps(reply)}
        )
        outcome = Outcome.model_validate_json(
            await run_stage(incident_id, stage.value, woken.model_dump_json(), True)
        )
    return outcome


@DBOS.step(name="nightowl.status")
async def _set_status(incident_id: str, status: IncidentStatus) -> None:
    current().store.set_status(incident_id, status)


@DBOS.step(name="nightowl.settle")
async def _settle(incident_id: str) -> None:
    """Before the report: an incident nightowl has neither resolved nor handed to an approver is
    escalated — it did what it may (observe, dry run, nothing to do), and a human owns it now."""
    store = current().store
    if store.get(incident_id).status in (IncidentStatus.OPEN, IncidentStatus.INVESTIGATING):
        store.set_status(incident_id, IncidentStatus.ESCALATED)


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


@DBOS.step(name="nightowl.resolution_check")
async def _check_resolution(incident_id: str) -> str:
    rt = current()
    incident = rt.store.get(incident_id)
    verdict = await recheck(rt, incident)
    rt.store.save_verification(incident_id, verdict)
    status = IncidentStatus.RESOLVED if verdict.recovered else IncidentStatus.ESCALATED
    rt.store.set_status(incident_id, status)
    return verdict.summary


@DBOS.step(name="nightowl.resolution_notice")
async def _announce_resolution(incident_id: str, summary: str) -> None:
    """Tell the humans how the resolution check ended (a page nightowl raised gets resolved)."""
    rt = current()
    incident = rt.store.get(incident_id)
    message = Message(
        incident_id=incident_id,
        title=incident.title,
        status=incident.status.value,
        text=summary,
        report_path=incident.report_path,
    )
    for notifier in rt.notifiers:
        rt.store.add_notification(incident_id, await notifier.send(message))


@DBOS.workflow(name="nightowl.resolution")
async def resolution_workflow(incident_id: str) -> str:
    """Every alert resolved: confirm with the signals before the incident is closed."""
    summary = await _check_resolution(incident_id)
    await _announce_resolution(incident_id, summary)
    return summary


async def start_resolution_check(incident_id: str) -> None:
    with SetWorkflowID(f"{incident_id}:resolution:{current().clock.now():%Y%m%dT%H%M%S}"):
        await DBOS.start_workflow_async(resolution_workflow, incident_id)
