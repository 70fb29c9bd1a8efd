"""``nightowl killswitch on|off|status`` through Typer's runner, over a real data dir: the command
acts as the operating-system user (``LOGNAME``, what ``getpass.getuser`` reads) with the role
``cli.users`` gives them, or as ``NIGHTOWL_TOKEN``'s holder, and that name is what the audit trail
records."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner, Result

from nightowl.app.records import Records
from nightowl.cli.main import app as cli
from nightowl.settings import load_settings

ROOT_TOKEN = "root-api-token-c41b"


def run(cfg: Path, *args: str, user: str = "", token: str | None = None) -> Result:
    env = {
        "NIGHTOWL_CONFIG": None,
        "NIGHTOWL_DATA_DIR": None,
        "NIGHTOWL_TOKEN": token,
        "LOGNAME": user,
        "USER": user,
        "COLUMNS": "400",
    }
    return CliRunner().invoke(cli, ["killswitch", *args, "--config", str(cfg)], env=env)


def config(tmp_path: Path, approvers: dict[str, list[str]] | None = None) -> Path:
    path = tmp_path / "nightowl.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "data_dir": str(tmp_path / "data"),
                "cli": {"users": {"rita": "responder", "abe": "approver"}},
                "api": {"users": {"root": ROOT_TOKEN}},
                "approvals": {"approvers": approvers or {}},
            }
        )
    )
    return path


def trail(cfg: Path) -> list[tuple[str, str]]:
    records = Records.open(load_settings(config=cfg, environ={}))
    try:
        return [(r.kind, r.actor) for r in records.audit_records()]
    finally:
        records.close()


def test_the_os_user_needs_a_responder_role_to_pull_it_and_an_approver_to_release_it(
    tmp_path: Path,
) -> None:
    cfg = config(tmp_path)

    forged = run(cfg, "on", "--as", "rita", user="eve")
    viewer = run(cfg, "on", user="eve")  # not in cli.users: cli.default_role (viewer)
    on = run(cfg, "on", "--reason", "odd rollout", user="rita")
    responder_off = run(cfg, "off", user="rita")
    status = run(cfg, "status", "--json", user="eve")
    off = run(cfg, "off", user="abe")  # no global approver configured: an approver at the machine

    assert forged.exit_code == 2  # no free-typed identity any more
    assert viewer.exit_code == 1
    assert "eve (viewer) may not turn the kill switch on" in viewer.stderr
    assert "cli.users.eve" in viewer.stderr
    assert on.exit_code == 0, on.output
    assert "kill switch ON (by rita)" in on.stdout
    assert responder_off.exit_code == 1
    assert "rita (responder) may not turn the kill switch off" in responder_off.stderr
    assert json.loads(status.stdout)["by"] == "rita"
    assert off.exit_code == 0, off.output
    assert trail(cfg) == [
        ("access.refused", "eve"),
        ("killswitch", "rita"),
        ("access.refused", "rita"),
        ("killswitch", "abe"),
    ]


def test_with_global_approvers_only_they_release_it_whoever_runs_the_cli(tmp_path: Path) -> None:
    cfg = config(tmp_path, approvers={"*": ["root"]})

    on = run(cfg, "on", user="rita")
    abe = run(cfg, "off", user="abe")
    root = run(cfg, "off", user="rita", token=ROOT_TOKEN)  # acts as root, not as rita

    assert on.exit_code == 0, on.output
    assert abe.exit_code == 1
    assert "abe may not turn the kill switch off: only root may" in abe.stderr
    assert root.exit_code == 0, root.output
    assert "kill switch off (by root)" in root.stdout
    assert trail(cfg)[-1] == ("killswitch", "root")
