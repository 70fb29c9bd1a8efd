"""The Datadog webhook source: the default payload (transition read from the title), the richer
template documented in docs/sources.md, and the unrendered default template rejected."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from nightowl.domain import AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.datadog import DatadogSource

SOURCE = DatadogSource()


def rendered(alert_fixtures: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (alert_fixtures / "datadog_rendered_constructed.json").read_bytes()
    )
    return data


def rich(**changes: str) -> dict[str, Any]:
    """A body as the richer template of docs/sources.md renders it (every value a string)."""
    body = {
        "id": "3421700953456101234",
        "title": "[Triggered on {host:web-1}] checkout p99 latency high",
        "body": "%%%\ncheckout p99 is 2.1s\n%%%",
        "date": "1763607720000",
        "last_updated": "1763607720000",
        "event_type": "query_alert_monitor",
        "alert_id": "98765",
        "alert_transition": "Triggered",
        "alert_priority": "P2",
        "alert_cycle_key": "7271240117654332391",
        "alert_metric": "trace.http.request.duration",
        "alert_scope": "host:web-1",
        "hostname": "web-1",
        "link": "https://app.datadoghq.com/event/event?id=3421700953456101234",
        "tags": "env:prod,team:shop",
        "service": "checkout",
    }
    return body | changes


def parse(data: object) -> Any:
    return SOURCE.parse(json.dumps(data).encode(), {})


def rejection(body: bytes) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        SOURCE.parse(body, {})
    return caught.value


def test_the_rendered_fixture_parses(alert_fixtures: Path) -> None:
    group = SOURCE.parse((alert_fixtures / "datadog_rendered_constructed.json").read_bytes(), {})

    [alert] = group.alerts
    assert group.source == alert.source == "datadog"
    assert group.group_key == "datadog:1234"
    assert alert.status is AlertStatus.FIRING
    assert alert.name == "Host is Down"
    assert alert.labels["availability-zone"] == "us-east-1a"
    assert alert.labels["role"] == "computing-node"
    assert alert.labels["host"] == "ip-012345"  # from the title's scope
    assert alert.severity == "critical"  # P1
    assert alert.annotations["transition"] == "Triggered"
    assert alert.annotations["description"].startswith("system.load.1 over host:my-host")
    assert "%%%" not in alert.annotations["description"]
    assert alert.starts_at == datetime(2014, 7, 29, 19, 37, 52, tzinfo=UTC)
    assert alert.ends_at is None


def test_the_default_template_fixture_is_rejected_naming_the_unrendered_variables(
    alert_fixtures: Path,
) -> None:
    error = rejection((alert_fixtures / "datadog_default_template.json").read_bytes())

    assert error.field == "body"
    for field, variable in (
        ("title", "$EVENT_TITLE"),
        ("body", "$EVENT_MSG"),
        ("date", "$DATE"),
        ("id", "$ID"),
    ):
        assert f"{field}={variable}" in str(error)
    assert "did not render" in str(error)


def test_a_recovered_title_resolves_the_alert_of_the_default_payload(
    alert_fixtures: Path,
) -> None:
    data = rendered(alert_fixtures)
    del data["alert_transition"]
    triggered = parse(data).alerts[0]
    data["title"] = "[Recovered] Host is Down"
    data.pop("alert_id"), data.pop("alert_cycle_key")

    [alert] = parse(data).alerts

    assert alert.status is AlertStatus.RESOLVED
    assert alert.name == "Host is Down"
    assert alert.ends_at == alert.starts_at
    assert triggered.status is AlertStatus.FIRING


def test_a_recovery_with_a_scope_in_the_title_resolves_the_same_alert(
    alert_fixtures: Path,
) -> None:
    data = rendered(alert_fixtures)
    del data["alert_transition"]
    [fired] = parse(data).alerts
    data["title"] = "[Recovered on {host:ip-012345}] Host is Down"

    [recovered] = parse(data).alerts

    assert (fired.status, recovered.status) == (AlertStatus.FIRING, AlertStatus.RESOLVED)
    assert recovered.annotations["transition"] == "Recovered"
    assert recovered.fingerprint == fired.fingerprint
    assert recovered.content_hash != fired.content_hash


def test_each_scope_of_a_multi_alert_monitor_is_its_own_alert() -> None:
    [web1] = parse(rich()).alerts
    [web2] = parse(
        rich(
            title="[Triggered on {host:web-2}] checkout p99 latency high",
            alert_scope="host:web-2",
            hostname="web-2",
        )
    ).alerts
    [web1_recovered] = parse(rich(alert_transition="Recovered")).alerts

    assert web1.fingerprint != web2.fingerprint
    assert web1_recovered.fingerprint == web1.fingerprint
    assert web1_recovered.status is AlertStatus.RESOLVED


def test_the_rich_template_fills_service_severity_host_metric_and_link() -> None:
    [alert] = parse(rich()).alerts

    assert alert.service == "checkout"
    assert alert.severity == "high"  # P2
    assert alert.labels["host"] == "web-1"
    assert alert.labels["metric"] == "trace.http.request.duration"
    assert alert.labels["env"] == "prod"
    assert alert.labels["team"] == "shop"
    assert alert.generator_url == rich()["link"]
    assert alert.name == "checkout p99 latency high"


def test_the_transition_field_wins_over_the_title() -> None:
    [alert] = parse(rich(alert_transition="Recovered")).alerts

    assert alert.status is AlertStatus.RESOLVED


@pytest.mark.parametrize("transition", ["Warn", "No Data", "Re-Triggered", "Renotify"])
def test_other_transitions_are_firing(transition: str) -> None:
    [alert] = parse(rich(alert_transition=transition)).alerts

    assert alert.status is AlertStatus.FIRING
    assert alert.annotations["transition"] == transition


def test_a_title_without_a_prefix_is_firing_with_the_whole_title() -> None:
    data = rich(title="Disk almost full")
    del data["alert_transition"]

    [alert] = parse(data).alerts

    assert alert.status is AlertStatus.FIRING
    assert alert.name == "Disk almost full"


def test_a_renotification_with_the_same_content_hashes_the_same() -> None:
    first = parse(rich()).alerts[0]
    again = parse(rich(id="999", date="1763608320000", last_updated="1763608320000")).alerts[0]

    assert again.fingerprint == first.fingerprint
    assert again.content_hash == first.content_hash


def test_unknown_fields_are_accepted() -> None:
    [alert] = parse(rich() | {"org": {"id": "1", "name": "acme"}, "aggreg_key": "k"}).alerts

    assert alert.service == "checkout"


def test_tags_without_a_value_become_true() -> None:
    [alert] = parse(rich(tags="canary, env:prod")).alerts

    assert alert.labels["canary"] == "true"
    assert alert.labels["env"] == "prod"


@pytest.mark.parametrize("field", ["title", "id", "date"])
def test_a_missing_field_is_named(field: str) -> None:
    data = rich()
    del data[field]

    error = rejection(json.dumps(data).encode())

    assert error.field == field
    assert "Field required" in str(error)


def test_a_date_that_is_not_epoch_milliseconds_is_named() -> None:
    error = rejection(json.dumps(rich(date="yesterday")).encode())

    assert error.field == "date"
    assert "epoch milliseconds" in str(error)
    assert "yesterday" in str(error)


def test_a_number_where_datadog_sends_a_string_is_named() -> None:
    data: dict[str, Any] = rich()
    data["alert_id"] = 98765

    error = rejection(json.dumps(data).encode())

    assert error.field == "alert_id"


def test_invalid_utf8_is_rejected() -> None:
    error = rejection(b'{"title": "\xc3\x28"}')

    assert "not valid UTF-8" in str(error)
    assert error.source == "datadog"


def _cpu_seconds_to_parse(title: str, repeats: int = 5) -> float:
    body = json.dumps(rich(title=title)).encode()
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        SOURCE.parse(body, {})
        best = min(best, time.process_time() - started)
    return best


def test_a_64_kb_title_built_to_backtrack_parses_in_linear_time() -> None:
    # "[ on  on  on …" with no closing bracket: the backtracking title parser tried every
    # " on " as the start of the scope and scanned to the end each time (64 KB: 5.5 s to 26 s).
    small, large = "[" + " on " * 4_000, "[" + " on " * 16_000
    assert len(large.encode()) > 64_000

    [alert] = parse(rich(title=large)).alerts
    assert alert.name == large  # no prefix could be read: the whole title, as before

    small_cost, large_cost = _cpu_seconds_to_parse(small), _cpu_seconds_to_parse(large)
    assert large_cost < 0.5  # a generous bound: linear is about a millisecond
    # Four times the text costs about four times the work (quadratic would be sixteen).
    assert large_cost < 10 * max(small_cost, 1e-4)
