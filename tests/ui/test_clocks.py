"""Under a replay, whose clock is what: the served world reads a recording of weeks ago, while
approvals and people's acts keep the wall clock (``Nightowl.wall``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.ui.world import World


def test_under_a_replay_approvals_keep_the_wall_clock(world: World) -> None:
    """The pipeline reads the recording at its own time (weeks ago); the approval it opens
    expires an approvals.timeout_seconds after now, as the people answering it live."""
    now = datetime.now(UTC)
    [request] = world.app.approvals.list()  # the world's one incident awaits it
    incident = world.app.store.get(request.incident_id)

    assert world.app.clock.now() < now - timedelta(days=1)  # the scenario's time
    assert incident.stages[0].started_at < now - timedelta(days=1)
    assert now - timedelta(minutes=5) < request.requested_at <= now
    timeout = timedelta(seconds=world.app.settings.approvals.timeout_seconds)
    assert request.expires_at - request.requested_at == timeout


def test_under_a_replay_peoples_acts_are_audited_at_the_wall_clock(world: World) -> None:
    before = datetime.now(UTC)

    record = world.app.records.audit("test.note", {"why": "a person's act"}, actor="victor")

    assert world.app.clock.now() < before - timedelta(days=1)  # the scenario's time
    assert before <= record.at <= datetime.now(UTC)
