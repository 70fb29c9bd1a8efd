"""``DeployRisk`` over a real store, knowledge graph and VictoriaMetrics holding a daily traffic
profile: the done-when pair — a one-line docs change at a quiet hour proceeds, a large config and
migration change at peak during an open incident is delayed — with different, explained reasons;
every assessment audited; a delay sent to the owners through the notify routes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from nightowl_lab.harness.prometheus import VictoriaMetricsServer

from nightowl.app import Nightowl
from nightowl.app.access import Principal
from nightowl.app.deploy_risk import DeployRisk
from nightowl.connectors.github import GitHub, GitHubConfig
from nightowl.deployrisk.model import AssessRequest, Change, FileChange, Recommendation
from nightowl.domain import Deploy, Severity
from nightowl.errors import ForbiddenError
from nightowl.notify.routing import IncidentFacts, wrap
from nightowl.redaction import Redactor
from nightowl.settings import NotifySettings, Role
from tests.notify.test_slack import FakeSlack, notifier

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
DAY = NOW - timedelta(days=1)
PEAK_AT = DAY.replace(hour=15, minute=0)
QUIET_AT = DAY.replace(hour=3, minute=0)
CI = Principal("ci", Role.RESPONDER, "token")


def rate(at: datetime) -> float:
    """Requests per second: busy 12–20 UTC, quiet otherwise."""
    return 100.0 if 12 <= at.hour < 20 else 10.0


def samples() -> str:
    lines = []
    at = NOW - timedelta(days=9)
    while at <= NOW:
        ms = int(at.timestamp() * 1000)
        burn = 0.0009 if at >= PEAK_AT - timedelta(hours=2) else 0.0002
        lines.append(f'shop_request_rate{{service="checkout"}} {rate(at)} {ms}')
        lines.append(f'shop_error_ratio_30d{{service="checkout"}} {burn} {ms}')
        at += timedelta(minutes=1)
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def victoria() -> Iterator[str]:
    with VictoriaMetricsServer() as server:
        server.load(samples())
        # NOW is when the module was collected, maybe long before this fixture runs
        server.wait_for('shop_request_rate{service="checkout"}', at=NOW)
        yield server.url


@pytest.fixture
def app(settings_for: Any, tmp_path: Path, victoria: str) -> Iterator[Nightowl]:
    settings = settings_for(
        tmp_path,
        connectors=[
            {"name": "vm", "kind": "victoriametrics", "url": victoria},
            {"name": "topology", "kind": "static",
             "services": {"web": ["checkout"], "api": ["checkout"], "checkout": ["payments"]}},
        ],
        deploy_risk={
            "traffic_query": 'sum(shop_request_rate{service="{service}"})',
            "error_ratio_query": 'max(shop_error_ratio_30d{service="{service}"})',
        },
        graph={"owners": {"checkout": ["ana"]}},
        notify={
            "notifiers": [
                {"name": "owners", "kind": "file", "path": str(tmp_path / "owners.jsonl")},
                {"name": "everyone", "kind": "file", "path": str(tmp_path / "all.jsonl")},
            ],
            "routes": [{"match": {"owner": ["ana"]}, "notifiers": ["owners"]}],
            "default": ["everyone"],
        },
    )  # fmt: skip
    nightowl = Nightowl(settings)
    asyncio.run(nightowl.refresh_graph())
    yield nightowl
    nightowl.store.close()


def docs_change() -> Change:
    return Change(files=(FileChange(path="docs/checkout.md", added=1, deleted=0),))


def big_change() -> Change:
    return Change(
        files=(
            FileChange(path="migrations/0042_orders_index.sql", added=220, deleted=4),
            FileChange(path="config/connection-pool.yaml", added=40, deleted=12),
            FileChange(path="src/payment_client.py", added=700, deleted=260),
        )
    )


def reasons(result: Any) -> dict[str, Any]:
    return {r.factor: r for r in result.reasons}


def test_docs_at_a_quiet_hour_proceed_and_a_big_change_at_peak_during_an_incident_delays(
    app: Nightowl, tmp_path: Path
) -> None:
    app.store.create_incident(
        incident_id="inc-checkout-5xx", correlation_key="k", title="checkout 5xx",
        service="checkout", severity=Severity.HIGH, opened_at=PEAK_AT - timedelta(minutes=30),
    )  # fmt: skip
    quiet = asyncio.run(
        app.deploy_risk.assess(
            AssessRequest(service="checkout", version="v1.4.1", at=QUIET_AT, change=docs_change()),
            CI,
        )
    )
    peak = asyncio.run(
        app.deploy_risk.assess(
            AssessRequest(service="checkout", version="v1.5.0", at=PEAK_AT, change=big_change()),
            CI,
        )
    )
    q, p = reasons(quiet), reasons(peak)
    assert quiet.recommendation is Recommendation.PROCEED
    assert peak.recommendation is Recommendation.DELAY
    assert quiet.score < 30 <= 60 <= peak.score
    for result in (quiet, peak):
        assert result.score == min(100, sum(r.points for r in result.reasons))
    assert q["traffic"].points == 0
    assert q["traffic"].evidence["ratio"] == 1.0  # 10 rps: the profile's median (16 h quiet)
    assert p["traffic"].points == 10
    assert p["traffic"].evidence["ratio"] == 10.0  # the busy hours' 100 rps
    assert q["open incidents"].points == 0
    assert p["open incidents"].evidence["ids"] == "inc-checkout-5xx"
    assert p["change kinds"].points == 25
    assert q["change kinds"].points == 0
    assert q["error budget"].points == 0  # 20 % spent
    assert p["error budget"].points == 10  # 90 % spent
    assert q["blast radius"].evidence["names"] == "api, web"
    # the delay went to the owner's route only, with its reasons
    sent = [json.loads(line) for line in (tmp_path / "owners.jsonl").read_text().splitlines()]
    assert [m["service"] for m in sent] == ["checkout"]
    assert sent[0]["owners"] == ["ana"]
    assert "open incidents: +15" in sent[0]["text"]
    assert not (tmp_path / "all.jsonl").exists()
    assert peak.notified[0].startswith("owners: sent (appended to")
    assert (
        peak.notified[1] == "everyone: sent (not routed here (service checkout, severity unknown))"
    )
    assert quiet.notified == ()
    # both audited, with their points
    audited = [r for r in app.records.audit_records() if r.kind == "deploy.assess"]
    assert [(r.actor, r.data["recommendation"]) for r in audited] == [
        ("ci", "proceed"),
        ("ci", "delay"),
    ]
    assert audited[1].data["points"]["traffic"] == 10
    assert peak.audit_id == audited[1].seq


def test_history_counts_deploys_followed_by_an_incident(app: Nightowl) -> None:
    for days in (20, 15, 10, 5):
        app.records.record_deploy(
            Deploy(service="checkout", version=f"v1.{days}", at=QUIET_AT - timedelta(days=days))
        )
    app.store.create_incident(
        incident_id="inc-after-deploy", correlation_key="k2", title="checkout latency",
        service="checkout", severity=Severity.HIGH,
        opened_at=QUIET_AT - timedelta(days=10) + timedelta(hours=2),
    )  # fmt: skip
    result = asyncio.run(
        app.deploy_risk.assess(AssessRequest(service="checkout", version="v2", at=QUIET_AT), CI)
    )
    failures = reasons(result)["change-failure rate"]
    assert (failures.evidence["deploys"], failures.evidence["failed"]) == (4, 1)
    assert failures.points == 5  # 20 × 1/4
    assert not reasons(result)["change size"].present


def test_a_viewer_may_not_assess_and_the_refusal_is_audited(app: Nightowl) -> None:
    viewer = Principal("vic", Role.VIEWER, "token")
    with pytest.raises(ForbiddenError, match="responder"):
        asyncio.run(app.deploy_risk.assess(AssessRequest(service="checkout", version="v2"), viewer))
    refused = [r for r in app.records.audit_records() if r.kind == "access.refused"]
    assert refused[-1].actor == "vic"


def test_a_freeze_window_is_a_reason(settings_for: Any, tmp_path: Path) -> None:
    window = {
        "name": "black friday",
        "start": "2026-11-27T00:00:00Z",
        "end": "2026-11-30T00:00:00Z",
    }
    app = Nightowl(settings_for(tmp_path, policy={"freeze": [window]}, connectors=[]))
    try:
        at = datetime(2026, 11, 28, 10, tzinfo=UTC)
        result = asyncio.run(
            app.deploy_risk.assess(AssessRequest(service="checkout", version="v2", at=at), CI)
        )
    finally:
        app.store.close()
    freeze = reasons(result)["change freeze"]
    assert (freeze.points, freeze.evidence["window"]) == (40, "black friday")
    assert reasons(result)["traffic"].summary == "no metrics source configured"


def compare_api(request: httpx.Request) -> httpx.Response:
    """GitHub's compare, in its documented shape (GitHub cannot run here)."""
    if request.url.path == "/repos/acme/checkout/compare/v1.4.2...3f2c1a9":
        return httpx.Response(200, json={
            "status": "ahead", "total_commits": 2, "commits": [],
            "files": [
                {"sha": "a1", "filename": "db/migrate/20261120_orders.rb", "status": "added",
                 "additions": 40, "deletions": 0, "changes": 40},
                {"sha": "b2", "filename": "config/database.yml", "status": "modified",
                 "additions": 2, "deletions": 2, "changes": 4},
            ],
        })  # fmt: skip
    return httpx.Response(404, json={"message": "Not Found"})


def test_without_a_diff_the_services_github_compare_gives_it(app: Nightowl) -> None:
    config = GitHubConfig(repo="acme/checkout", token="ghp_test")
    repo = GitHub("gh", config, transport=httpx.MockTransport(compare_api))
    risk = DeployRisk(app.records, repos=[repo])
    asked = AssessRequest(
        service="checkout", version="v1.5.0", commit="3f2c1a9", diff_from="v1.4.2", at=QUIET_AT
    )
    got = reasons(asyncio.run(risk.assess(asked, CI)))
    assert got["change size"].evidence == {
        "lines": 44,
        "files": 2,
        "source": "github:acme/checkout",
    }
    assert got["change kinds"].points == 25  # migration + config
    unknown = asked.model_copy(update={"diff_from": "v0"})
    missing = reasons(asyncio.run(risk.assess(unknown, CI)))["change size"]
    assert not missing.present
    assert missing.summary.startswith("GitHub's compare failed on gh")


def test_a_delay_reaches_the_owners_slack_channel_through_the_routes(app: Nightowl) -> None:
    """Slack's Web API as documented (``FakeSlack``: Slack cannot run here), behind the real
    router: the owner's route takes the delay, with its reasons and the owners named."""
    fake = FakeSlack()
    slack = notifier(fake, channel="#checkout")
    routed = wrap(
        [slack],
        NotifySettings.model_validate(
            {"routes": [{"match": {"owner": ["ana"]}, "notifiers": ["slack"]}], "default": []}
        ),
        lambda _: IncidentFacts(),
        lambda: NOW,
        Redactor([]),
    )
    app.store.create_incident(
        incident_id="inc-open", correlation_key="k3", title="checkout 5xx", service="checkout",
        severity=Severity.HIGH, opened_at=PEAK_AT - timedelta(minutes=5),
    )  # fmt: skip
    risk = DeployRisk(app.records, app.reads.metrics, routed)
    asked = AssessRequest(service="checkout", version="v1.5.0", at=PEAK_AT, change=big_change())
    result = asyncio.run(risk.assess(asked, CI))
    assert result.recommendation is Recommendation.DELAY
    [body] = fake.bodies()
    assert body["channel"] == "#checkout"
    assert body["text"].startswith("Delay the deploy of checkout v1.5.0? Risk")
    assert "open incidents: +15" in body["text"]
    assert "*Owners*\nana" in json.dumps(body["blocks"], ensure_ascii=False).replace("\\n", "\n")
    assert result.notified[0].startswith("slack: sent")
