"""The intake service's group commit on a real PostgreSQL: requests batched into one transaction
are isolated from each other when the batch fails, so one bad request fails alone; and silences
hold across replicas from the next alert on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest

from nightowl.domain import AlertGroup, Matcher, MatchOp
from nightowl.settings import IntakeSettings
from nightowl.store import IncidentStore
from tests.intake.desk import T0, Desk, alerts_of, am_alert

pytestmark = pytest.mark.postgres


@pytest.fixture
def desk(postgres_url: str) -> Iterator[Desk]:
    store = IncidentStore.open(postgres_url)
    # A long batch wait, so that every request of the test lands in one group commit.
    yield Desk(store, IntakeSettings(group_wait_seconds=60, batch_wait_ms=300, batch_max=1000))
    store.close()


def group(alert: dict[str, object], **changes: object) -> AlertGroup:
    [parsed] = alerts_of(alert)
    return AlertGroup(
        source="alertmanager",
        group_key="{}:{}",
        status=parsed.status,
        alerts=(parsed.model_copy(update=changes),),
    )


def test_one_bad_request_in_a_group_commit_fails_alone(desk: Desk) -> None:
    good = [group(am_alert(f"Probe{n}", service=f"svc-{n}")) for n in range(12)]
    # A NUL byte reaches the database only if intake's bounds are bypassed; PostgreSQL refuses it.
    bad = group(am_alert("Poison", service="svc-x"), name="Poi\x00son")

    async def main() -> list[object]:
        try:
            return await asyncio.gather(
                *(desk.intake.submit(g) for g in [*good[:6], bad, *good[6:]]),
                return_exceptions=True,
            )
        finally:
            await desk.intake.stop()

    results = asyncio.run(main())

    failed = [r for r in results if isinstance(r, BaseException)]
    assert len(failed) == 1, failed
    assert results[6] is failed[0]
    assert "NUL" in str(failed[0]) or "0x00" in str(failed[0])
    assert all(r.counts.new == 1 for r in results if not isinstance(r, BaseException))


def test_a_silence_added_on_one_replica_holds_on_the_next_alert_of_another(
    postgres_url: str,
) -> None:
    """Two intakes (two API replicas) on one database: silences are read at every batch, never
    from a per-process copy, so the other replica's very next alert is silenced."""
    store = IncidentStore.open(postgres_url)
    try:
        settings = IntakeSettings(group_wait_seconds=60)
        one, other = Desk(store, settings), Desk(store, settings)
        other.send(am_alert("Warmup", service="search"))  # the other replica has read silences
        matchers = (Matcher(name="service", op=MatchOp.EQ, value="payments"),)
        silence = one.intake.add_silence(
            matchers, T0 - timedelta(minutes=1), T0 + timedelta(hours=1), "oncall", "deploying"
        )
        alert = am_alert("HighLatency", service="payments")
        other.send(alert)
        assert other.state(alert).silenced_by == silence.id
    finally:
        store.close()
