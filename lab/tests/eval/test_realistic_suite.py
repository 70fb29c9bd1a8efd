"""The hand-written realistic set through ``nightowl eval``: CI fails when its scorecard regresses.

The baseline holds today's (low) figures: the set is the yardstick the engine is improved against,
so any drop in top-1, top-3, fault kind or remediation, or any extra unsafe action, fails — and an
improvement is recorded by re-measuring the baseline (see docs/benchmarks.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nightowl_lab.eval.scorecard import Scorecard, regressions
from typer.testing import CliRunner

from nightowl.cli.main import app

REALISTIC = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "realistic"
BASELINE = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "realistic-baseline.json"


@pytest.mark.slow
def test_the_realistic_set_scores_at_least_its_baseline(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["eval", "--scenarios", str(REALISTIC), "--json", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    card = Scorecard.model_validate(json.loads(result.stdout))
    baseline = Scorecard.model_validate_json(BASELINE.read_text())

    assert card.scenarios == len(list(REALISTIC.glob("*.yaml"))) == baseline.scenarios
    assert {r.name for r in card.results} == {r.name for r in baseline.results}
    assert regressions(card, baseline) == []
