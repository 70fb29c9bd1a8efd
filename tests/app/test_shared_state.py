"""Two replicas on one database, each with its own data dir, share what either writes: the report
(HTML, postmortem model, charts) one replica wrote is served by the other after the writer's data
dir is gone, a session logged out on one is refused by the other, and an action (its pre-state
and result) one driver applied is replayed by the other's. On SQLite and on a real
PostgreSQL (where DBOS keeps its system tables too)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from nightowl.actions.results import result
from nightowl.actions.webhook import WebhookDriver
from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import ActionSpec, ActionStatus, Risk
from nightowl.settings import Settings
from nightowl.ui import install
from nightowl.ui.passwords import pbkdf2_hash
from nightowl.ui.sessions import Sessions
from tests.approvals.flow import auth, page, settings_for

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
SECRET = "the-same-session-secret-on-every-replica"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared' / 'nightowl.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def replica(data_dir: Path, store_url: str, **sections: Any) -> Settings:
    return settings_for(
        data_dir,
        **sections,
        store={"url": store_url},
        audit={"key": "the-same-audit-key-on-every-replica-0123"},  # a key file would differ
        ui={
            "session_secret": SECRET,
            "users": {"alice": {"password_hash": pbkdf2_hash("pw", 1000), "role": "approver"}},
        },
    )


def test_a_report_written_by_one_replica_is_served_by_another(
    tmp_path: Path, store_url: str
) -> None:
    writer = Nightowl(replica(tmp_path / "a", store_url))
    writer.launch()
    try:
        done = page(writer)
    finally:
        writer.shutdown()
    assert done.report is not None
    shutil.rmtree(tmp_path / "a")  # nothing the other replica reads may come from here

    reader = Nightowl(replica(tmp_path / "b", store_url))
    try:
        api = create_api(reader)
        install(api, reader)  # the web UI, as `nightowl serve` mounts it
        client = TestClient(api)
        url = f"/api/v1/incidents/{done.id}/report"
        model = client.get(url, params={"format": "json"}, headers=auth("alice"))
        page_html = client.get(url, params={"format": "html"}, headers=auth("alice"))
        ui_page = client.get(f"/ui/incidents/{done.id}/report", headers=auth("alice"))
        documents = reader.records.report_documents(done.id)
    finally:
        reader.shutdown()
    assert model.status_code == 200
    assert page_html.status_code == 200
    assert json.loads(model.text) == json.loads(documents["postmortem.json"])
    assert page_html.text == documents["html"] == ui_page.text
    charts = json.loads(documents["charts.json"])
    assert charts, "the report's charts were captured"
    assert page_html.text.count("<svg") == len(charts)
    assert not (tmp_path / "b" / "reports").exists()


def test_a_session_logged_out_on_one_replica_is_refused_by_another(
    tmp_path: Path, store_url: str
) -> None:
    one = Nightowl(replica(tmp_path / "a", store_url))
    two = Nightowl(replica(tmp_path / "b", store_url))
    try:
        first = Sessions(one.settings, one.stores.revocations)
        second = Sessions(two.settings, two.stores.revocations)
        kept, logged_out = first.issue("alice"), first.issue("alice")
        assert second.principal(logged_out) is not None  # the same secret: valid everywhere
        first.revoke(logged_out)
        assert second.principal(logged_out) is None
        assert second.principal(kept) is not None
    finally:
        one.shutdown()
        two.shutdown()
    assert not list((tmp_path / "a").glob("ui-revoked*"))
    assert not list((tmp_path / "b").glob("ui-revoked*"))


def test_an_action_one_replica_applied_is_replayed_by_another(
    tmp_path: Path, store_url: str
) -> None:
    """The pre-state and result a driver recorded on one worker is what a workflow recovered on
    another finds: it replays the result instead of acting again."""
    actions = {"dry_run": True, "drivers": [{"name": "hooks", "kind": "webhook", "hooks": {}}]}
    one = Nightowl(replica(tmp_path / "a", store_url, actions=actions))
    two = Nightowl(replica(tmp_path / "b", store_url, actions=actions))
    try:
        first, second = (
            next(d for d in app._raw_drivers if isinstance(d, WebhookDriver)) for app in (one, two)
        )
        spec = ActionSpec(
            kind="hook", service="checkout", params={}, runbook="r", risk=Risk.LOW,
            reason="test", rollback="none", idempotency_key="inc-1:hook:checkout",
        )  # fmt: skip
        applied = result(
            spec, "hooks", ActionStatus.SUCCEEDED, datetime.now(UTC),
            pre={"version": "v41"}, post={"version": "v42"}, message="called",
        )  # fmt: skip
        first.ledger.put(applied)
        replay = second.ledger.replay("inc-1:hook:checkout")
    finally:
        one.shutdown()
        two.shutdown()
    assert replay is not None
    assert replay.pre_state.version == "v41"
    assert replay.message == "already applied: called"
    assert not (tmp_path / "a" / "actions").exists()
