"""``nightowl policy test``: table-driven policy tests."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.policy.cases import run_cases

CASES = """
policy: {autonomy: act, criticality: {payments: critical}}
cedar: |
  @id("no-drain-on-fridays") forbid(principal, action == Action::"act", resource)
    when { context.kind == "drain_node" && context.weekday == 5 };
cases:
  - name: a scale to 50 replicas is denied
    action: {kind: scale_out, service: checkout, params: {factor: 12.5}}
    blast_radius: {replicas_before: 4, replicas_after: 50}
    expect: deny
    rules: [blast_radius.replicas, blast_radius.scale_factor]
  - name: a restart of a critical service waits for a human
    action: {kind: restart, service: payments}
    expect: require_approval
    rules: [criticality]
  - name: no drains on Fridays
    action: {kind: drain_node, service: checkout, risk: high}
    at: 2030-01-04T10:00:00Z
    expect: deny
    rules: ["cedar:no-drain-on-fridays"]
"""


def test_cases_pass_and_a_wrong_expectation_fails(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(CASES)
    assert all(r.ok for r in run_cases(path))

    runner = CliRunner()
    ok = runner.invoke(app, ["policy", "test", str(path), "--data-dir", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    path.write_text(CASES.replace("expect: require_approval", "expect: allow"))
    failed = runner.invoke(app, ["policy", "test", str(path), "--data-dir", str(tmp_path)])
    assert failed.exit_code == 1
    assert "1 of 3 case(s) failed" in failed.output


def test_a_bad_case_file_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n  - name: x\n    expect: maybe\n")
    result = CliRunner().invoke(app, ["policy", "test", str(path), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "configuration error" in result.output
    assert "Traceback" not in result.output
