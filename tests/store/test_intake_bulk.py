"""A batch's writes as arrays on a real PostgreSQL: every column comes back as it was sent (text,
JSON with non-ASCII, NULLs, timestamps, booleans), a known state is replaced, a state another
transaction inserted first is reported as raced, a repeated notification is attached once, and
a flush's states are moved into their incident and attached in place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from nightowl.domain import AlertState, AlertStatus
from nightowl.store import IncidentStore
from nightowl.store.groups import GroupStore
from nightowl.store.intake import load_states
from nightowl.store.intake_bulk import RacedError, attach_alerts, move_and_attach, write_states
from nightowl.store.tables import AlertRow
from tests.store.samples import T0, make_alert, make_incident

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("postgres_url")
    return url


def state(fingerprint: str, **update: object) -> AlertState:
    base = AlertState(
        fingerprint=fingerprint,
        source="alertmanager",
        name="DiskFull",
        status=AlertStatus.FIRING,
        content_hash=f"h-{fingerprint}",
        labels={"service": "checkout", "note": 'ünïcode "quoted" ≥ 5%'},
        annotations={},
        starts_at=T0,
        group_key='{}:{service="checkout"}',
        first_seen=T0,
        last_seen=T0 + timedelta(seconds=3),
    )
    return base.model_copy(update=update)


def test_states_come_back_as_they_were_written_and_known_ones_are_replaced(
    store: IncidentStore,
) -> None:
    incident = make_incident(store)
    full = state(
        "f-full",
        ends_at=T0 + timedelta(minutes=5),
        generator_url="http://prometheus/graph?g0.expr=up",
        incident_id=incident,
        silenced_by="s-1",
        inhibited_by="i-1",
        flapping=True,
        transitions=(T0, T0 + timedelta(seconds=30)),
        received=4,
        duplicates=2,
    )
    bare = state("f-bare")
    groups = GroupStore(store.engine)
    with groups.write() as session:
        write_states(session, [full, bare], {"f-full", "f-bare"})()
    with groups.write() as session:
        assert load_states(session, ["f-full", "f-bare"]) == {"f-full": full, "f-bare": bare}
        resolved = bare.model_copy(update={"status": AlertStatus.RESOLVED, "received": 2})
        write_states(session, [resolved], set())()
    with groups.write() as session:
        assert load_states(session, ["f-bare"]) == {"f-bare": resolved}


def test_a_state_believed_new_that_exists_is_reported_raced_and_not_overwritten(
    store: IncidentStore,
) -> None:
    groups = GroupStore(store.engine)
    with groups.write() as session:
        write_states(session, [state("f-1")], {"f-1"})()
    with pytest.raises(RacedError, match="1 alert state"), groups.write() as session:
        write_states(session, [state("f-1", received=9), state("f-2")], {"f-1", "f-2"})()
    with groups.write() as session:
        [kept] = load_states(session, ["f-1", "f-2"]).values()  # the raced batch rolled back
    assert kept.received == 1


def test_a_notification_repeated_for_one_incident_is_attached_once(store: IncidentStore) -> None:
    incident = make_incident(store)
    other = make_incident(store, "inc-2", key="k2")
    alert = make_alert()
    with GroupStore(store.engine).write() as session:
        attach_alerts(session, [(incident, alert), (other, alert)], T0)
        attach_alerts(session, [(incident, alert), (incident, make_alert("h2"))], T0)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(AlertRow.incident_id, func.count()).group_by(AlertRow.incident_id)
        ).all()
    assert dict(rows) == {incident: 2, other: 1}
    alerts = store.get(incident).alerts
    assert {a.content_hash for a in alerts} == {"h1", "h2"}
    assert alerts[0].labels == alert.labels


def test_moved_states_join_the_incident_and_are_attached_as_they_are(store: IncidentStore) -> None:
    """A flush's attach copies each state into the incident's alerts inside PostgreSQL; a state
    not named stays out, and moving one whose content the incident has already adds no alert."""
    incident = make_incident(store)
    moved, left = state("f-moved", ends_at=T0 + timedelta(minutes=1)), state("f-left")
    groups = GroupStore(store.engine)
    with groups.write() as session:
        write_states(session, [moved, left], {"f-moved", "f-left"})()
        move_and_attach(session, incident, ["f-moved"], T0)
        move_and_attach(session, incident, ["f-moved"], T0)
    with groups.write() as session:
        states = load_states(session, ["f-moved", "f-left"])
    assert (states["f-moved"].incident_id, states["f-left"].incident_id) == (incident, None)
    [alert] = store.get(incident).alerts
    assert (alert.fingerprint, alert.content_hash, alert.labels) == (
        "f-moved",
        "h-f-moved",
        moved.labels,
    )
    assert (alert.starts_at, alert.ends_at, alert.status) == (T0, moved.ends_at, moved.status)
