"""The Grafana webhook source: unified alerting (version "1") and legacy ``evalMatches`` bodies,
and the webhook's size limit through the real API."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import AlertStatus
from nightowl.errors import PayloadError
from nightowl.sources.grafana import GrafanaSource
from tests.conftest import SettingsFactory

SOURCE = GrafanaSource()
TOKEN = "grafana-token-91c2"


def unified(alert_fixtures: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((alert_fixtures / "grafana_docs_v1.json").read_bytes())
    return data


def legacy(state: str = "alerting") -> dict[str, Any]:
    """A legacy (pre-unified) Grafana alert body."""
    return {
        "dashboardId": 1,
        "evalMatches": [
            {"value": 100, "metric": "High value", "tags": {"service": "checkout"}},
            {"value": 200.5, "metric": "Higher Value", "tags": {"service": "checkout", "az": 2}},
        ],
        "imageUrl": "https://grafana.com/static/assets/img/blog/mixed_styles.png",
        "message": "Someone is testing the alert notification within Grafana.",
        "orgId": 0,
        "panelId": 1,
        "ruleId": 0,
        "ruleName": "Test notification",
        "ruleUrl": "https://grafana.example/d/abc?fullscreen&edit&tab=alert&panelId=1",
        "state": state,
        "tags": {"team": "shop"},
        "title": f"[{state.capitalize()}] Test notification",
    }


def parse(data: object) -> Any:
    return SOURCE.parse(json.dumps(data).encode(), {})


def rejection(body: bytes) -> PayloadError:
    with pytest.raises(PayloadError) as caught:
        SOURCE.parse(body, {})
    return caught.value


def test_the_documented_fixture_parses(alert_fixtures: Path) -> None:
    raw = unified(alert_fixtures)

    group = SOURCE.parse((alert_fixtures / "grafana_docs_v1.json").read_bytes(), {})

    assert group.source == "grafana"
    assert group.status is AlertStatus.FIRING
    assert group.receiver == "My Super Webhook"
    assert group.group_key == "{}:{}"
    assert group.common_labels == {"team": "blue"}
    assert group.external_url == "https://play.grafana.org/"
    assert [a.fingerprint for a in group.alerts] == [a["fingerprint"] for a in raw["alerts"]]
    assert [a.name for a in group.alerts] == ["High memory usage", "High CPU usage"]
    first = group.alerts[0]
    assert first.labels == {"alertname": "High memory usage", "team": "blue", "zone": "us-1"}
    assert first.annotations["runbook_url"] == "https://myrunbook.com/runbook/1234"
    assert first.starts_at == datetime(2021, 10, 12, 7, 51, 3, 157076, tzinfo=UTC)
    assert first.ends_at is None
    assert first.generator_url == "https://play.grafana.org/alerting/1afz29v7z/edit"


def test_a_group_of_firing_and_resolved_alerts(alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    data["alerts"][1]["status"] = "resolved"
    data["alerts"][1]["endsAt"] = "2021-10-12T10:06:03+02:00"

    group = parse(data)

    assert group.status is AlertStatus.FIRING
    assert [a.status for a in group.alerts] == [AlertStatus.FIRING, AlertStatus.RESOLVED]
    assert group.alerts[1].ends_at == datetime(2021, 10, 12, 8, 6, 3, tzinfo=UTC)


def test_a_resolved_alert_keeps_its_fingerprint_and_changes_its_hash(
    alert_fixtures: Path,
) -> None:
    data = unified(alert_fixtures)
    resolved = copy.deepcopy(data)
    for alert in resolved["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2021-10-12T10:06:03+02:00"
    resolved["status"] = "resolved"

    before, after = parse(data), parse(resolved)

    assert after.status is AlertStatus.RESOLVED
    assert [a.fingerprint for a in before.alerts] == [a.fingerprint for a in after.alerts]
    pairs = zip(before.alerts, after.alerts, strict=True)
    assert all(b.content_hash != a.content_hash for b, a in pairs)


def test_a_truncated_group_says_how_many_alerts_were_left_out(alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    data["truncatedAlerts"] = 17

    group = parse(data)

    assert group.truncated_alerts == 17
    assert len(group.alerts) == 2


def test_unknown_fields_and_non_string_labels_are_accepted(alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    data["alerts"][0]["labels"]["replica"] = 3
    data["alerts"][0]["imageURL"] = "https://grafana.example/img.png"
    data["someFutureField"] = [1, 2]

    group = parse(data)

    assert group.alerts[0].labels["replica"] == "3"


def test_a_missing_fingerprint_is_computed_from_the_labels(alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    del data["alerts"][0]["fingerprint"]

    first, again = parse(data).alerts[0], parse(data).alerts[0]

    assert first.fingerprint == again.fingerprint
    assert len(first.fingerprint) == 16


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("alerts", 0, "startsAt"), "alerts.0.startsAt"),
        (("alerts", 1, "labels"), "alerts.1.labels"),
        (("alerts", 0, "status"), "alerts.0.status"),
        (("version",), "version"),
    ],
)
def test_a_missing_field_is_named(
    alert_fixtures: Path, path: tuple[str | int, ...], field: str
) -> None:
    data = unified(alert_fixtures)
    parent: Any = data
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]

    error = rejection(json.dumps(data).encode())

    assert error.field == field
    assert field in str(error)


def test_another_version_is_rejected(alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    data["version"] = "2"

    error = rejection(json.dumps(data).encode())

    assert error.field == "version"
    assert '"1"' in str(error)


def test_a_body_that_is_not_an_object_is_rejected() -> None:
    error = rejection(b'["alerts"]')

    assert "expected a JSON object" in str(error)


def test_invalid_utf8_is_rejected_with_the_offset() -> None:
    error = rejection(b'{"receiver": "\xff"}')

    assert "not valid UTF-8 (byte 14)" in str(error)


def test_legacy_eval_matches_become_one_alert_each() -> None:
    group = parse(legacy())

    assert group.source == "grafana"
    assert group.group_key == "grafana-legacy:Test notification"  # ruleId 0 is no id
    assert group.status is AlertStatus.FIRING
    first, second = group.alerts
    assert first.name == second.name == "Test notification"
    assert first.labels == {
        "alertname": "Test notification",
        "team": "shop",
        "service": "checkout",
        "metric": "High value",
    }
    assert second.labels["az"] == "2"
    assert (first.annotations["value"], second.annotations["value"]) == ("100", "200.5")
    assert first.annotations["summary"] == "[Alerting] Test notification"
    assert first.generator_url == legacy()["ruleUrl"]
    assert first.fingerprint != second.fingerprint


@pytest.mark.parametrize("state", ["ok", "paused"])
def test_a_legacy_ok_resolves_the_same_alerts(state: str) -> None:
    firing = parse(legacy())
    ok = legacy(state)
    for match in ok["evalMatches"]:
        match["value"] = 1

    resolved = parse(ok)

    assert resolved.status is AlertStatus.RESOLVED
    assert [a.fingerprint for a in resolved.alerts] == [a.fingerprint for a in firing.alerts]


def test_a_legacy_redelivery_hashes_the_same_though_it_carries_no_time() -> None:
    first, again = parse(legacy()), parse(legacy())

    assert [a.content_hash for a in first.alerts] == [a.content_hash for a in again.alerts]


def test_a_legacy_alert_without_matches_is_one_alert() -> None:
    data = legacy()
    data["evalMatches"] = []

    [alert] = parse(data).alerts

    assert alert.labels == {"alertname": "Test notification", "team": "shop"}


def test_a_legacy_body_without_a_rule_name_is_named() -> None:
    data = legacy()
    del data["ruleName"]

    error = rejection(json.dumps(data).encode())

    assert error.field == "ruleName"


# Through the API ---------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Nightowl]:
    """An unlaunched Nightowl: rejected and not-yet-due bodies need no workflow engine."""
    settings = settings_for(
        tmp_path,
        webhooks={"tokens": {"grafana": [TOKEN]}, "max_body_bytes": 4096},
        intake={"group_wait_seconds": 30},
    )
    app = Nightowl(settings)
    yield app
    app.shutdown()


def post(app: Nightowl, body: bytes) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as c:
                return await c.post(
                    "/api/v1/webhooks/grafana",
                    content=body,
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
        finally:
            await app.stop_background()

    return asyncio.run(main())


def test_the_fixture_is_accepted_through_the_api(app: Nightowl, alert_fixtures: Path) -> None:
    response = post(app, (alert_fixtures / "grafana_docs_v1.json").read_bytes())

    assert response.status_code == 202, response.text
    assert response.json()["new_alerts"] == 2
    assert response.json()["incident_id"] is None  # group_wait has not passed yet
    assert "group_wait (30s)" in response.json()["detail"]
    assert app.store.list_dead_letters() == []


def test_a_huge_body_is_413_and_kept_truncated(app: Nightowl, alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    data["alerts"][0]["annotations"]["description"] = "x" * 10_000
    body = json.dumps(data).encode()

    response = post(app, body)

    assert response.status_code == 413
    assert (
        f"body of {len(body)} bytes exceeds webhooks.max_body_bytes (4096)"
        in (response.json()["error"])
    )
    [letter] = app.store.list_dead_letters()
    assert letter.id == response.json()["dead_letter_id"]
    assert letter.body == body[:4096]
    assert letter.source == "grafana"
    assert app.store.list() == []


def test_a_bad_body_is_422_naming_the_field_and_kept(app: Nightowl, alert_fixtures: Path) -> None:
    data = unified(alert_fixtures)
    del data["alerts"][1]["startsAt"]
    body = json.dumps(data).encode()

    response = post(app, body)

    assert response.status_code == 422
    assert "alerts.1.startsAt" in response.json()["error"]
    assert [d.body for d in app.store.list_dead_letters()] == [body]
