"""Intake through a launched nightowl: the dispatcher opens a waiting group once due, and the
resolution check confirms (or refuses) closing an incident whose alerts all resolved."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dbos import DBOS
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.cluster import SimulatedClusterDriver
from nightowl_lab.sim.replay import Replay
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario
from sqlalchemy import event

from nightowl.api.server import create_api
from nightowl.app import Nightowl
from nightowl.domain import IncidentStatus
from nightowl.domain.intake import FlushResult
from nightowl.domain.remediation import ActionSpec, Risk
from nightowl.workflow import engine
from tests.conftest import TOKEN, SettingsFactory


@pytest.fixture
def launched(tmp_path: Path, settings_for: SettingsFactory) -> Iterator[Any]:
    apps: list[Nightowl] = []

    def launch(**intake: Any) -> Nightowl:
        app = Nightowl(settings_for(tmp_path, intake={"group_wait_seconds": 0, **intake}))
        apps.append(app)
        app.launch()
        return app

    yield launch
    for app in apps:
        app.shutdown()


def firing_body(resolved: bool = False) -> bytes:
    scenario = load_scenario(bundled_scenario("checkout-bad-deploy"))
    return json.dumps(alertmanager_payload(scenario, resolved=resolved)).encode()


async def post(app: Nightowl, client: httpx.AsyncClient, body: bytes) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/webhooks/alertmanager",
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def run(app: Nightowl, scenario: Any) -> Any:
    async def main() -> Any:
        transport = httpx.ASGITransport(app=create_api(app))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://nightowl") as c:
                return await scenario(c)
        finally:
            await app.stop_background()

    return asyncio.run(main())


def test_the_dispatcher_opens_a_waiting_group_once_it_is_due(launched: Any) -> None:
    app = launched(group_wait_seconds=30)

    async def scenario(client: httpx.AsyncClient) -> tuple[dict[str, Any], list[FlushResult]]:
        answer = await post(app, client, firing_body())
        early = await asyncio.to_thread(app.intake.flush_due)
        await app.clock.sleep(31)  # scenario time: skip past group_wait
        due = await asyncio.to_thread(app.intake.flush_due)
        await app.dispatcher.handle(due)
        await engine.wait_for(str(due[0].incident_id), timeout=60)
        assert early == []
        return answer, due

    answer, [opened] = run(app, scenario)

    assert answer["incident_id"] is None
    assert answer["new_alerts"] == 1
    assert "after group_wait (30s)" in answer["detail"]
    assert opened.kind == "opened"
    incident = app.store.get(str(opened.incident_id))
    assert incident.service == "checkout"
    assert incident.status is IncidentStatus.AWAITING_APPROVAL  # autonomy suggest
    # one incident workflow (its stages on their own queues are child workflows of it)
    opened_runs = [w for w in DBOS.list_workflows() if w.name == "nightowl.incident"]
    assert [w.workflow_id for w in opened_runs] == [incident.id]


def statuses_written(app: Nightowl) -> list[str]:
    """Every incident status the store writes from now on, in order (observed, not altered)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE INCIDENTS") and "status" in statement:
            values = params if isinstance(params, tuple | list) else tuple(params.values())
            seen.extend(v for v in values if v in {s.value for s in IncidentStatus})

    event.listen(app.store.engine, "before_cursor_execute", record)
    return seen


def resolve_all(app: Nightowl, fix_first: bool) -> tuple[str, list[str]]:
    """Fire, let the workflow finish, (maybe fix checkout by hand), then resolve every alert."""
    seen = statuses_written(app)

    async def scenario(client: httpx.AsyncClient) -> str:
        fired = await post(app, client, firing_body())
        incident_id = str(fired["incident_id"])
        await engine.wait_for(incident_id, timeout=60)
        if fix_first:
            await rollback_by_hand(app)
        await app.clock.sleep(600)  # ten minutes later, the alert resolves
        resolved = await post(app, client, firing_body(resolved=True))
        assert resolved["incidents"] == [incident_id]
        [check] = [
            w.workflow_id
            for w in await DBOS.list_workflows_async()
            if w.workflow_id.startswith(f"{incident_id}:resolution:")
        ]
        await engine.wait_for(check, timeout=60)
        return incident_id

    return run(app, scenario), seen


async def rollback_by_hand(app: Nightowl) -> None:
    """A human rolls checkout back outside nightowl (on the simulated cluster)."""
    [replay] = [c for _, c in app.connectors if isinstance(c, Replay)]
    driver = SimulatedClusterDriver(replay.cluster, app.clock)
    action = ActionSpec(
        kind="rollback",
        service="checkout",
        runbook="by-hand",
        risk=Risk.LOW,
        reason="the on-call engineer rolled back",
        rollback="redeploy v2.4.1",
        idempotency_key="by-hand-1",
    )
    await driver.apply(action, dry_run=False)


def test_all_alerts_resolved_but_signals_still_bad_escalates(launched: Any) -> None:
    app = launched()

    incident_id, seen = resolve_all(app, fix_first=False)

    incident = app.store.get(incident_id)
    assert seen[-2:] == ["verifying", "escalated"]
    assert incident.status is IncidentStatus.ESCALATED
    assert incident.verification is not None
    assert incident.verification.recovered is False
    assert incident.verification.summary.startswith("every alert resolved")


def test_all_alerts_resolved_and_signals_confirm_resolves(launched: Any) -> None:
    app = launched()

    incident_id, seen = resolve_all(app, fix_first=True)

    incident = app.store.get(incident_id)
    assert seen[-2:] == ["verifying", "resolved"]
    assert incident.status is IncidentStatus.RESOLVED
    assert incident.verification is not None
    assert incident.verification.recovered is True
