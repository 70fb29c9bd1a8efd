"""Durability: SIGKILL nightowl in the middle of an LLM investigation, start it again, and the
investigation resumes without repeating (or paying again for) a model call that had completed.

The scripted OpenAI-compatible server holds the diagnostician's second request, so the kill lands
after the first call completed (and was journaled) and while the second is in flight. The server
counts every request it receives.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from nightowl_lab.harness.llm_server import ScriptedLLM
from nightowl_lab.harness.server import ServerProcess
from nightowl_lab.sim.alerts import alertmanager_payload
from nightowl_lab.sim.scenario import bundled_scenario, load_scenario

from nightowl.store import IncidentStore
from nightowl.store.llm import LlmStore
from tests.conftest import READER, READER_TOKEN
from tests.workflow.test_crash import poll, stage_status

SCENARIO = "checkout-bad-deploy"
TOKEN = "llm-crash-test-token"


def write_config(path: Path, data_dir: Path, base_url: str) -> Path:
    config: dict[str, Any] = {
        "data_dir": str(data_dir),
        "connectors": [
            {"name": "scenario", "kind": "replay", "scenario": str(bundled_scenario(SCENARIO))}
        ],
        "policy": {"autonomy": "act"},
        "actions": {"dry_run": False},
        "webhooks": {"tokens": {"*": [TOKEN]}},
        "intake": {"group_wait_seconds": 0},
        "api": {"users": {READER: READER_TOKEN}},
        "llm": {"provider": "openai-compatible", "model": "scripted", "base_url": base_url},
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.slow
def test_sigkill_mid_investigation_repeats_no_completed_model_call(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with ScriptedLLM(hold=("diagnostician", 1)) as llm:
        config = write_config(tmp_path / "nightowl.yaml", data_dir, llm.base_url)
        first = ServerProcess(config).start()
        try:
            payload = alertmanager_payload(load_scenario(bundled_scenario(SCENARIO)))
            answer = httpx.post(
                f"{first.url}/api/v1/webhooks/alertmanager",
                json=payload,
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=10.0,
            )
            assert answer.status_code == 202, answer.text
            incident_id = answer.json()["incident_id"]
            llm.wait_held()  # the first call completed; the second is in flight
        finally:
            first.kill()
        llm.release()
        assert llm.turns() == [("diagnostician", 0), ("diagnostician", 1)]

        with ServerProcess(config) as second:
            after = poll(
                f"{second.url}/api/v1/incidents/{incident_id}",
                lambda i: stage_status(i, "notify") in ("completed", "failed"),
            )
        received = Counter(llm.turns())

    # The completed call was not asked again; the interrupted one was (it had no answer).
    assert received == {
        ("diagnostician", 0): 1,
        ("diagnostician", 1): 2,
        ("remediator", 0): 1,
        ("remediator", 1): 1,
        ("communicator", 0): 1,
    }
    assert after["status"] == "resolved", second.output()
    stages = {s["stage"]: s for s in after["stages"]}
    assert stages["diagnose"]["attempt"] == 2  # the interrupted step ran again …
    assert all(s["attempt"] == 1 for name, s in stages.items() if name != "diagnose")
    assert "LLM agent v1 (scripted)" in after["diagnosis"]["explanation"]
    # … and paid only for the calls that had not completed: five answers, five journal entries.
    store = IncidentStore.open(f"sqlite:///{data_dir / 'nightowl.sqlite'}")
    try:
        calls = LlmStore(store.engine).calls(incident_id)
    finally:
        store.close()
    assert sorted((c.run_key, c.seq) for c in calls) == [
        ("diagnose0:diagnostician", 1),
        ("diagnose0:diagnostician", 2),
        ("diagnose0:remediator", 1),
        ("diagnose0:remediator", 2),
        ("report:communicator", 1),
    ]
