"""Grouping, inhibition, silences, correlation, flapping and storms — on a real SQLite store with a
clock the test moves — and the resolution of an incident's alerts through a launched nightowl."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nightowl.domain import AlertState, IncidentStatus
from nightowl.intake.matchers import parse_matchers
from nightowl.intake.service import Intake
from nightowl.settings import IntakeSettings
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.store import IncidentStore
from nightowl.store.groups import FlushResult, GroupStore
from nightowl.store.intake import IngestOutcome, load_states
from nightowl.store.silences import SilenceStore

T0 = datetime(2026, 11, 20, 3, 2, 5, tzinfo=UTC)


def am_alert(
    name: str = "HighLatency",
    service: str | None = "checkout",
    status: str = "firing",
    starts: str = "2026-11-20T03:02:00Z",
    **labels: str,
) -> dict[str, Any]:
    all_labels = {"alertname": name, "severity": "critical", **labels}
    if service:
        all_labels["service"] = service
    return {
        "status": status,
        "labels": all_labels,
        "annotations": {"summary": f"{name} on {service}"},
        "startsAt": starts,
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-11-20T03:30:00Z",
    }


def alerts_of(*alerts: dict[str, Any]) -> list[Any]:
    body = {
        "version": "4",
        "groupKey": "{}:{}",
        "status": "firing",
        "receiver": "nightowl",
        "alerts": list(alerts),
    }
    return list(AlertmanagerSource().parse(json.dumps(body).encode(), {}).alerts)


@dataclass
class Desk:
    """An intake over a real store, on a clock the test moves."""

    store: IncidentStore
    settings: IntakeSettings
    now: datetime = T0
    intake: Intake = field(init=False)

    def __post_init__(self) -> None:
        self.intake = Intake(
            self.settings,
            GroupStore(self.store.engine),
            SilenceStore(self.store.engine),
            lambda: self.now,
        )

    def send(self, *alerts: dict[str, Any]) -> IngestOutcome:
        return self.intake.ingest_now(alerts_of(*alerts))

    def receive(self, *alerts: dict[str, Any]) -> tuple[IngestOutcome, list[FlushResult]]:
        """Ingest, then flush what is due at once (what the webhook does with group_wait 0)."""
        outcome = self.send(*alerts)
        flushed = [r for key in outcome.due_groups if (r := self.intake.flush(key)) is not None]
        return outcome, flushed

    def later(self, **delta: float) -> list[FlushResult]:
        """Move the clock, then run one dispatcher cycle."""
        self.now += timedelta(**delta)
        return self.intake.flush_due()

    def state(self, alert: dict[str, Any]) -> AlertState:
        [parsed] = alerts_of(alert)
        with self.intake.groups.write() as session:
            return load_states(session, [parsed.fingerprint])[parsed.fingerprint]


@pytest.fixture
def make_desk(tmp_path: Path) -> Iterator[Any]:
    stores: list[IncidentStore] = []

    def make(**settings: Any) -> Desk:
        store = IncidentStore.open(f"sqlite:///{tmp_path / f'intake{len(stores)}.sqlite'}")
        stores.append(store)
        return Desk(store, IntakeSettings(**{"group_wait_seconds": 0, **settings}))

    yield make
    for store in stores:
        store.close()


# group_wait, group_interval, repeat_interval ---------------------------------------------------


def test_a_group_waits_for_company_then_opens_one_incident(make_desk: Any) -> None:
    desk = make_desk(group_wait_seconds=30)

    outcome = desk.send(am_alert())
    assert outcome.due_groups == []
    assert outcome.incident_of == {}
    assert desk.later(seconds=10) == []

    desk.now += timedelta(seconds=5)
    joined_early = desk.send(am_alert(instance="web-2"))  # same group: alertname + service
    assert desk.store.list() == []

    [opened] = desk.later(seconds=15)  # 30 s after the first alert

    assert opened.kind == "opened"
    assert opened.alerts == 2
    incident = desk.store.get(str(opened.incident_id))
    assert len(incident.alerts) == 2
    assert joined_early.verdicts == ["new"]
    assert desk.later(seconds=1) == []  # flushed exactly once


def test_notifications_after_the_flush_are_attached_and_summed_every_group_interval(
    make_desk: Any,
) -> None:
    desk = make_desk(group_interval_seconds=300)
    _, [opened] = desk.receive(am_alert())

    desk.now += timedelta(seconds=20)
    outcome = desk.send(am_alert(instance="web-2"))
    desk.now += timedelta(seconds=10)
    desk.send(am_alert(instance="web-3"))

    assert set(outcome.incident_of.values()) == {opened.incident_id}  # attached at once
    assert desk.later(seconds=200) == []  # the interval runs from the first update
    [update] = desk.later(seconds=100)
    assert (update.kind, update.incident_id, update.alerts) == ("update", opened.incident_id, 2)
    assert len(desk.store.get(str(opened.incident_id)).alerts) == 3
    assert desk.later(seconds=300) == []  # nothing new since


def test_an_open_incident_is_repeated_every_repeat_interval_until_resolved(
    make_desk: Any,
) -> None:
    desk = make_desk(repeat_interval_seconds=3600)
    _, [opened] = desk.receive(am_alert())

    assert desk.later(minutes=59) == []
    [repeat] = desk.later(minutes=1)
    assert (repeat.kind, repeat.incident_id) == ("repeat", opened.incident_id)
    assert "incident still open" in repeat.reason
    assert desk.later(minutes=30) == []
    [again] = desk.later(minutes=30)
    assert again.kind == "repeat"

    desk.store.set_status(str(opened.incident_id), IncidentStatus.RESOLVED)
    assert desk.later(hours=2) == []


def test_a_resolved_only_notification_opens_nothing(make_desk: Any) -> None:
    desk = make_desk(group_wait_seconds=5)

    outcome = desk.send(am_alert(status="resolved"))

    assert outcome.verdicts == ["new"]
    assert outcome.due_groups == []
    assert desk.later(minutes=10) == []
    assert desk.store.list() == []
    assert desk.state(am_alert(status="resolved")).incident_id is None


def test_a_duplicate_is_counted_and_changes_nothing_else(make_desk: Any) -> None:
    desk = make_desk()
    _, [opened] = desk.receive(am_alert())

    desk.now += timedelta(minutes=1)
    again, flushed = desk.receive(am_alert())

    assert again.verdicts == ["duplicate"]
    assert again.counts.duplicates == 1
    assert flushed == []
    state = desk.state(am_alert())
    assert (state.received, state.duplicates) == (1, 1)
    assert state.incident_id == opened.incident_id
    assert len(desk.store.get(str(opened.incident_id)).alerts) == 1


# inhibition --------------------------------------------------------------------------------

INHIBIT = {
    "inhibit_rules": [
        {
            "source_matchers": ['alertname="ClusterDown"'],
            "target_matchers": ['severity=~"warning|critical"', 'alertname!="ClusterDown"'],
            "equal": ["cluster"],
        }
    ]
}


def test_a_firing_source_mutes_targets_with_equal_labels(make_desk: Any) -> None:
    desk = make_desk(**INHIBIT)
    source = am_alert("ClusterDown", service="platform", cluster="eu-1")
    target = am_alert("HighLatency", service="checkout", cluster="eu-1")
    elsewhere = am_alert("HighErrorRate", service="payments", cluster="us-1")

    _, flushed = desk.receive(source, target, elsewhere)

    kinds = {r.group_key: r for r in flushed}
    muted = kinds[desk.state(target).group_key]
    assert (muted.kind, muted.incident_id) == ("suppressed", None)
    assert muted.reason == "every alert of the group is inhibited"
    inhibited_by = desk.state(target).inhibited_by
    assert inhibited_by is not None
    assert inhibited_by.startswith("ClusterDown (")
    assert desk.state(target).incident_id is None
    assert desk.state(elsewhere).inhibited_by is None
    assert desk.state(elsewhere).incident_id is not None
    assert desk.state(source).inhibited_by is None  # an alert never inhibits itself
    assert {i.service for i in desk.store.list()} == {"platform", "payments"}


def test_a_resolved_source_inhibits_nothing(make_desk: Any) -> None:
    desk = make_desk(**INHIBIT)
    desk.receive(am_alert("ClusterDown", service="platform", cluster="eu-1"))
    desk.now += timedelta(minutes=1)
    desk.receive(am_alert("ClusterDown", service="platform", cluster="eu-1", status="resolved"))

    _, [flushed] = desk.receive(am_alert("HighLatency", cluster="eu-1"))

    assert flushed.kind == "opened"
    assert desk.state(am_alert("HighLatency", cluster="eu-1")).inhibited_by is None


def test_a_target_still_firing_after_its_inhibitor_resolves_opens_an_incident(
    make_desk: Any,
) -> None:
    desk = make_desk(**INHIBIT)
    source = am_alert("ClusterDown", service="platform", cluster="eu-1")
    target = am_alert("HighLatency", service="checkout", cluster="eu-1")
    desk.receive(source, target)
    desk.now += timedelta(minutes=5)
    repeat, suppressed = desk.receive(target)  # still inhibited: decided again, muted again
    desk.now += timedelta(minutes=5)
    desk.receive(am_alert("ClusterDown", service="platform", cluster="eu-1", status="resolved"))

    desk.now += timedelta(minutes=5)
    again, [opened] = desk.receive(target)  # Alertmanager repeats the target, unchanged

    assert [r.kind for r in suppressed] == ["suppressed"]
    assert opened.kind == "opened"
    assert desk.state(target).incident_id == opened.incident_id
    assert desk.state(target).inhibited_by is None
    assert repeat.verdicts == again.verdicts == ["updated"]


# silences ----------------------------------------------------------------------------------


def silence(desk: Desk, text: str, start: timedelta, end: timedelta) -> str:
    created = desk.intake.add_silence(
        parse_matchers(text), desk.now + start, desk.now + end, "oncall", "maintenance"
    )
    return created.id


def test_an_active_silence_records_the_alert_but_opens_nothing(make_desk: Any) -> None:
    desk = make_desk()
    silence_id = silence(
        desk, '{service="checkout", alertname=~"High.*"}', -timedelta(minutes=1), timedelta(hours=1)
    )

    outcome, flushed = desk.receive(am_alert())

    assert outcome.counts.silenced == 1
    assert flushed == []
    assert desk.state(am_alert()).silenced_by == silence_id
    assert desk.later(minutes=5) == []
    assert desk.store.list() == []


def test_a_silence_that_does_not_match_every_matcher_has_no_effect(make_desk: Any) -> None:
    desk = make_desk()
    silence(
        desk, 'service="checkout", severity="warning"', -timedelta(minutes=1), timedelta(hours=1)
    )

    _, [opened] = desk.receive(am_alert())

    assert opened.kind == "opened"
    assert desk.state(am_alert()).silenced_by is None


def test_an_expired_silence_has_no_effect(make_desk: Any) -> None:
    desk = make_desk()
    silence(desk, 'service="checkout"', -timedelta(hours=2), -timedelta(hours=1))

    _, [opened] = desk.receive(am_alert())

    assert opened.kind == "opened"


def test_a_silence_expired_by_hand_stops_muting(make_desk: Any) -> None:
    desk = make_desk()
    silence_id = silence(desk, 'service="checkout"', -timedelta(minutes=1), timedelta(hours=1))
    desk.intake.expire_silence(silence_id)

    _, [opened] = desk.receive(am_alert())

    assert opened.kind == "opened"


def test_a_pending_silence_mutes_only_once_it_starts(make_desk: Any) -> None:
    desk = make_desk()
    silence_id = silence(desk, 'service="checkout"', timedelta(minutes=30), timedelta(hours=2))

    _, [opened] = desk.receive(am_alert())
    desk.now += timedelta(minutes=31)
    later, flushed = desk.receive(am_alert("HighErrorRate", starts="2026-11-20T03:33:00Z"))

    assert opened.kind == "opened"
    assert later.counts.silenced == 1
    assert flushed == []
    assert desk.state(am_alert("HighErrorRate", starts="2026-11-20T03:33:00Z")).silenced_by == (
        silence_id
    )


def test_an_alert_still_firing_when_its_silence_ends_opens_an_incident(make_desk: Any) -> None:
    desk = make_desk()
    silence_id = silence(desk, 'service="checkout"', -timedelta(minutes=1), timedelta(minutes=30))
    desk.receive(am_alert())
    assert desk.state(am_alert()).silenced_by == silence_id

    desk.now += timedelta(minutes=31)  # Alertmanager re-sends the same notification
    again, flushed = desk.receive(am_alert())

    assert again.counts.silenced == 0
    assert [r.kind for r in flushed] == ["opened"]
    assert desk.state(am_alert()).silenced_by is None


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


def test_below_the_storm_rate_groups_open_their_own_incidents(make_desk: Any) -> None:
    desk = make_desk(storm_alerts_per_minute=5)

    _, flushed = desk.receive(*[am_alert(f"Probe{n}", service=f"svc-{n}") for n in range(4)])

    assert [r.kind for r in flushed] == ["opened"] * 4
    assert len(desk.store.list()) == 4
