"""How many times an intake batch waits for PostgreSQL: counted in libpq's own trace of the
protocol (every ``Sync`` or simple ``Query`` the client sends is one wait for the server), on a
real PostgreSQL. On a shared machine each wait is a context switch into a backend that must
get a core, which is what bounds intake there (docs/benchmarks.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from psycopg import pq
from sqlalchemy import Engine, event

from nightowl.domain import Alert
from nightowl.intake.service import Intake
from nightowl.settings import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.store import create_engine_for, migrate
from nightowl.store.groups import GroupStore
from nightowl.store.silences import SilenceStore

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 11, 20, 3, 5, tzinfo=UTC)


def alerts(pods: range) -> list[Alert]:
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "Trips", "service": "svc", "pod": f"p-{n}"},
                "annotations": {},
                "startsAt": "2026-11-20T03:02:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
            }
            for n in pods
        ],
    }
    return list(AlertmanagerSource().parse(json.dumps(body).encode(), {}).alerts)


@pytest.fixture
def traced(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Intake, Callable[[], int]]]:
    """An intake whose connections trace the protocol, and a function counting the waits since
    it was last called."""
    engine: Engine = create_engine_for(postgres_url)
    migrate(engine)
    engine.dispose()  # connections made from here on are traced
    log = tmp_path / "libpq.trace"
    out = log.open("w")

    @event.listens_for(engine, "connect")
    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.pgconn.trace(out.fileno())
        dbapi_connection.pgconn.set_trace_flags(
            pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
        )

    seen = [0]

    def waits() -> int:
        out.flush()
        lines = log.read_text().splitlines()
        new, seen[0] = lines[seen[0] :], len(lines)
        return sum(
            1 for line in new if line.startswith("F") and ("\tSync" in line or "\tQuery" in line)
        )

    intake = Intake(
        IntakeSettings(group_wait_seconds=0), GroupStore(engine), SilenceStore(engine), lambda: T0
    )
    yield intake, waits
    engine.dispose()
    out.close()


def test_a_batch_waits_for_the_server_six_times(traced: tuple[Intake, Callable[[], int]]) -> None:
    """BEGIN; the locks and the silences; the states; the groups; every write, pipelined;
    COMMIT. (It was 12 for 50 new alerts before the writes were pipelined and the ping and the
    separate silences transaction were dropped.)"""
    intake, waits = traced
    intake.ingest_now(alerts(range(1)))  # the connection is made (and traced) here
    waits()

    outcome = intake.ingest_now(alerts(range(1, 51)))
    assert outcome.verdicts == ["new"] * 50
    assert waits() == 6
    assert intake.ingest_now(alerts(range(1, 51))).verdicts == ["duplicate"] * 50
    assert waits() == 5  # nothing changed: no group to write


def test_a_flush_that_opens_an_incident_waits_eight_times(
    traced: tuple[Intake, Callable[[], int]],
) -> None:
    """BEGIN; the group's lock; its row; its candidates; the open incidents; the recent count;
    every write, pipelined; COMMIT (13 before the writes were pipelined)."""
    intake, waits = traced
    [key] = set(intake.ingest_now(alerts(range(50))).due_groups)  # group_wait 0: due at once
    waits()

    opened = intake.flush(key)

    assert opened is not None
    assert (opened.kind, opened.alerts) == ("opened", 50)
    assert waits() == 8
