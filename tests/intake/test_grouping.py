"""Grouping (group_wait, group_interval, repeat_interval), inhibition and silences — on a real
SQLite store with a clock the test moves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nightowl.domain import IncidentStatus
from nightowl.intake.matchers import parse_matchers
from tests.intake.desk import Desk, am_alert

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
