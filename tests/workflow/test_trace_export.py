"""nightowl's traces over real OTLP/HTTP: ``nightowl serve`` (a child process, the official
exporter) sends one incident's spans to a receiver on loopback — from the webhook to the report,
and across a SIGKILL: the workflow recovered by a second process continues the same trace."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.workflow.pipeline import PIPELINE
from tests.conftest import READ
from tests.workflow.otlp import OtlpReceiver, Received
from tests.workflow.test_crash import SCENARIO, TOKEN, poll, stage_status, write_config


def traced_config(path: Path, data_dir: Path, endpoint: str) -> Path:
    config: dict[str, Any] = yaml.safe_load(write_config(path, data_dir, None).read_text())
    config["tracing"] = {"enabled": True, "endpoint": endpoint, "service_name": "nightowl-e2e"}
    path.write_text(yaml.safe_dump(config))
    return path


def stage_spans(spans: list[Received]) -> list[str]:
    return [s.name.removeprefix("stage ") for s in spans if s.name.startswith("stage ")]


def crash_after_diagnose(config: Path, otlp: OtlpReceiver) -> str:
    """Page a server paused after diagnose, wait for its spans, SIGKILL it; the incident id."""
    payload = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
    first = ServerProcess(config, pause_after="diagnose").start()
    try:
        answer = httpx.post(
            f"{first.url}/api/v1/webhooks/alertmanager",
            json=payload,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=30.0,
        )
        assert answer.status_code == 202, answer.text
        otlp.wait_for(lambda spans: "diagnose" in stage_spans(spans))
        deadline = time.monotonic() + 30
        while "pausing" not in first.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "pausing" in first.output(), first.output()
        incident_id: str = answer.json()["incident_id"]
        return incident_id
    finally:
        first.kill()


@pytest.mark.slow
def test_one_trace_from_webhook_to_report_across_a_sigkill(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")  # the SDK's batch delay, milliseconds
    with OtlpReceiver() as otlp:
        config = traced_config(tmp_path / "traced.yaml", tmp_path / "data", otlp.url)
        incident_id = crash_after_diagnose(config, otlp)
        before = list(otlp.spans)
        with ServerProcess(config) as second:
            url = f"{second.url}/api/v1/incidents/{incident_id}"
            poll(url, lambda i: stage_status(i, "notify") in ("completed", "failed"))
            otlp.wait_for(lambda spans: "notify" in stage_spans(spans))
            shown = httpx.get(url, headers=READ, timeout=30.0).json()

    [webhook] = [s for s in before if s.name == "webhook"]
    assert webhook.parent_id == ""
    assert webhook.service == "nightowl-e2e"
    mine = [s for s in otlp.spans if s.trace_id == webhook.trace_id]
    assert stage_spans(mine) == [stage.value for stage in PIPELINE]  # each stage run once
    assert stage_spans(before) == ["triage", "gather", "analyze", "diagnose"]
    # the recovered run's span and every stage hang under the webhook that opened the incident
    [recovered] = [s for s in mine if s.name == "incident workflow"]  # the first never ended
    assert recovered.parent_id == webhook.span_id
    assert {s.parent_id for s in mine if s.name.startswith("stage ")} == {webhook.span_id}
    ids = {s.span_id for s in mine}
    assert all(s.parent_id in ids for s in mine if s is not webhook)  # one connected tree
    assert all(
        s.attributes["nightowl.incident.id"] == incident_id for s in mine if s is not webhook
    )
    [policy] = [s for s in mine if s.name.startswith("policy ")]
    assert policy.attributes["nightowl.policy.verdict"] == shown["decisions"][0]["verdict"]
    [action] = [s for s in mine if s.name.startswith("action ")]
    assert action.attributes["nightowl.action.status"] == shown["actions"][0]["status"]
    report = Path(shown["report_path"]).read_text(encoding="utf-8")
    assert f"nightowl's trace {webhook.trace_id}" in report
