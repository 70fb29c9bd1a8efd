"""``nightowl config check`` refuses what would otherwise fail mid-incident (each case names the
key and says why), and ``--live`` reaches every connector and notifier: a real Prometheus (started
by the test), a dead port, a file notifier that cannot write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from nightowl_lab.harness.ports import free_port
from nightowl_lab.harness.prometheus import PrometheusServer

from tests.cli.test_cli import run

HASH = "pbkdf2_sha256$1000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "policy: {freeze: [{name: nights, cron: '61 * * * *'}]}",
            "policy.freeze.0.cron: Value error, cron '61 * * * *': the minute field '61' is not valid",
        ),
        (
            "policy: {freeze: [{name: xmas, start: 2030-12-27T00:00:00Z, end: 2030-12-20T00:00:00Z}]}",
            "freeze 'xmas' ends (2030-12-20T00:00:00+00:00) before or when it starts",
        ),
        (
            f"ui:\n  users: {{alice: {{password_hash: '{HASH}', role: admin}}}}\nui:\n  token_role: viewer\n",
            "line 3, column 1: not valid YAML (duplicate key 'ui' (first at line 1)",
        ),
        (
            "ui: {users: {alice: {password_hash: X}}}",
            "ui.users.alice.password_hash: Value error, not a password hash the UI accepts (unknown scheme)",
        ),
        (
            "ui: {public_url: nightowl.example.com}",
            "ui.public_url: Value error, 'nightowl.example.com' is not an http:// or https:// URL",
        ),
        (
            "actions: {routes: {checkout: k8s}}",
            "actions.routes.checkout: no action driver named 'k8s'",
        ),
        (
            "gather: {lookback_minutes: 1, step_seconds: 120}",
            "step_seconds (120) is longer than lookback_minutes",
        ),
        (
            "notify: {notifiers: [{name: ops, kind: webhook, url: 'hooks.example/T0K3N'}]}",
            "notify.notifiers.ops: url: Value error, is not an http:// or https:// URL with a host (not shown",
        ),
    ],
)
def test_config_check_refuses_what_would_fail_an_incident(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "nightowl.yaml"
    path.write_text(text + "\n", encoding="utf-8")

    result = run("config", "check", "--config", path, "--data-dir", tmp_path)

    assert result.exit_code == 2, result.output
    assert expected in result.stderr.replace("\n", " ")
    assert "Traceback" not in result.output
    assert "T0K3N" not in result.output  # a webhook URL's secret is never shown


@pytest.fixture(scope="module")
def prometheus_url() -> Iterator[str]:
    """A real Prometheus (Debian ``prometheus``) on loopback, scraping nothing."""
    with PrometheusServer() as server:
        yield server.url


def live(tmp_path: Path, connectors: list[dict[str, Any]], notifiers: list[dict[str, Any]]) -> Any:
    path = tmp_path / "nightowl.yaml"
    settings = {"connectors": connectors, "notify": {"notifiers": notifiers}}
    path.write_text(yaml.safe_dump({**settings, "gather": {"call_timeout_seconds": 5}}))
    return run("config", "check", "--live", "--json", "--config", path, "--data-dir", tmp_path)


def test_live_passes_when_everything_answers(tmp_path: Path, prometheus_url: str) -> None:
    result = live(
        tmp_path,
        [{"name": "prom", "kind": "prometheus", "url": prometheus_url}],
        [
            {"name": "hook", "kind": "webhook", "url": f"{prometheus_url}/hook"},
            {"name": "log", "kind": "file", "path": str(tmp_path / "out" / "n.jsonl")},
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["ok"] is True
    checks = {c["name"]: (c["kind"], c["ok"]) for c in body["checks"]}
    assert checks["prom"] == ("prometheus", True)
    assert checks["hook"] == ("notifier webhook", True)
    assert checks["log"] == ("notifier file", True)


def test_live_fails_and_says_why_for_each_unreachable_one(
    tmp_path: Path, prometheus_url: str
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    (tmp_path / "a-file").write_text("")
    result = live(
        tmp_path,
        [{"name": "prom", "kind": "prometheus", "url": prometheus_url}],
        [
            {"name": "hook", "kind": "webhook", "url": f"{dead}/T0K3N"},
            {"name": "log", "kind": "file", "path": str(tmp_path / "a-file" / "n.jsonl")},
        ],
    )
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["ok"] is False
    errors = {c["name"]: c["error"] for c in body["checks"]}
    assert errors["prom"] is None
    assert errors["hook"] == f"notifier 'hook': cannot reach {dead}: ConnectError"
    assert errors["log"].startswith("notifier 'log': cannot write ")
    assert "T0K3N" not in result.output


def test_live_prints_a_table(tmp_path: Path) -> None:
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump({"notify": {"notifiers": []}}))
    result = run("config", "check", "--live", "--config", path, "--data-dir", tmp_path)
    assert result.exit_code == 0, result.output
    assert "configuration OK" in result.stdout
    assert "check(s), 0 failing" in result.stdout
    assert "notifier file" in result.stdout  # the default notifier


def test_checking_leaves_no_store_where_none_was(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A check opens no store of its own: a mistyped --data-dir stays one that readers refuse,
    not an empty store that answers "no incidents"."""
    typo = tmp_path / "nightowl-dta"
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump({"connectors": []}))

    checked = run("config", "check", "--config", path, "--data-dir", typo)
    connectors = run("check", "connectors", "--config", path, "--data-dir", typo)
    as_json = run("config", "check", "--json", "--config", path, "--data-dir", typo)

    assert checked.exit_code == 0, checked.output
    assert "`nightowl serve` creates it" in checked.stdout.replace("\n", " ")
    assert "created the audit key" not in caplog.text  # no key to back up was made
    assert connectors.exit_code == 0, connectors.output
    assert json.loads(as_json.stdout)["store_exists"] is False
    assert not list(typo.glob("nightowl.sqlite*")), list(typo.iterdir())
    assert not (typo / "audit.key").exists()
    listed = run("incidents", "list", "--config", path, "--data-dir", typo)
    assert listed.exit_code == 1, listed.output
    assert "no nightowl store at" in listed.stderr


def test_checking_an_existing_store_reads_it_in_place(tmp_path: Path) -> None:
    path = tmp_path / "nightowl.yaml"
    path.write_text(yaml.safe_dump({"connectors": []}))
    assert run("incidents", "list", "--config", path, "--data-dir", tmp_path).exit_code == 1
    assert run("db", "migrate", "--config", path, "--data-dir", tmp_path).exit_code == 0

    result = run("config", "check", "--json", "--config", path, "--data-dir", tmp_path)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["store_exists"] is True
    assert (tmp_path / "audit.key").exists()
