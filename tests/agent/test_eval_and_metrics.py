"""``nightowl eval-llm`` side by side with and without the agent; tokens and cost on /metrics."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from nightowl_lab.harness.llm_server import ScriptedLLM
from nightowl_lab.sim.scenario import bundled_scenario
from prometheus_client import generate_latest
from typer.testing import CliRunner

from nightowl.api.metrics import REGISTRY
from nightowl.cli.main import app


def test_eval_llm_compares_the_engines_per_scenario(tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    shutil.copy(bundled_scenario("checkout-bad-deploy"), scenarios)
    with ScriptedLLM() as server:
        result = CliRunner().invoke(
            app,
            [
                "eval-llm",
                "--scenarios", str(scenarios),
                "--llm", "openai-compatible:scripted",
                "--base-url", server.base_url,
                "--data-dir", str(tmp_path / "data"),
                "--json",
            ],
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["scenario"] == "checkout-bad-deploy"
    assert row["deterministic"] == {
        "kind": "bad_deploy",
        "service": "checkout",
        "correct": True,
        "engine": "deterministic",
        "calls": 0,
        "tokens": 0,
        "cost_usd": 0.0,
        "rejected": 0,
    }
    assert row["llm"]["correct"] is True
    assert row["llm"]["calls"] == 5
    assert row["llm"]["tokens"] > 0
    text = generate_latest(REGISTRY).decode()
    assert (
        'nightowl_llm_tokens_total{direction="input",model="scripted",role="diagnostician"}' in text
    )
    assert 'nightowl_llm_calls_total{model="scripted",outcome="called",role="communicator"}' in text
    assert "nightowl_llm_cost_usd_total" in text


def test_eval_llm_refuses_a_malformed_llm_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval-llm", "--llm", "gpt-4o", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "PROVIDER:MODEL" in result.output
