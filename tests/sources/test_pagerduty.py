"""The PagerDuty v3 webhook source: incident events become alerts (signatures: test_auth.py)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nightowl.domain import AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.pagerduty import PagerDutySource

SOURCE = PagerDutySource()


def fixture(alert_fixtures: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (alert_fixtures / "pagerduty_v3_priority_updated.json").read_bytes()
    )
    return data


def parse(data: object) -> Any:
    return SOURCE.parse(json.dumps(data).encode(), {})


def rejection(body: bytes) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        SOURCE.parse(body, {})
    return caught.value


def test_the_fixture_parses(alert_fixtures: Path) -> None:
    group = SOURCE.parse((alert_fixtures / "pagerduty_v3_priority_updated.json").read_bytes(), {})

    [alert] = group.alerts
    assert group.source == alert.source == "pagerduty"
    assert group.group_key == "pagerduty:PGR0VU2"
    assert group.status is alert.status is AlertStatus.FIRING
    assert alert.name == "A little bump in the road"
    assert alert.fingerprint == "pagerduty:d3640fbd41094207a1c11e58e46b1662"
    assert alert.labels == {
        "alertname": "A little bump in the road",
        "service": "API Service",
        "pagerduty_service_id": "PF9KMXH",
        "severity": "critical",
        "urgency": "high",
        "pagerduty_incident": "PGR0VU2",
    }
    assert alert.service == "API Service"
    assert alert.annotations == {
        "summary": "A little bump in the road",
        "event": "incident.priority_updated",
        "url": "https://acme.pagerduty.com/incidents/PGR0VU2",
    }
    assert alert.starts_at == datetime(2020, 4, 9, 15, 16, 27, tzinfo=UTC)
    assert alert.ends_at is None
    assert alert.generator_url == "https://acme.pagerduty.com/incidents/PGR0VU2"


def test_a_resolved_event_resolves_the_same_alert(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    resolved = copy.deepcopy(data)
    resolved["event"]["event_type"] = "incident.resolved"
    resolved["event"]["occurred_at"] = "2020-10-02T19:00:00Z"
    resolved["event"]["data"]["status"] = "resolved"

    [fired], [done] = parse(data).alerts, parse(resolved).alerts

    assert done.status is AlertStatus.RESOLVED
    assert done.ends_at == datetime(2020, 10, 2, 19, tzinfo=UTC)
    assert done.fingerprint == fired.fingerprint
    assert done.content_hash != fired.content_hash


def test_any_event_of_a_resolved_incident_is_resolved(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["event"]["event_type"] = "incident.annotated"
    data["event"]["data"]["status"] = "resolved"

    [alert] = parse(data).alerts

    assert alert.status is AlertStatus.RESOLVED


@pytest.mark.parametrize(
    ("event_type", "status"),
    [("incident.triggered", "triggered"), ("incident.acknowledged", "acknowledged")],
)
def test_open_incidents_are_firing(alert_fixtures: Path, event_type: str, status: str) -> None:
    data = fixture(alert_fixtures)
    data["event"]["event_type"] = event_type
    data["event"]["data"]["status"] = status

    [alert] = parse(data).alerts

    assert alert.status is AlertStatus.FIRING
    assert alert.annotations["event"] == event_type


def test_without_an_incident_key_the_incident_id_is_the_fingerprint(
    alert_fixtures: Path,
) -> None:
    data = fixture(alert_fixtures)
    del data["event"]["data"]["incident_key"]

    [alert] = parse(data).alerts

    assert alert.fingerprint == "pagerduty:PGR0VU2"


def test_missing_optional_parts_leave_their_labels_out(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    incident = data["event"]["data"]
    incident["priority"] = None
    del incident["service"], incident["urgency"], incident["title"], incident["created_at"]

    [alert] = parse(data).alerts

    assert alert.labels == {
        "alertname": "PagerDuty incident 2",
        "pagerduty_incident": "PGR0VU2",
    }
    assert alert.service is None
    assert alert.starts_at == datetime(2020, 10, 2, 18, 45, 22, 169000, tzinfo=UTC)


def test_unknown_fields_are_accepted(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["event"]["data"]["custom_fields"] = [{"name": "region", "value": "eu"}]
    data["event"]["new_envelope_field"] = True

    [alert] = parse(data).alerts

    assert alert.name == "A little bump in the road"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("event", "data", "id"), "event.data.id"),
        (("event", "occurred_at"), "event.occurred_at"),
        (("event", "event_type"), "event.event_type"),
        (("event",), "event"),
    ],
)
def test_a_missing_field_is_named(alert_fixtures: Path, path: tuple[str, ...], field: str) -> None:
    data = fixture(alert_fixtures)
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]

    error = rejection(json.dumps(data).encode())

    assert error.field == field
    assert "Field required" in str(error)


def test_a_non_incident_event_is_rejected_saying_what_to_subscribe(
    alert_fixtures: Path,
) -> None:
    data = fixture(alert_fixtures)
    data["event"]["resource_type"] = "service"
    data["event"]["event_type"] = "service.updated"

    error = rejection(json.dumps(data).encode())

    assert error.field == "event.resource_type"
    assert "subscribe nightowl to incident events" in str(error)


def test_a_bad_time_is_named(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["event"]["occurred_at"] = "last tuesday"

    error = rejection(json.dumps(data).encode())

    assert error.field == "event.occurred_at"
    assert "last tuesday" in str(error)


def test_invalid_utf8_is_rejected() -> None:
    error = rejection(b'{"event": {"id": "\xe9t\xe9"}}')

    assert "not valid UTF-8" in str(error)
    assert error.source == "pagerduty"
