"""The durable incident workflow on DBOS: one run per incident, keyed by the incident id.

Each stage is a DBOS step, so after a crash DBOS replays the workflow and completed stages return
their recorded outcome instead of running again; only a stage that was interrupted runs again (its
``attempt`` goes up, and its writes replace the earlier attempt's). Starting the workflow with an id
that exists returns the existing run: a webhook delivered twice never starts a second one.

The engine loads the incident once per stage round and passes it in; the control flow between
stages is the state machine in ``machine.py``; the observations a stage returns are stored once
(``ObservationStore``) and only their reference travels in DBOS's step results.

DBOS calls workflow and step functions by name (also when it recovers them after a crash), so they
cannot take the pipeline as an argument: the composition root binds one ``Pipeline`` per process
(``bind``) before DBOS launches.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from dbos import DBOS, SetEnqueueOptions, SetWorkflowID, WorkflowHandleAsync

from nightowl.clock import Clock
from nightowl.domain import (
    Incident,
    IncidentStatus,
    Next,
    Observations,
    Reply,
    Round,
    Stage,
    StageContext,
    StageName,
    StageRecord,
    StageResult,
    StageStatus,
)
from nightowl.domain.base import Model
from nightowl.errors import ConfigError, NightowlError
from nightowl.logs import incident_context
from nightowl.notify.broadcast import Broadcast
from nightowl.store import IncidentStore
from nightowl.store.observations import ObservationStore
from nightowl.store.traces import TraceStore
from nightowl.telemetry import enabled, meters, span
from nightowl.telemetry.spans import incident_trace, opening_traceparent
from nightowl.verify.recheck import ResolutionCheck
from nightowl.workflow.machine import Machine, Outcome
from nightowl.workflow.pipeline import PIPELINE
from nightowl.workflow.queues import INCIDENTS, Lane

log = logging.getLogger(__name__)
AfterStage = Callable[[StageName], Awaitable[None]]


class StepInput(Model):
    """What a stage step is called with (recorded by DBOS: small)."""

    round: Round = Round()
    reply: Reply | None = None


@dataclass
class Pipeline:
    """The stages and what the engine itself needs, built by the composition root."""

    stages: Mapping[StageName, Stage]
    store: IncidentStore
    observations: ObservationStore
    resolution: ResolutionCheck
    broadcast: Broadcast
    clock: Clock
    look_again_seconds: float = 0.0
    after_stage: AfterStage | None = None
    """Called after every stage; the lab's crash tests pause here to kill the process."""
    lanes: Mapping[StageName, Lane] = field(default_factory=dict)
    """Stages that run as child workflows on a queue of their own (``queues.lanes``)."""
    traces: TraceStore | None = None
    """Where each incident's trace context is kept (the workflow continues it after a crash)."""

    def __post_init__(self) -> None:
        missing = [name.value for name in PIPELINE if name not in self.stages]
        if missing:
            raise ConfigError(f"the pipeline has no stage for {', '.join(missing)}")
        self._cache: OrderedDict[str, Observations | None] = OrderedDict()

    async def load(self, ref: str) -> Observations | None:
        """The observations stored under ``ref`` (a few recent ones are kept in memory)."""
        if ref not in self._cache:
            self._cache[ref] = await asyncio.to_thread(self.observations.load, ref)
            while len(self._cache) > 4:
                self._cache.popitem(last=False)
        return self._cache[ref]

    async def run_stage(
        self, incident_id: str, name: StageName, given: StepInput, resume: bool
    ) -> Outcome:
        """Run one stage on the incident as stored now, and record how it went; every line
        logged meanwhile names the incident and the stage."""
        attributes = {"nightowl.stage": name.value, "nightowl.stage.resumed": resume}
        with (
            incident_context(incident_id, name.value),
            span(f"stage {name.value}", attributes) as s,
        ):
            log.info("stage %s %s", name.value, "resumed" if resume else "started")
            with meters.timed(meters.STAGE_SECONDS.labels(name.value)):
                outcome = await self._run_stage(incident_id, name, given, resume)
            meters.count(meters.STAGES.labels(name.value, "failed" if outcome.failed else "done"))
            s.set("nightowl.stage.summary", outcome.summary[:500])
            if outcome.failed:
                s.fail(outcome.summary[:500])
            log.info(
                "stage %s %s: %s",
                name.value,
                "failed" if outcome.failed else "done",
                outcome.summary,
            )
            return outcome

    async def _run_stage(
        self, incident_id: str, name: StageName, given: StepInput, resume: bool
    ) -> Outcome:
        incident = self.store.get(incident_id)
        previous = next((s for s in incident.stages if s.stage is name), None)
        attempt = (previous.attempt + (0 if resume else 1)) if previous else 1
        started = self.clock.now()
        running = StageRecord(
            stage=name, status=StageStatus.RUNNING, started_at=started, attempt=attempt
        )
        self.store.record_stage(incident_id, running, attempt)
        incident = _with_record(incident, running)
        ctx = StageContext(round=given.round, reply=given.reply, loader=self.load)
        try:
            result = await self.stages[name].run(ctx, incident)
        except Exception as exc:  # recorded on the incident; the workflow goes on to report
            detail = str(exc) if isinstance(exc, NightowlError) else f"{type(exc).__name__}: {exc}"
            log.exception("stage %s of %s failed", name.value, incident_id)
            self._finish(incident_id, running, StageStatus.FAILED, error=detail)
            return Outcome(summary=f"failed: {detail}", failed=True)
        self._finish(incident_id, running, StageStatus.COMPLETED, summary=result.summary)
        return self._outcome(incident_id, given.round, result)

    def _finish(
        self, incident_id: str, running: StageRecord, status: StageStatus, **kw: str
    ) -> None:
        record = running.model_copy(
            update={"status": status, "finished_at": self.clock.now(), **kw}
        )
        self.store.record_stage(incident_id, record, running.attempt)

    def _outcome(self, incident_id: str, current: Round, result: StageResult) -> Outcome:
        ref = None
        if result.observations is not None:
            key = f"look{current.looks}"
            ref = self.observations.save(incident_id, key, result.observations, self.clock.now())
            self._cache[ref] = result.observations
        return Outcome(
            summary=result.summary,
            next=result.next,
            wait=result.wait,
            tried=result.tried,
            tried_runbooks=result.tried_runbooks,
            observations=ref,
        )


def _with_record(incident: Incident, record: StageRecord) -> Incident:
    """``incident`` with ``record`` in place of its stage's earlier record (in pipeline order)."""
    order = list(StageName)
    stages = [s for s in incident.stages if s.stage is not record.stage]
    stages = sorted([*stages, record], key=lambda s: order.index(s.stage))
    return incident.model_copy(update={"stages": tuple(stages)})


_bound: Pipeline | None = None


def bind(pipeline: Pipeline | None) -> None:
    """Bind the process's pipeline (the composition root does this before DBOS launches)."""
    global _bound
    _bound = pipeline


def bound() -> Pipeline:
    """The bound pipeline; ConfigError when the process was not started through ``nightowl.app``."""
    if _bound is None:
        raise ConfigError("the incident pipeline is not bound: start nightowl through nightowl.app")
    return _bound


@DBOS.step(name="nightowl.stage")
async def run_stage(incident_id: str, stage: str, given_json: str, resume: bool = False) -> str:
    """Run one stage; ``resume``: the same attempt, woken after the wait it asked for."""
    given = StepInput.model_validate_json(given_json)
    outcome = await bound().run_stage(incident_id, StageName(stage), given, resume)
    return outcome.model_dump_json()


@DBOS.workflow(name="nightowl.incident")
async def incident_workflow(incident_id: str) -> str:
    """The durable run of one incident: the state machine over the stages until none is left.

    Each stage is one DBOS step, so a crash resumes after the last completed one; a pause the
    machine asks for (look again later) is a durable sleep. Escalates the incident when a stage
    failed.
    """
    pipeline = bound()
    machine = Machine(PIPELINE, pipeline.look_again_seconds)
    service, traceparent = await asyncio.to_thread(_trace_of, pipeline, incident_id)
    with incident_context(incident_id), incident_trace(incident_id, service, traceparent):
        while (stage := machine.stage) is not None:
            if stage is StageName.REPORT:
                await _settle(incident_id)
            outcome = await _run(incident_id, stage, machine.round)
            pause = machine.advance(outcome)
            if pause > 0:
                await DBOS.sleep_async(pause)  # durable: a crash resumes with the time left
            if pipeline.after_stage is not None:
                await pipeline.after_stage(stage)
        if machine.failed:
            log.warning("escalated: a stage failed")
            await _set_status(incident_id, IncidentStatus.ESCALATED)
    return incident_id


async def _run(incident_id: str, stage: StageName, current: Round) -> Outcome:
    """Run a stage; while it asks to wait, wait durably for a message (or the timeout) and run it
    again with what came back. ``DBOS.recv_async`` keeps its deadline in the system database, so a
    wait cut short by a crash resumes with the time that was left."""
    given = StepInput(round=current)
    lane = bound().lanes.get(stage)
    first = (
        await run_stage(incident_id, stage.value, given.model_dump_json())
        if lane is None
        else await _in_lane(lane, incident_id, stage, given)
    )
    outcome = Outcome.model_validate_json(first)
    while outcome.next is Next.WAIT and outcome.wait is not None:
        message = await DBOS.recv_async(outcome.wait.topic, outcome.wait.timeout_seconds)
        woken = StepInput(round=current, reply=Reply(message=message))
        outcome = Outcome.model_validate_json(
            await run_stage(incident_id, stage.value, woken.model_dump_json(), True)
        )
    return outcome


async def _in_lane(lane: Lane, incident_id: str, stage: StageName, given: StepInput) -> str:
    """Run the stage as a child workflow on its lane's queue and wait for its outcome; on a
    partitioned lane keyed by the incident's service, so one service's stages never overlap.
    After a crash the parent's replay finds the same child (DBOS numbers it by its place in the
    parent), so the stage is never enqueued twice."""
    key = await _partition(incident_id) if lane.partitioned else None
    with SetEnqueueOptions(queue_partition_key=key):
        handle = await DBOS.enqueue_workflow_async(
            lane.queue, lane_workflow, incident_id, stage.value, given.model_dump_json()
        )
    return await handle.get_result()


@DBOS.step(name="nightowl.partition")
async def _partition(incident_id: str) -> str:
    """The incident's service (its remediation partition); "-" when no service is known."""
    return bound().store.get(incident_id).service or "-"


@DBOS.workflow(name="nightowl.lane")
async def lane_workflow(incident_id: str, stage: str, given_json: str) -> str:
    """One stage of an incident, run from its lane's queue (on whichever worker dequeues it),
    inside the incident's trace like the stages its own workflow runs."""
    service, traceparent = await asyncio.to_thread(_trace_of, bound(), incident_id)
    with (
        incident_context(incident_id, stage),
        incident_trace(incident_id, service, traceparent, "incident lane"),
    ):
        return await run_stage(incident_id, stage, given_json)


@DBOS.step(name="nightowl.status")
async def _set_status(incident_id: str, status: IncidentStatus) -> None:
    bound().store.set_status(incident_id, status)


@DBOS.step(name="nightowl.settle")
async def _settle(incident_id: str) -> None:
    """Before the report: an incident nightowl has neither resolved nor handed to an approver is
    escalated — it did what it may (observe, dry run, nothing to do), and a human owns it now."""
    store = bound().store
    if store.get(incident_id).status in (IncidentStatus.OPEN, IncidentStatus.INVESTIGATING):
        store.set_status(incident_id, IncidentStatus.ESCALATED)


def _trace_of(pipeline: Pipeline, incident_id: str) -> tuple[str | None, str | None]:
    """The incident's service and stored trace context (not a step: it only names spans);
    nothing is read while tracing is off."""
    if pipeline.traces is None or not enabled():
        return None, None
    return pipeline.store.get(incident_id).service, pipeline.traces.get(incident_id)


async def start_incident(incident_id: str) -> None:
    """Enqueue the incident's workflow for a worker, or do nothing if it exists already; when
    tracing is on, the incident's trace is opened first (under the current span: the webhook's)."""
    traces = bound().traces
    if (
        traces is not None
        and enabled()
        and await asyncio.to_thread(traces.get, incident_id) is None
    ):
        opened = opening_traceparent(incident_id)
        if opened is not None:
            await asyncio.to_thread(traces.claim, incident_id, opened, bound().clock.now())
    with SetWorkflowID(incident_id):
        await DBOS.enqueue_workflow_async(INCIDENTS, incident_workflow, incident_id)


async def wait_for(incident_id: str, timeout: float | None = None) -> None:
    """Wait (at most ``timeout`` seconds) for the incident's workflow to finish."""
    handle: WorkflowHandleAsync[str] = await DBOS.retrieve_workflow_async(incident_id)
    await asyncio.wait_for(handle.get_result(), timeout=timeout)


@DBOS.step(name="nightowl.resolution_check")
async def _check_resolution(incident_id: str) -> str:
    checked = await bound().resolution.run(incident_id)
    return checked.verification.summary if checked.verification else ""


@DBOS.step(name="nightowl.resolution_notice")
async def _announce_resolution(incident_id: str, summary: str) -> None:
    """Tell the humans how the resolution check ended (a page nightowl raised gets resolved)."""
    pipeline = bound()
    await pipeline.broadcast.page(pipeline.store.get(incident_id), summary, report=True)


@DBOS.workflow(name="nightowl.resolution")
async def resolution_workflow(incident_id: str) -> str:
    """Every alert resolved: confirm with the signals before the incident is closed."""
    with incident_context(incident_id, "resolution"):
        summary = await _check_resolution(incident_id)
        await _announce_resolution(incident_id, summary)
    return summary


async def start_resolution_check(incident_id: str) -> None:
    """Start a resolution check of the incident, keyed by the time: each all-resolved moment gets
    one.
    """
    with SetWorkflowID(f"{incident_id}:resolution:{bound().clock.now():%Y%m%dT%H%M%S}"):
        await DBOS.enqueue_workflow_async(INCIDENTS, resolution_workflow, incident_id)
