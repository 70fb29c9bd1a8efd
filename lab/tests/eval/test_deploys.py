"""The deploy-risk backtest: ROC AUC and precision/recall computed as defined, every deploy scored
with only what was known at its time (cutting the history after a deploy leaves its score
unchanged), and ``nightowl scenarios deploys`` → ``nightowl eval --deploys`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from nightowl_lab.eval.deploys import at_threshold, backtest, replay, roc_auc
from nightowl_lab.sim.deploys import DeployHistory, generate
from typer.testing import CliRunner

from nightowl.cli.main import app

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_TOKEN": None,
    "COLUMNS": "400",
}


def test_roc_auc_is_the_chance_a_bad_deploy_outscores_a_good_one() -> None:
    assert roc_auc([(10, False), (20, True)]) == 1.0
    assert roc_auc([(20, False), (10, True)]) == 0.0
    assert roc_auc([(10, False), (10, True)]) == 0.5
    assert roc_auc([(5, False), (30, False), (20, True), (40, True)]) == 0.75
    assert roc_auc([(5, False)]) is None


def test_precision_and_recall_at_a_threshold() -> None:
    scored = [(70, True), (65, False), (20, True), (10, False)]
    at = at_threshold(scored, 60)
    assert (at.flagged, at.precision, at.recall) == (2, 0.5, 0.5)
    assert at_threshold(scored, 90).precision is None


def test_the_same_seed_writes_the_same_history() -> None:
    assert generate(3, services=3, days=10) == generate(3, services=3, days=10)
    assert generate(3, services=3, days=10) != generate(4, services=3, days=10)


def test_no_score_reads_anything_after_its_deploy() -> None:
    history = generate(5, services=4, days=40)
    full = replay(history)
    ordered = sorted(history.deploys, key=lambda d: d.at)
    for cut in (len(ordered) // 3, 2 * len(ordered) // 3):
        until = ordered[cut].at
        truncated = DeployHistory(
            seed=history.seed,
            deploys=ordered[: cut + 1],
            incidents=[i for i in history.incidents if i.opened_at <= until],
        )
        assert [s for s, _ in replay(truncated)] == [s for s, _ in full[: cut + 1]]


def test_the_score_separates_the_models_bad_deploys_better_than_chance() -> None:
    result = backtest(generate(11))
    assert result.deploys == sum(result.recommendations.values())
    assert result.bad == sum(1 for i in generate(11).incidents if i.caused_by)
    assert result.roc_auc is not None
    assert result.roc_auc > 0.5
    assert result.mean_score["bad"] > result.mean_score["good"]
    assert result.canary is None


def test_generate_then_backtest_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "deploys.json"
    runner = CliRunner()
    wrote = runner.invoke(
        app, ["scenarios", "deploys", "--out", str(path), "--seed", "2", "--days", "30"],
        env=CLEAN_ENV,
    )  # fmt: skip
    assert wrote.exit_code == 0, wrote.output
    assert "deploys" in wrote.stdout
    result = runner.invoke(app, ["eval", "--deploys", str(path), "--json"], env=CLEAN_ENV)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["seed"] == 2
    assert out["at_delay"]["threshold"] == 60
    table = runner.invoke(app, ["eval", "--deploys", str(path)], env=CLEAN_ENV)
    assert "ROC AUC" in table.stdout
    path.write_text('{"deploys": 1}')
    bad = runner.invoke(app, ["eval", "--deploys", str(path)], env=CLEAN_ENV)
    assert bad.exit_code == 1
    assert "is not a deploy history" in bad.output


def test_with_canary_the_backtest_also_times_canary_analysis(tmp_path: Path) -> None:
    """``--canary``: the bundled scenarios' deploys analysed; checkout's bad deploy is flagged
    before its alert (the lead is positive), the harmless one passes."""
    path = tmp_path / "history.json"
    runner = CliRunner()
    made = ["scenarios", "deploys", "--out", str(path), "--services", "3", "--days", "14"]
    assert runner.invoke(app, made, env=CLEAN_ENV).exit_code == 0

    result = runner.invoke(
        app, ["eval", "--deploys", str(path), "--canary", "--json"], env=CLEAN_ENV
    )

    assert result.exit_code == 0, result.output
    canary = json.loads(result.stdout)["canary"]
    assert canary["bad"] >= 1
    assert canary["detected"] == 1.0
    assert canary["false_alarms"] == 0.0
    assert canary["median_lead_over_alert_seconds"] > 0
