"""Every driver builds its results the same way: a real result with the states before and after,
a dry run that changes nothing, and a rollback whose before-state is what the action left."""

from __future__ import annotations

from datetime import UTC, datetime

from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionSpec, ActionStatus, BlastRadius, Risk

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SCALE = ActionSpec(
    kind="scale_out", service="checkout", params={"factor": 2}, runbook="r", risk=Risk.LOW,
    reason="traffic", rollback="scale back", idempotency_key="inc-1-scale",
)  # fmt: skip


def test_a_result_carries_the_action_the_states_and_the_radius() -> None:
    radius = BlastRadius(replicas_before=3, replicas_after=6, summary="3 → 6 replicas")
    done = result(
        SCALE, "k8s", ActionStatus.SUCCEEDED, AT, pre={"replicas": 3, "node": "n1"},
        post={"replicas": 6}, message="scaled", radius=radius,
    )  # fmt: skip
    assert (done.kind, done.service, done.idempotency_key, done.driver) == (
        "scale_out",
        "checkout",
        "inc-1-scale",
        "k8s",
    )
    assert (done.dry_run, done.started_at, done.blast_radius) == (False, AT, radius)
    assert done.pre_state.replicas == 3
    assert done.pre_state.facts == {"node": "n1"}  # what only the driver reads is kept apart
    assert done.post_state.replicas == 6
    assert done.finished_at >= AT


def test_a_dry_run_reports_what_it_would_do_and_changes_nothing() -> None:
    preview = dry_run_result(SCALE, "k8s", AT, pre={"replicas": 3}, plan="scale to 6")
    assert (preview.status, preview.dry_run) == (ActionStatus.DRY_RUN, True)
    assert preview.message == "dry run: would scale to 6"
    assert preview.post_state == preview.pre_state  # nothing changed
    expected = dry_run_result(SCALE, "k8s", AT, pre={"replicas": 3}, plan="p", post={"replicas": 6})
    assert expected.post_state.replicas == 6  # the state it would leave, when the driver knows


def test_a_rollback_starts_from_what_the_action_left() -> None:
    states = {"pre": {"replicas": 3}, "post": {"replicas": 6}}
    done = result(SCALE, "k8s", ActionStatus.SUCCEEDED, AT, **states, message="scaled")
    started = now()
    undone = rolled_back(done, "k8s", started, {"replicas": 3}, "scaled back to 3")
    assert (undone.status, undone.message, undone.started_at) == (
        ActionStatus.ROLLED_BACK,
        "scaled back to 3",
        started,
    )
    assert (undone.pre_state.replicas, undone.post_state.replicas) == (6, 3)
    assert undone.idempotency_key == done.idempotency_key
    assert started.tzinfo is UTC
