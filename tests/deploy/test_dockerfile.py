"""The Dockerfile, parsed with dockerfile-parse: two stages (the runtime copies only the built
virtualenv), the ``postgres`` extra installed, a non-root numeric USER in the final stage, a
HEALTHCHECK on nightowl's public health route, and a default command nightowl's CLI accepts.

No image is built here (no Docker daemon); docs/deploy.md says what was and was not run.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dockerfile_parse import DockerfileParser
from typer.testing import CliRunner

from nightowl.api.health import router as health
from nightowl.cli.main import app as cli
from tests.deploy.manifests import ROOT


def instructions() -> list[dict[str, Any]]:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    found: list[dict[str, Any]] = parser.structure
    return found


def final_stage() -> list[dict[str, Any]]:
    every = instructions()
    last = max(i for i, each in enumerate(every) if each["instruction"] == "FROM")
    return every[last:]


def test_multi_stage_and_the_runtime_copies_only_the_build() -> None:
    stages = [i["value"].split() for i in instructions() if i["instruction"] == "FROM"]
    assert len(stages) >= 2
    assert stages[0][-2:] == ["AS", "build"]
    copies = [i["value"] for i in final_stage() if i["instruction"] == "COPY"]
    assert copies == ["--from=build /opt/nightowl /opt/nightowl"]


def test_the_postgres_extra_is_installed() -> None:
    runs = " ".join(i["value"] for i in instructions() if i["instruction"] == "RUN")
    (extras,) = re.findall(r'pip install "\.\[([\w,]+)\]"', runs)
    assert "postgres" in extras.split(",")


def test_the_final_stage_runs_as_an_unprivileged_user() -> None:
    users = [i["value"] for i in final_stage() if i["instruction"] == "USER"]
    assert users, "the final stage must set USER"
    uid, _, gid = users[-1].partition(":")
    assert int(uid) >= 1000
    assert int(gid or uid) >= 1000  # numeric, so Kubernetes' runAsNonRoot can verify it


def test_the_healthcheck_probes_the_public_health_route() -> None:
    (check,) = [i["value"] for i in final_stage() if i["instruction"] == "HEALTHCHECK"]
    assert "CMD" in check
    paths = {getattr(route, "path", "") for route in health.routes}
    (probed,) = re.findall(r"http://127\.0\.0\.1:8080(/\w+)", check)
    assert probed in paths


def test_the_default_command_is_one_nightowl_accepts() -> None:
    stage = final_stage()
    (entry,) = [json.loads(i["value"]) for i in stage if i["instruction"] == "ENTRYPOINT"]
    (command,) = [json.loads(i["value"]) for i in stage if i["instruction"] == "CMD"]
    assert entry == ["nightowl"]
    assert command[:1] == ["serve"]
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--host" in command
    assert command[command.index("--host") + 1] == "0.0.0.0"
