"""Redaction: secrets seeded into logs and alerts never reach the model. Every request the scripted
OpenAI-compatible server received (every message of every role) is inspected."""

from __future__ import annotations

import json
from pathlib import Path

from nightowl_lab.harness.llm_server import ScriptedLLM

from tests.agent import pipeline

SECRETS = {
    "password": "Hunter2-Secret!",
    "bearer": "abcDEF123456ghiJKLmno",
    "aws": "AKIAIOSFODNN7EXAMPLE",
    "github": "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "email": "oncall-lead@example.com",
    "dsn": "S3cretPassw0rd",
    "openai": "sk-live-0123456789abcdefABCDEF",
    "ip": "10.20.30.40",
    "provider key": "sk-test-provider-key-0000000000",
}


def test_no_seeded_secret_reaches_the_model(tmp_path: Path) -> None:
    scenario = pipeline.scenario_with(
        tmp_path,
        logs=[
            f"db login failed for app password={SECRETS['password']}",
            f"upstream call with Authorization: Bearer {SECRETS['bearer']} got 503 from {SECRETS['ip']}",
            f"aws credentials {SECRETS['aws']} rejected; token={SECRETS['github']}",
            f"paging {SECRETS['email']} about the failure",
        ],
        annotations={
            "description": f"DSN postgres://app:{SECRETS['dsn']}@db.internal:5432/shop unreachable",
            "debug": f"api_key: {SECRETS['openai']} owner {SECRETS['email']}",
        },
    )
    with ScriptedLLM() as server:
        settings = pipeline.settings(tmp_path / "data", scenario, server.base_url, redact_ips=True)
        incident, llm = pipeline.run(settings, scenario)
    assert {role for role, _ in server.turns()} == {"diagnostician", "remediator", "communicator"}
    sent = json.dumps(server.requests)
    # The secrets were really there to leak: the model read the logs that carry them.
    assert "db login failed for app password=[REDACTED]" in sent
    assert "[EMAIL]" in sent
    assert "[IP]" in sent
    for what, secret in SECRETS.items():
        assert secret not in sent, f"the {what} reached the model"
    # Nor do they sit in what the agent stored about its calls.
    stored = json.dumps([c.model_dump(mode="json") for c in llm.tool_calls(incident.id)])
    assert all(secret not in stored for secret in SECRETS.values())
