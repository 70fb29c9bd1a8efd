"""deploy/docker-compose.yml: valid against the Compose Specification's JSON schema (as vendored
by check-jsonschema), with 2 API replicas and 2 workers started by ``serve --role``, a migration
that runs before them, Alertmanager posting to every API replica with the webhook token, and a
nightowl.yaml that loads with the variables of env.example.

No Docker daemon runs here: the file is checked against the schema and against nightowl's own
settings, not started; docs/deploy.md says so.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from nightowl.settings import load_settings
from tests.deploy.manifests import DEPLOY

COMPOSE = DEPLOY / "docker-compose.yml"
HERE = DEPLOY / "compose"


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return data


def test_the_file_follows_the_compose_specification() -> None:
    schema = json.loads(
        files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text()
    )
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(compose())]
    assert errors == []
    broken = compose() | {"services": {"api-1": {"image": "x", "restart": 3}}}
    assert list(validator.iter_errors(broken)), "the schema must reject a wrong field type"


def test_two_api_replicas_two_workers_after_one_migration() -> None:
    services = compose()["services"]
    roles = {
        name: s["command"][2]
        for name, s in services.items()
        if s.get("command", [])[:2] == ["serve", "--role"]
    }
    assert sorted(roles.values()) == ["api", "api", "worker", "worker"]
    assert services["migrate"]["command"] == ["db", "migrate"]
    for name in roles:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert {"postgres", "prometheus", "alertmanager"} <= set(services)


def test_alertmanager_posts_to_every_api_replica_with_the_token() -> None:
    config = yaml.safe_load((HERE / "alertmanager.yml").read_text())
    apis = [n for n, s in compose()["services"].items() if "api" in s.get("command", [])]
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    hooks = receiver["webhook_configs"]
    assert sorted(h["url"] for h in hooks) == sorted(
        f"http://{api}:8080/api/v1/webhooks/alertmanager" for api in apis
    )
    mounted = {s["target"]: s["source"] for s in compose()["services"]["alertmanager"]["secrets"]}
    for hook in hooks:
        token_file = hook["http_config"]["authorization"]["credentials_file"]
        secret = compose()["secrets"][mounted[token_file]]
        assert secret == {"environment": "NIGHTOWL_WEBHOOK_TOKEN"}


def test_nightowl_loads_its_configuration_with_the_example_env(tmp_path: Path) -> None:
    lines = (HERE / "env.example").read_text().splitlines()
    example = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    service = compose()["services"]["api-1"]
    env = {k: _interpolate(str(v), example) for k, v in service["environment"].items()}
    settings = load_settings(config=HERE / "nightowl.yaml", environ=env)
    assert settings.store_url.startswith("postgresql://nightowl:")
    assert settings.store.migrate_on_open is False
    assert settings.audit.key is not None
    assert settings.ui.session_secret is not None
    token = example["NIGHTOWL_WEBHOOK_TOKEN"]
    assert [t.get_secret_value() for t in settings.webhooks.tokens["alertmanager"]] == [token]


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR:?message}`` and ``${VAR:-default}``, for the variables the file uses."""

    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if env.get(name):
            return env[name]
        assert op != ":?", f"{name} is required: {rest}"
        return rest

    return re.sub(r"\$\{(\w+)(:\?|:-)?([^}]*)\}", one, value)
