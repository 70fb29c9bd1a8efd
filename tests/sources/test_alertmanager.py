"""The Alertmanager webhook source: real and documented payloads parse; bad ones are rejected with
an error that names the field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.domain import AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.alertmanager import AlertmanagerSource
from nightowl.sources.base import label_fingerprint

SOURCE = AlertmanagerSource()


def payload() -> dict[str, Any]:
    """A valid version-4 body, as Alertmanager sends it for the bad-deploy scenario."""
    return alertmanager_payload(load_scenario(bundled_scenario("checkout-bad-deploy")))


def encode(data: object) -> bytes:
    return json.dumps(data).encode()


def rejection(body: bytes) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        SOURCE.parse(body, {})
    return caught.value


def test_every_alertmanager_fixture_parses(alert_fixtures: Path) -> None:
    files = sorted(alert_fixtures.glob("alertmanager_*.json"))
    assert files, f"no alertmanager_*.json in {alert_fixtures}"
    for path in files:
        raw = json.loads(path.read_bytes())

        group = SOURCE.parse(path.read_bytes(), {"content-type": "application/json"})

        assert group.source == "alertmanager", path.name
        assert group.group_key == raw["groupKey"], path.name
        assert group.status.value == raw["status"], path.name
        assert len(group.alerts) == len(raw["alerts"]), path.name
        for alert, wire in zip(group.alerts, raw["alerts"], strict=True):
            assert alert.fingerprint == wire["fingerprint"], path.name
            assert alert.name == wire["labels"]["alertname"], path.name
            assert alert.labels == wire["labels"], path.name
            assert alert.starts_at.tzinfo is not None, path.name
            assert alert.starts_at.utcoffset() == UTC.utcoffset(None), path.name


def test_the_real_firing_and_resolved_captures(alert_fixtures: Path) -> None:
    firing = SOURCE.parse((alert_fixtures / "alertmanager_real_firing.json").read_bytes(), {})
    resolved = SOURCE.parse((alert_fixtures / "alertmanager_real_resolved.json").read_bytes(), {})

    [on], [off] = firing.alerts, resolved.alerts
    assert (on.status, off.status) == (AlertStatus.FIRING, AlertStatus.RESOLVED)
    assert on.service == off.service == "demo-api"
    assert on.severity == "critical"
    assert on.ends_at is None  # Alertmanager's zero time: "not ended"
    assert off.ends_at == datetime(2026, 11, 21, 4, 41, 59, 765000, tzinfo=UTC)
    assert on.fingerprint == off.fingerprint
    assert on.content_hash != off.content_hash
    assert on.annotations["summary"] == "demo-api error flag is set"


def test_parsing_is_pure() -> None:
    body = encode(payload())

    assert SOURCE.parse(body, {}) == SOURCE.parse(body, {})


def test_unknown_fields_are_accepted() -> None:
    data = payload()
    data["someFutureField"] = {"nested": [1, 2]}
    data["alerts"][0]["silencedBy"] = ["abc"]

    group = SOURCE.parse(encode(data), {})

    assert group.alerts[0].name == "HighLatency"


def test_the_zero_end_time_means_not_ended() -> None:
    data = payload()
    data["alerts"][0]["endsAt"] = "0001-01-01T00:00:00Z"

    [alert] = SOURCE.parse(encode(data), {}).alerts

    assert alert.ends_at is None


def test_times_are_normalised_to_utc() -> None:
    data = payload()
    data["alerts"][0]["startsAt"] = "2026-11-20T04:02:00+01:00"

    [alert] = SOURCE.parse(encode(data), {}).alerts

    assert alert.starts_at == datetime(2026, 11, 20, 3, 2, tzinfo=UTC)


def test_a_missing_fingerprint_is_computed_from_the_labels_stably() -> None:
    data = payload()
    del data["alerts"][0]["fingerprint"]
    reordered = copy.deepcopy(data)
    labels = reordered["alerts"][0]["labels"]
    reordered["alerts"][0]["labels"] = dict(reversed(list(labels.items())))
    other = copy.deepcopy(data)
    other["alerts"][0]["labels"]["service"] = "payments"

    [alert] = SOURCE.parse(encode(data), {}).alerts
    [again] = SOURCE.parse(encode(reordered), {}).alerts
    [different] = SOURCE.parse(encode(other), {}).alerts

    assert alert.fingerprint == label_fingerprint(labels)
    assert again.fingerprint == alert.fingerprint
    assert different.fingerprint != alert.fingerprint


def test_firing_and_resolved_of_one_alert_differ_only_in_content_hash() -> None:
    scenario = load_scenario(bundled_scenario("checkout-bad-deploy"))

    [firing] = SOURCE.parse(encode(alertmanager_payload(scenario)), {}).alerts
    [resolved] = SOURCE.parse(encode(alertmanager_payload(scenario, resolved=True)), {}).alerts

    assert firing.fingerprint == resolved.fingerprint
    assert firing.content_hash != resolved.content_hash


def test_a_changed_annotation_is_a_new_notification() -> None:
    data = payload()
    changed = copy.deepcopy(data)
    changed["alerts"][0]["annotations"]["description"] = "now 2.4s"

    [before] = SOURCE.parse(encode(data), {}).alerts
    [after] = SOURCE.parse(encode(changed), {}).alerts

    assert before.fingerprint == after.fingerprint
    assert before.content_hash != after.content_hash


def test_an_alert_without_an_alertname_is_still_read() -> None:
    data = payload()
    del data["alerts"][0]["labels"]["alertname"]

    [alert] = SOURCE.parse(encode(data), {}).alerts

    assert alert.name == "unnamed"


def test_a_bad_start_time_names_the_field() -> None:
    data = payload()
    data["alerts"][0]["startsAt"] = "yesterday-ish"

    error = rejection(encode(data))

    assert error.field == "alerts.0.startsAt"
    assert "alerts.0.startsAt" in str(error)
    assert "yesterday-ish" in str(error)


def test_a_missing_start_time_names_the_field() -> None:
    data = payload()
    del data["alerts"][0]["startsAt"]

    error = rejection(encode(data))

    assert error.field == "alerts.0.startsAt"
    assert "Field required" in str(error)


def test_a_bad_status_names_the_field_of_the_right_alert() -> None:
    data = payload()
    data["alerts"].append(copy.deepcopy(data["alerts"][0]))
    data["alerts"][1]["status"] = "pending"

    error = rejection(encode(data))

    assert error.field == "alerts.1.status"
    assert "pending" in str(error)


def test_another_version_is_rejected_naming_the_version() -> None:
    data = payload()
    data["version"] = "3"

    error = rejection(encode(data))

    assert error.field == "version"
    assert "'3'" in str(error)
    assert "version 4" in str(error)


def test_an_empty_alert_list_is_rejected() -> None:
    data = payload()
    data["alerts"] = []

    error = rejection(encode(data))

    assert error.field == "alerts"
    assert "alertmanager payload at 'alerts'" in str(error)


def test_several_problems_are_counted() -> None:
    data = payload()
    del data["groupKey"]
    data["alerts"][0]["labels"] = "not-a-mapping"

    error = rejection(encode(data))

    assert error.field == "groupKey"
    assert "1 more problem(s)" in str(error)


def test_a_body_that_is_not_an_object_is_rejected_without_a_field() -> None:
    error = rejection(b"[1, 2, 3]")

    assert error.field is None
    assert "valid dictionary" in str(error)


def test_invalid_utf8_says_so_and_where() -> None:
    error = rejection(b'{"version": "4\xff"}')

    assert "not valid UTF-8" in str(error)
    assert "byte 14" in str(error)  # 0-based offset of \xff


def test_invalid_json_says_so_with_line_and_column() -> None:
    error = rejection(b'{\n  "version": "4",\n  "alerts": [,]\n}')

    assert "not valid JSON" in str(error)
    assert "line 3, column 14" in str(error)
    assert error.source == "alertmanager"
