"""Correlation of groups into incidents (same service, one call path), flapping alerts and alert
storms — on a real SQLite store with a clock the test moves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nightowl.domain import IncidentStatus
from tests.intake.desk import am_alert

# correlation -------------------------------------------------------------------------------


def test_another_alert_of_the_service_joins_within_the_window_only(make_desk: Any) -> None:
    desk = make_desk(correlation_window_minutes=30)
    _, [first] = desk.receive(am_alert())

    desk.now += timedelta(minutes=29)
    _, [joined] = desk.receive(am_alert("HighErrorRate"))
    desk.now += timedelta(minutes=2)
    _, [beyond] = desk.receive(am_alert("PodRestarts"))

    assert (joined.kind, joined.incident_id) == ("joined", first.incident_id)
    assert joined.reason == "same service checkout as the open incident"
    assert beyond.kind == "opened"
    assert beyond.incident_id != first.incident_id


def test_services_that_depend_on_each_other_correlate_both_ways(make_desk: Any) -> None:
    desk = make_desk(topology={"frontend": ["checkout"], "checkout": ["payments"]})
    _, [first] = desk.receive(am_alert())

    _, [caller] = desk.receive(am_alert("HighErrorRate", service="frontend"))
    _, [callee] = desk.receive(am_alert("SlowQueries", service="payments"))
    _, [unrelated] = desk.receive(am_alert("DiskFull", service="search"))

    assert (caller.kind, caller.incident_id) == ("joined", first.incident_id)
    assert caller.reason == "frontend and checkout depend on each other"
    assert (callee.kind, callee.incident_id) == ("joined", first.incident_id)
    assert unrelated.kind == "opened"
    assert len(desk.store.list()) == 2


def test_services_further_along_one_call_path_correlate_but_siblings_do_not(
    make_desk: Any,
) -> None:
    """A slow dependency pages its callers' callers too: one problem, one incident. Two services
    that merely share a dependency are not on one path."""
    topology = {"frontend": ["checkout", "inventory"], "checkout": ["payments"], "inventory": []}
    desk = make_desk(topology=topology)
    _, [first] = desk.receive(am_alert("HighErrorRate", service="frontend"))

    _, [deep] = desk.receive(am_alert("HighLatency", service="payments"))

    assert (deep.kind, deep.incident_id) == ("joined", first.incident_id)
    assert deep.reason == "payments and frontend are 2 calls apart"

    other = make_desk(topology=topology)
    _, [a] = other.receive(am_alert("HighLatency", service="payments"))
    _, [b] = other.receive(am_alert("HighLatency", service="inventory"))
    assert b.kind == "opened"  # payments and inventory: no call path between them
    assert b.incident_id != a.incident_id


def test_without_topology_another_service_opens_its_own_incident(make_desk: Any) -> None:
    desk = make_desk()
    desk.receive(am_alert())

    _, [other] = desk.receive(am_alert("HighErrorRate", service="frontend"))

    assert other.kind == "opened"


def test_a_new_alert_joins_the_open_incident_of_its_group(make_desk: Any) -> None:
    desk = make_desk()
    _, [first] = desk.receive(am_alert())

    desk.now += timedelta(hours=3)  # beyond the correlation window, but the group is still open
    outcome, _ = desk.receive(am_alert(instance="web-9"))

    assert set(outcome.incident_of.values()) == {first.incident_id}


# flapping ------------------------------------------------------------------------------------


def test_a_flapping_alert_stays_with_its_incident(make_desk: Any) -> None:
    desk = make_desk(flap_transitions=3, flap_window_minutes=10)
    _, [opened] = desk.receive(am_alert())

    desk.now += timedelta(minutes=1)
    resolved, _ = desk.receive(am_alert(status="resolved"))
    desk.now += timedelta(minutes=1)
    refired, flushed = desk.receive(am_alert(starts="2026-11-20T03:04:00Z"))

    assert resolved.all_resolved == {opened.incident_id}
    assert refired.verdicts == ["updated"]
    assert refired.counts.flapping == 1
    assert flushed == []
    state = desk.state(am_alert())
    assert state.flapping is True
    assert state.incident_id == opened.incident_id
    assert len(state.transitions) == 3
    assert len(desk.store.list()) == 1
    assert len(desk.store.get(str(opened.incident_id)).alerts) == 3


def test_a_flapping_alert_that_fires_after_its_incident_closed_opens_a_new_one(
    make_desk: Any,
) -> None:
    """Flapping keeps an alert with its incident while that is open; once the incident is resolved,
    a re-fire is a page again — never attached to a closed incident where nobody looks."""
    desk = make_desk(flap_transitions=3, flap_window_minutes=10)
    _, [opened] = desk.receive(am_alert())
    desk.now += timedelta(minutes=1)
    desk.receive(am_alert(status="resolved"))
    desk.store.set_status(str(opened.incident_id), IncidentStatus.RESOLVED)

    desk.now += timedelta(minutes=1)
    refired, [flushed] = desk.receive(am_alert(starts="2026-11-20T03:04:00Z"))

    assert refired.counts.flapping == 1
    assert flushed.kind == "opened"
    assert flushed.incident_id != opened.incident_id
    state = desk.state(am_alert())
    assert state.flapping is True
    assert state.incident_id == flushed.incident_id
    assert len(desk.store.get(str(flushed.incident_id)).alerts) == 1


def test_transitions_spread_beyond_the_flap_window_are_not_flapping(make_desk: Any) -> None:
    desk = make_desk(flap_transitions=3, flap_window_minutes=10)
    desk.receive(am_alert())

    desk.now += timedelta(minutes=11)
    desk.receive(am_alert(status="resolved"))
    desk.now += timedelta(minutes=11)
    refired, _ = desk.receive(am_alert(starts="2026-11-20T03:24:00Z"))

    assert refired.verdicts == ["new"]  # a fresh firing
    assert refired.counts.flapping == 0
    assert desk.state(am_alert()).flapping is False


# storms ------------------------------------------------------------------------------------


def test_above_the_storm_rate_new_groups_fold_into_one_storm_incident(make_desk: Any) -> None:
    desk = make_desk(storm_alerts_per_minute=5)
    storm = [am_alert(f"Probe{n}", service=f"svc-{n}") for n in range(12)]

    outcome, flushed = desk.receive(*storm)

    assert outcome.counts.new == 12
    assert len(flushed) == 12
    assert [r.kind for r in flushed] == ["opened"] + ["joined"] * 11
    assert {r.incident_id for r in flushed} == {flushed[0].incident_id}
    assert "alert storm: 12 alerts in the last minute (limit 5)" in flushed[0].reason
    [incident] = desk.store.list()
    assert incident.title == "Alert storm"
    assert len(desk.store.get(incident.id).alerts) == 12  # every alert kept, none dropped
    assert {desk.state(a).incident_id for a in storm} == {incident.id}


def test_a_dispatcher_cycle_counts_the_storm_once_for_all_its_groups(make_desk: Any) -> None:
    """The groups falling due in one cycle are judged by one count of the last minute's alerts:
    all twelve fold into the storm (waiting groups, flushed by the dispatcher, not inline)."""
    desk = make_desk(storm_alerts_per_minute=5, group_wait_seconds=30)
    counted = []
    count = desk.intake.groups.recent_alerts
    desk.intake.groups.recent_alerts = lambda *a: counted.append(count(*a)) or counted[-1]
    desk.send(*[am_alert(f"Probe{n}", service=f"svc-{n}") for n in range(12)])

    flushed = desk.later(seconds=31)

    assert counted == [12]
    assert [r.kind for r in flushed] == ["opened"] + ["joined"] * 11
    assert "alert storm: 12 alerts in the last minute (limit 5)" in flushed[0].reason


def test_below_the_storm_rate_groups_open_their_own_incidents(make_desk: Any) -> None:
    desk = make_desk(storm_alerts_per_minute=5)

    _, flushed = desk.receive(*[am_alert(f"Probe{n}", service=f"svc-{n}") for n in range(4)])

    assert [r.kind for r in flushed] == ["opened"] * 4
    assert len(desk.store.list()) == 4
