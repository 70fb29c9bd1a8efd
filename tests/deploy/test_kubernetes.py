"""deploy/kubernetes/: every object is valid for the pinned Kubernetes release (kubernetes-validate,
strict: an unknown field fails), the pieces refer to each other correctly (selectors, the Secret's
keys, the ConfigMap, the health route), and the nightowl.yaml the pods get is a configuration
nightowl loads.

No cluster runs here (no kind, no API server): what is checked is the manifests against the API's
published schemas, not their behaviour on a cluster; docs/deploy.md says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from nightowl.api.health import router as health
from nightowl.settings import load_settings
from tests.deploy.manifests import KUBERNETES, KUBERNETES_VERSION, documents, manifests, named

EVERY = [(name, i, o) for name, docs in manifests().items() for i, o in enumerate(docs)]


@pytest.mark.parametrize(
    ("name", "index", "obj"), EVERY, ids=[f"{n}#{i}:{o['kind']}" for n, i, o in EVERY]
)
def test_each_object_is_valid_for_the_pinned_release(name: str, index: int, obj: Any) -> None:
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest_but_the_example_secret() -> None:
    listed = documents(KUBERNETES / "kustomization.yaml")[0]["resources"]
    assert sorted(listed) == sorted(set(manifests()) - {"secret.example.yaml"})


def pod(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = named("Deployment", name)["spec"]["template"]["spec"]
    return spec


def test_selectors_match_the_pods_they_are_for() -> None:
    for component in ("api", "worker"):
        deployment = named("Deployment", f"nightowl-{component}")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        budget = named("PodDisruptionBudget", f"nightowl-{component}")["spec"]
        assert budget["selector"]["matchLabels"].items() <= labels.items()
        assert budget["minAvailable"] < deployment["spec"]["replicas"]
    service = named("Service", "nightowl")["spec"]
    api_labels = named("Deployment", "nightowl-api")["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= api_labels.items()


def test_roles_probes_and_an_unprivileged_user() -> None:
    health_paths = {getattr(route, "path", "") for route in health.routes}
    for component in ("api", "worker"):
        spec = pod(f"nightowl-{component}")
        (container,) = spec["containers"]
        assert container["args"][:3] == ["serve", "--role", component]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"]["path"] in health_paths
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == 10001  # the Dockerfile's USER
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert "/healthz" in health_paths


def secret_values() -> dict[str, str]:
    (secret,) = documents(KUBERNETES / "secret.example.yaml")
    values: dict[str, str] = secret["stringData"]
    return values


def pod_environment(spec: dict[str, Any]) -> dict[str, str]:
    """The environment a pod's container gets, with the example Secret's values."""
    env = {}
    for var in spec["containers"][0]["env"]:
        if "value" in var:
            env[var["name"]] = var["value"]
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "nightowl"
            env[var["name"]] = secret_values()[ref["key"]]
    return env


def test_every_pod_loads_its_configuration(tmp_path: Path) -> None:
    """The ConfigMap's nightowl.yaml, with the variables the pod gets, is valid settings."""
    text = named("ConfigMap", "nightowl")["data"]["nightowl.yaml"]
    config = tmp_path / "nightowl.yaml"
    config.write_text(text)
    job = named("Job", "nightowl-migrate")["spec"]["template"]["spec"]
    for spec in (pod("nightowl-api"), pod("nightowl-worker"), job):
        env = pod_environment(spec)
        assert env["NIGHTOWL_CONFIG"] == "/etc/nightowl/nightowl.yaml"
        settings = load_settings(config=config, environ=env)
        assert settings.store_url == secret_values()["database-url"]
        assert settings.store.migrate_on_open is False
        assert {m["mountPath"] for m in spec["containers"][0]["volumeMounts"]} >= {
            "/etc/nightowl",
            "/var/lib/nightowl",
        }
    assert yaml.safe_load(text)["actions"]["dry_run"] is True
