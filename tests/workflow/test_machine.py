"""The engine's state machine, without DBOS: which stage follows which outcome."""

from __future__ import annotations

from nightowl.domain import Next, StageName
from nightowl.workflow.machine import Machine, Outcome
from nightowl.workflow.pipeline import PIPELINE

OK = Outcome(summary="ok")


def walk(machine: Machine, outcomes: dict[StageName, list[Outcome]]) -> list[StageName]:
    """Run the machine to its end, answering each stage from ``outcomes`` (then OK)."""
    seen = []
    while (stage := machine.stage) is not None:
        seen.append(stage)
        queue = outcomes.get(stage, [])
        machine.advance(queue.pop(0) if queue else OK)
    return seen


def test_the_pipeline_in_order_when_every_stage_continues() -> None:
    assert walk(Machine(PIPELINE), {}) == list(PIPELINE)


def test_a_failure_skips_to_report_and_notify_and_marks_the_run_failed() -> None:
    machine = Machine(PIPELINE)
    seen = walk(machine, {StageName.PLAN: [Outcome(summary="boom", failed=True)]})
    assert seen == [*PIPELINE[:5], StageName.REPORT, StageName.NOTIFY]
    assert machine.failed


def test_stop_skips_to_the_stages_that_always_run_without_failing() -> None:
    machine = Machine(PIPELINE)
    seen = walk(machine, {StageName.GATE: [Outcome(summary="enough", next=Next.STOP)]})
    assert seen[-3:] == [StageName.GATE, StageName.REPORT, StageName.NOTIFY]
    assert not machine.failed


def test_rediagnose_goes_back_to_diagnose_and_remembers_what_was_tried() -> None:
    machine = Machine(PIPELINE)
    again = Outcome(
        summary="not recovered",
        next=Next.REDIAGNOSE,
        tried=("bad_deploy:checkout",),
        tried_runbooks=("rollback-bad-deploy",),
    )
    seen = walk(machine, {StageName.VERIFY: [again]})
    start, verify = PIPELINE.index(StageName.DIAGNOSE), PIPELINE.index(StageName.VERIFY)
    assert seen == [*PIPELINE[: verify + 1], *PIPELINE[start:]]
    assert machine.round.cycle == 1
    assert machine.round.tried == ("bad_deploy:checkout",)
    assert machine.round.tried_runbooks == ("rollback-bad-deploy",)


def test_look_again_pauses_then_gathers_again_counting_the_looks() -> None:
    machine = Machine(PIPELINE, look_again_seconds=5)
    for stage in PIPELINE[:3]:
        assert machine.stage is stage
        machine.advance(OK)
    assert machine.advance(Outcome(summary="not yet", next=Next.LOOK_AGAIN)) == 5
    assert machine.stage is StageName.GATHER
    assert machine.round.looks == 1


def test_the_observations_reference_is_kept_for_the_rest_of_the_run() -> None:
    machine = Machine(PIPELINE)
    machine.advance(OK)
    machine.advance(Outcome(summary="gathered", observations="inc-1/look0"))
    assert machine.round.observations == "inc-1/look0"
    machine.advance(OK)
    assert machine.round.observations == "inc-1/look0"
