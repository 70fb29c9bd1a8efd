"""``/api/v1/posture`` and the posture gauges on ``/metrics``, from findings tracked by the real
store: a critical fixed after six hours, others still open."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import Severity
from nightowl.domain.findings import Finding
from tests.conftest import READ, make_settings

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def cve(resource: str, rating: str, severity: Severity) -> Finding:
    return Finding(watcher="cve", kind="cve", resource=resource, title=f"CVE in {resource}",
                   severity=severity, evidence={"rating": rating})  # fmt: skip


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Nightowl]:
    nightowl = Nightowl(make_settings(tmp_path))
    fixed, crit, high = (cve("nginx", "critical", Severity.CRITICAL), cve("redis", "critical", Severity.CRITICAL),
                         cve("api", "high", Severity.HIGH))  # fmt: skip
    drift = Finding(watcher="drift", kind="drift", resource="aws_lb.web", title="changed")
    nightowl.stores.findings.sweep("cve", [fixed, crit, high], T0)
    nightowl.stores.findings.sweep("cve", [crit, high], T0 + timedelta(hours=6))  # nginx fixed
    nightowl.stores.findings.sweep("drift", [drift], T0)
    yield nightowl
    nightowl.shutdown()


def get(app: Nightowl, url: str, headers: dict[str, str]) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_api(app))
        async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as client:
            return await client.get(url, headers=headers)

    return asyncio.run(main())


def test_posture_counts_open_cve_findings_and_the_time_to_fix(app: Nightowl) -> None:
    answer = get(app, "/api/v1/posture", READ)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["open_by_severity"]["critical"] == 1
    assert body["open_by_severity"]["high"] == 1
    assert sum(body["open_by_severity"].values()) == 2  # the drift finding is not a CVE
    assert body["time_to_fix_critical_seconds"] == 6 * 3600
    assert get(app, "/api/v1/posture", {}).status_code == 401


def test_the_same_numbers_on_metrics(app: Nightowl) -> None:
    text = get(app, "/metrics", READ).text
    assert 'nightowl_vulnerabilities_open{severity="critical"} 1.0' in text
    assert "nightowl_time_to_fix_critical_seconds 21600.0" in text
