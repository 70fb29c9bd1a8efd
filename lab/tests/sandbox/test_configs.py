"""The sandbox's generated configuration is valid for the real servers and for nightowl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from nightowl_lab.sandbox import configs

from nightowl.settings import load_settings


def test_nightowl_config_loads_with_the_sandbox_policy(tmp_path: Path) -> None:
    configs.write_all(
        tmp_path, {"prometheus": 1, "alertmanager": 2, "nightowl": 3, **_shop()}, "t", "r"
    )
    settings = load_settings(config=tmp_path / "nightowl.yaml", data_dir=None)
    assert settings.policy.blast_radius.max_capacity_fraction == 1.0
    assert settings.actions.drivers[0].kind == "sandbox"


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
def test_alert_rules_pass_promtool(tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(configs.rules())
    subprocess.run(["promtool", "check", "rules", str(tmp_path / "rules.yml")], check=True)


def _shop() -> dict[str, int]:
    from nightowl_lab.sandbox.shop import SHOP

    return {name: 10 + i for i, name in enumerate(SHOP)}
