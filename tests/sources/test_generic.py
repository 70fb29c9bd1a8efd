"""The generic JSON source: alerts read through JMESPath expressions (``webhooks.generic``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nightowl.domain import AlertStatus
from nightowl.errors import ConfigError, PayloadError
from nightowl.settings import GenericMapping
from nightowl.sources.generic import GenericSource
from tests.conftest import SettingsFactory

DEFAULT = GenericSource()

# A monitoring tool of our own that posts {"check": {...}, "events": [...]}.
CUSTOM = GenericMapping(
    alerts="events",
    name="check_name",
    status="state",
    labels="{service: svc, severity: level, host: origin.host}",
    annotations="{summary: text}",
    starts_at="opened",
    ends_at="closed",
    fingerprint="key",
    resolved_values=["ok", "cleared"],
)


def body(*alerts: dict[str, Any], wrap: bool = True) -> bytes:
    return json.dumps({"alerts": list(alerts)} if wrap else alerts[0]).encode()


def rejection(source: GenericSource, raw: bytes) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        source.parse(raw, {})
    return caught.value


def test_the_default_mapping_reads_an_alertmanager_like_list() -> None:
    group = DEFAULT.parse(
        body(
            {
                "name": "DiskFull",
                "status": "firing",
                "labels": {"service": "db", "severity": "critical"},
                "annotations": {"summary": "disk 97% full"},
                "startsAt": "2026-11-20T03:00:00Z",
                "fingerprint": "disk-db-1",
            },
            {
                "alertname": "SlowQueries",
                "status": "resolved",
                "labels": {"service": "db"},
                "startsAt": "2026-11-20T02:00:00Z",
                "endsAt": "2026-11-20T02:30:00Z",
            },
        ),
        {},
    )

    first, second = group.alerts
    assert group.source == "generic"
    assert group.status is AlertStatus.FIRING
    assert group.group_key == "generic:disk-db-1"
    assert (first.name, first.fingerprint) == ("DiskFull", "disk-db-1")
    assert first.labels == {"alertname": "DiskFull", "service": "db", "severity": "critical"}
    assert first.annotations == {"summary": "disk 97% full"}
    assert first.starts_at == datetime(2026, 11, 20, 3, tzinfo=UTC)
    assert second.name == "SlowQueries"
    assert second.status is AlertStatus.RESOLVED
    assert second.ends_at == datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    assert len(second.fingerprint) == 16  # computed from the labels


def test_a_single_object_is_one_alert() -> None:
    group = DEFAULT.parse(
        body({"title": "Backup failed", "status": "OK", "id": 42}, wrap=False), {}
    )

    [alert] = group.alerts
    assert alert.name == "Backup failed"
    assert alert.status is AlertStatus.RESOLVED  # "OK" is a resolved value, any case
    assert alert.fingerprint == "42"


def test_numbers_and_booleans_become_string_labels() -> None:
    [alert] = DEFAULT.parse(
        body({"name": "X", "labels": {"replicas": 3, "canary": True, "zone": None}}), {}
    ).alerts

    assert alert.labels == {"alertname": "X", "replicas": "3", "canary": "true"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1763607720, datetime(2025, 11, 20, 3, 2, tzinfo=UTC)),
        (1763607720000, datetime(2025, 11, 20, 3, 2, tzinfo=UTC)),
        ("2025-11-20T04:02:00+01:00", datetime(2025, 11, 20, 3, 2, tzinfo=UTC)),
    ],
)
def test_times_in_seconds_milliseconds_or_iso(value: object, expected: datetime) -> None:
    [alert] = DEFAULT.parse(body({"name": "X", "startsAt": value}), {}).alerts

    assert alert.starts_at == expected


def test_without_a_start_time_a_redelivery_still_hashes_the_same() -> None:
    raw = body({"name": "Heartbeat missing", "labels": {"service": "cron"}})

    first, again = DEFAULT.parse(raw, {}).alerts[0], DEFAULT.parse(raw, {}).alerts[0]

    assert first.content_hash == again.content_hash
    assert first.starts_at.tzinfo is not None


def test_unknown_fields_are_ignored() -> None:
    [alert] = DEFAULT.parse(body({"name": "X", "whatever": {"deep": [1]}}), {}).alerts

    assert alert.name == "X"


def test_a_custom_mapping_reads_another_shape() -> None:
    source = GenericSource(CUSTOM)
    raw = json.dumps(
        {
            "check": {"version": 2},
            "events": [
                {
                    "check_name": "checkout-http",
                    "state": "critical",
                    "svc": "checkout",
                    "level": "page",
                    "origin": {"host": "web-1"},
                    "text": "3 of 3 probes failed",
                    "opened": "2026-11-20T03:02:00Z",
                    "key": "chk-17",
                },
                {
                    "check_name": "checkout-http",
                    "state": "cleared",
                    "svc": "checkout",
                    "origin": {"host": "web-2"},
                    "opened": "2026-11-20T02:00:00Z",
                    "closed": "2026-11-20T02:10:00Z",
                    "key": "chk-18",
                },
            ],
        }
    ).encode()

    firing, cleared = source.parse(raw, {}).alerts

    assert firing.name == "checkout-http"
    assert firing.status is AlertStatus.FIRING
    assert firing.labels == {
        "alertname": "checkout-http",
        "service": "checkout",
        "severity": "page",
        "host": "web-1",
    }
    assert firing.annotations == {"summary": "3 of 3 probes failed"}
    assert firing.fingerprint == "chk-17"
    assert cleared.status is AlertStatus.RESOLVED
    assert cleared.labels["host"] == "web-2"
    assert "severity" not in cleared.labels  # null values are dropped
    assert cleared.ends_at == datetime(2026, 11, 20, 2, 10, tzinfo=UTC)


def test_an_invalid_expression_is_a_config_error_naming_the_setting() -> None:
    with pytest.raises(ConfigError) as caught:
        GenericSource(GenericMapping(labels="{service: svc"))

    assert caught.value.where == "webhooks.generic"
    assert "invalid JMESPath expression" in str(caught.value)


def test_an_invalid_expression_stops_nightowl_from_starting(
    tmp_path: Path, settings_for: SettingsFactory
) -> None:
    from nightowl.app import Nightowl

    settings = settings_for(tmp_path, webhooks={"generic": {"alerts": "events[?"}})

    with pytest.raises(ConfigError, match=r"webhooks\.generic"):
        Nightowl(settings)


def test_no_list_of_alerts_is_named() -> None:
    error = rejection(GenericSource(CUSTOM), body({"check_name": "x"}))

    assert error.field == "alerts"
    assert "'events' found no list of alerts" in str(error)


def test_an_empty_list_of_alerts_is_rejected() -> None:
    # JMESPath's ``||`` treats [] as false: the default mapping then reads the body as one alert.
    error = rejection(DEFAULT, b'{"alerts": []}')

    assert error.field == "alerts.0.name"


def test_a_missing_name_is_named_with_the_alert_index() -> None:
    error = rejection(DEFAULT, body({"name": "ok"}, {"status": "firing"}))

    assert error.field == "alerts.1.name"
    assert "no alert name" in str(error)


def test_labels_that_are_not_an_object_are_named() -> None:
    error = rejection(DEFAULT, body({"name": "X", "labels": ["a", "b"]}))

    assert error.field == "alerts.0"
    assert "must be objects" in str(error)


def test_a_bad_time_is_named() -> None:
    error = rejection(DEFAULT, body({"name": "X", "startsAt": "soon"}))

    assert error.field == "alerts.0.starts_at"
    assert "'soon'" in str(error)


def test_invalid_utf8_and_invalid_json_are_rejected() -> None:
    assert "not valid UTF-8" in str(rejection(DEFAULT, b'{"name": "\xff"}'))
    assert "not valid JSON" in str(rejection(DEFAULT, b'{"name": '))
