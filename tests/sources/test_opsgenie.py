"""The Opsgenie outgoing-webhook source: alert actions become alert notifications."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nightowl.domain import AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.opsgenie import OpsgenieSource

SOURCE = OpsgenieSource()


def fixture(alert_fixtures: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((alert_fixtures / "opsgenie_create.json").read_bytes())
    return data


def parse(data: object) -> Any:
    return SOURCE.parse(json.dumps(data).encode(), {})


def rejection(body: bytes) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        SOURCE.parse(body, {})
    return caught.value


def test_the_fixture_parses(alert_fixtures: Path) -> None:
    group = SOURCE.parse((alert_fixtures / "opsgenie_create.json").read_bytes(), {})

    [alert] = group.alerts
    assert group.source == alert.source == "opsgenie"
    assert group.group_key == "opsgenie:aliastest"
    assert alert.status is AlertStatus.FIRING
    assert alert.name == "test alert"  # the message, stripped
    assert alert.fingerprint == "opsgenie:aliastest"
    assert alert.labels == {"alertname": "test alert", "tag1": "true", "tag2": "true"}
    assert alert.service is None  # the entity is empty
    assert alert.annotations == {"summary": "test alert", "action": "Create"}
    assert alert.starts_at == datetime(2015, 1, 5, 10, 3, 11, 104000, tzinfo=UTC)


@pytest.mark.parametrize("action", ["Close", "Delete"])
def test_closing_resolves_the_same_alert(alert_fixtures: Path, action: str) -> None:
    data = fixture(alert_fixtures)
    closed = copy.deepcopy(data)
    closed["action"] = action

    [opened], [done] = parse(data).alerts, parse(closed).alerts

    assert done.status is AlertStatus.RESOLVED
    assert done.fingerprint == opened.fingerprint
    assert done.content_hash != opened.content_hash


@pytest.mark.parametrize("action", ["Acknowledge", "AddNote", "EscalateNext"])
def test_other_actions_keep_it_firing_as_an_update(alert_fixtures: Path, action: str) -> None:
    data = fixture(alert_fixtures)
    other = copy.deepcopy(data)
    other["action"] = action

    [opened], [updated] = parse(data).alerts, parse(other).alerts

    assert updated.status is AlertStatus.FIRING
    assert updated.fingerprint == opened.fingerprint
    assert updated.content_hash != opened.content_hash


def test_key_value_tags_entity_priority_and_details_become_labels(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["alert"].update(
        tags=["env:prod", "critical-path"],
        entity="checkout",
        priority="P2",
        details={"region": "eu-west-1", "replicas": 3},
        description="p99 above 2s",
    )

    [alert] = parse(data).alerts

    assert alert.labels["env"] == "prod"
    assert alert.labels["critical-path"] == "true"
    assert alert.service == "checkout"
    assert alert.severity == "high"
    assert alert.labels["region"] == "eu-west-1"
    assert alert.labels["replicas"] == "3"
    assert alert.annotations["description"] == "p99 above 2s"


def test_a_service_tag_wins_over_the_entity(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["alert"].update(tags=["service:payments"], entity="host-7")

    [alert] = parse(data).alerts

    assert alert.service == "payments"


def test_without_an_alias_the_alert_id_is_the_fingerprint(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    del data["alert"]["alias"]

    [alert] = parse(data).alerts

    assert alert.fingerprint == "opsgenie:052652ac-5d1c-464a-812a-7dd18bbfba8c"


def test_an_empty_message_gets_a_name_from_the_id(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["alert"]["message"] = "  "

    [alert] = parse(data).alerts

    assert alert.name == "Opsgenie alert 052652ac-5d1c-464a-812a-7dd18bbfba8c"


def test_unknown_fields_are_accepted(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["escalationNext"] = {"id": "x"}
    data["alert"]["snoozedUntil"] = 1420452199000

    [alert] = parse(data).alerts

    assert alert.name == "test alert"


@pytest.mark.parametrize(
    ("path", "field"),
    [(("action",), "action"), (("alert", "alertId"), "alert.alertId"), (("alert",), "alert")],
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


def test_tags_of_the_wrong_type_are_named(alert_fixtures: Path) -> None:
    data = fixture(alert_fixtures)
    data["alert"]["tags"] = "tag1,tag2"

    error = rejection(json.dumps(data).encode())

    assert error.field == "alert.tags"


def test_invalid_utf8_is_rejected() -> None:
    error = rejection(b'{"action": "Create\x80"}')

    assert "not valid UTF-8 (byte 18)" in str(error)
