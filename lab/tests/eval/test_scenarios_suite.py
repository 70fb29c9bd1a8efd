"""The committed scenario suite through ``nightowl eval``: CI fails when the scorecard regresses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nightowl_lab.eval.scorecard import Scorecard, regressions
from typer.testing import CliRunner

from nightowl.cli.main import app

SUITE = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "suite"
BASELINE = Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "baseline.json"


@pytest.mark.slow
def test_the_suite_scores_at_least_the_baseline(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["eval", "--scenarios", str(SUITE), "--json", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    card = Scorecard.model_validate(json.loads(result.stdout))
    baseline = Scorecard.model_validate_json(BASELINE.read_text())

    assert card.scenarios == len(list(SUITE.glob("*.yaml")))
    assert card.unsafe_actions == 0
    assert regressions(card, baseline) == []
