"""``nightowl init`` through Typer's runner, against a real Prometheus started by the test module
(Debian ``prometheus``) and a dead port: the file it writes is accepted by ``config check``, the
secrets stay in 0600 files and out of the output, each connector is reported ok or unreachable."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from nightowl_lab.harness.ports import free_port
from nightowl_lab.harness.prometheus import PrometheusServer
from typer.testing import CliRunner, Result

from nightowl.cli.main import app
from nightowl.settings.starter import ADMIN_TOKEN_VAR, WEBHOOK_TOKEN_VAR
from nightowl.ui.passwords import verify

CLEAN_ENV: dict[str, str | None] = {
    "NIGHTOWL_CONFIG": None,
    "NIGHTOWL_DATA_DIR": None,
    "NIGHTOWL_WEBHOOK_TOKEN": None,
    "NIGHTOWL_ADMIN_PASSWORD": None,
    "SLACK_WEBHOOK_URL": None,
    "COLUMNS": "400",
}
SLACK = "http://127.0.0.1:9/services/T000/B000/XXXX"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def prometheus_url() -> Iterator[str]:
    with PrometheusServer() as server:
        yield server.url


def run(*args: str | Path, input: str | None = None, **env: str) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env={**CLEAN_ENV, **env}, input=input)


def env_of(path: Path) -> dict[str, str]:
    """The NAME='value' lines of the env file ``init`` wrote."""
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return {k: v.strip("'") for k, v in (line.split("=", 1) for line in lines)}


def init(tmp_path: Path, *flags: str, **env: str) -> Result:
    return run(
        "init",
        "--non-interactive",
        "--config",
        tmp_path / "nightowl.yaml",
        "--data-dir",
        tmp_path / "data",
        *flags,
        **env,
    )


def test_init_writes_a_configuration_config_check_accepts(
    tmp_path: Path, prometheus_url: str
) -> None:
    result = init(
        tmp_path,
        "--metrics-url",
        prometheus_url,
        "--port",
        "8099",
        SLACK_WEBHOOK_URL=SLACK,
        NIGHTOWL_ADMIN_PASSWORD=PASSWORD,
    )

    assert result.exit_code == 0, result.output
    assert "connector metrics (prometheus): ok" in result.stdout
    files = [tmp_path / n for n in ("nightowl.yaml", "nightowl.env", "alertmanager.token")]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    secrets = env_of(tmp_path / "nightowl.env")
    assert secrets["SLACK_WEBHOOK_URL"] == SLACK
    assert (tmp_path / "alertmanager.token").read_text().strip() == secrets[WEBHOOK_TOKEN_VAR]
    for value in [*secrets.values(), PASSWORD]:
        assert value not in result.output, "no secret is printed"
    config = yaml.safe_load((tmp_path / "nightowl.yaml").read_text())
    assert verify(config["ui"]["users"]["admin"]["password_hash"], PASSWORD)
    assert config["ui"]["users"]["admin"]["role"] == "admin"

    check = run("config", "check", "--config", tmp_path / "nightowl.yaml", **secrets)
    assert check.exit_code == 0, check.output
    assert "configuration OK" in check.stdout


def test_init_prints_the_alertmanager_receiver_with_the_auth_the_source_expects(
    tmp_path: Path,
) -> None:
    result = init(tmp_path, "--no-check", "--port", "8099", SLACK_WEBHOOK_URL=SLACK)

    assert result.exit_code == 0, result.output
    snippet = result.stdout.split("Paste into alertmanager.yml")[1].split("Then:")[0]
    receiver = yaml.safe_load(snippet.split("\n", 1)[1])["receivers"][0]
    hook = receiver["webhook_configs"][0]
    assert hook["url"] == "http://127.0.0.1:8099/api/v1/webhooks/alertmanager"
    token_file = hook["http_config"]["authorization"]["credentials_file"]
    assert Path(token_file) == tmp_path / "alertmanager.token"
    assert f"{ADMIN_TOKEN_VAR} in" in result.stdout
    assert "no web UI password" in result.stdout


def test_an_unreachable_connector_is_reported_with_its_reason(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    result = init(tmp_path, "--metrics-url", dead, SLACK_WEBHOOK_URL=SLACK)

    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if x.startswith("connector metrics"))
    assert "unreachable" in line
    assert dead in line
    assert "nightowl config check --live" in result.stdout


def test_the_notifier_is_reached_too_and_its_secret_never_shown(
    tmp_path: Path, prometheus_url: str
) -> None:
    """init checks who hears as well as what it reads: a Slack webhook URL nobody answers is
    reported (by host; the URL's path is the secret), a reachable one is ok."""
    (tmp_path / "dead").mkdir()
    (tmp_path / "alive").mkdir()
    dead = init(tmp_path / "dead", "--metrics-url", prometheus_url, SLACK_WEBHOOK_URL=SLACK)
    alive = init(
        tmp_path / "alive",
        "--metrics-url",
        prometheus_url,
        SLACK_WEBHOOK_URL=f"{prometheus_url}/services/T000/B000/XXXX",
    )

    assert dead.exit_code == 0, dead.output
    said = next(x for x in dead.stdout.splitlines() if x.startswith("notifier slack"))
    assert said.startswith("notifier slack (slack): unreachable"), said
    assert "127.0.0.1:9" in said
    assert "XXXX" not in dead.output
    assert alive.exit_code == 0, alive.output
    assert "notifier slack (slack): ok" in alive.stdout


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "nightowl.yaml").write_text("# mine\n")

    refused = init(tmp_path, "--no-check", SLACK_WEBHOOK_URL=SLACK)
    assert refused.exit_code == 1
    assert "pass --force" in refused.output
    assert (tmp_path / "nightowl.yaml").read_text() == "# mine\n"

    forced = init(tmp_path, "--no-check", "--force", SLACK_WEBHOOK_URL=SLACK)
    assert forced.exit_code == 0, forced.output
    assert "connectors" in (tmp_path / "nightowl.yaml").read_text()


def test_a_missing_secret_or_detail_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    no_secret = init(tmp_path, "--no-check")
    assert no_secret.exit_code == 1
    assert "set SLACK_WEBHOOK_URL" in no_secret.output

    no_url = init(tmp_path, "--no-check", "--logs", "loki", SLACK_WEBHOOK_URL=SLACK)
    assert no_url.exit_code == 1
    assert "--logs-url" in no_url.output
    assert not (tmp_path / "nightowl.yaml").exists()


def test_an_invalid_choice_is_refused_by_validation_before_writing(tmp_path: Path) -> None:
    result = init(tmp_path, "--no-check", "--metrics-url", "not a url", SLACK_WEBHOOK_URL=SLACK)

    assert result.exit_code == 2, result.output
    assert "configuration error" in result.output
    assert "connectors" in result.output
    assert not (tmp_path / "nightowl.yaml").exists()


def test_interactive_init_asks_each_choice(tmp_path: Path) -> None:
    answers = "\n".join(
        [
            "victoriametrics",  # metrics
            "files",  # logs
            "none",  # deploys
            "http://127.0.0.1:8428",  # metrics URL
            str(tmp_path / "*.log"),  # log files
            "y",  # Kubernetes?
            "shop, payments",  # namespaces
            "webhook",  # notify
            "http://127.0.0.1:9000/hook",  # webhook URL
            "ops",  # admin
        ]
    )
    result = run(
        "init",
        "--config",
        tmp_path / "nightowl.yaml",
        "--data-dir",
        tmp_path / "data",
        "--no-check",
        input=answers + "\n",
        NIGHTOWL_ADMIN_PASSWORD=PASSWORD,
    )

    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "nightowl.yaml").read_text())
    assert [(c["name"], c["kind"]) for c in config["connectors"]] == [
        ("metrics", "victoriametrics"),
        ("logs", "files"),
        ("cluster", "kubernetes"),
    ]
    assert config["connectors"][2]["namespaces"] == ["shop", "payments"]
    assert config["notify"]["notifiers"][0]["url"] == "http://127.0.0.1:9000/hook"
    assert "ops" in config["ui"]["users"]
    assert os.path.exists(tmp_path / "nightowl.env")
