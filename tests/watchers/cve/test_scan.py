"""A whole scan: the running image and its manifest line are one finding with a bump; lock
files and scanner reports join; the worst come first."""

from __future__ import annotations

from pathlib import Path

from nightowl.watchers.cve.manifests import image_package
from nightowl.watchers.cve.models import Location, Severity
from nightowl.watchers.cve.scan import ScanInput, run

MANIFEST = "spec:\n  containers:\n    - name: web\n      image: docker.io/bitnami/nginx:1.25.2\n"


def running_nginx(workload: str) -> list:
    found = image_package(
        "docker.io/bitnami/nginx:1.25.2", Location(workload=workload, namespace="shop")
    )
    assert found is not None
    return [found]


def test_running_and_declared_image_is_one_finding_with_the_bump(
    osv_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "web.yaml").write_text(MANIFEST)
    running = [*running_nginx("web"), *running_nginx("web-canary")]
    result = run(ScanInput(osv=osv_dir, manifests=(tmp_path,), running=tuple(running)))
    (found,) = result.findings
    assert (found.advisory.cve, found.fixed_version) == ("CVE-2023-44487", "1.25.3")
    assert found.change is not None
    assert found.change.content == MANIFEST.replace("1.25.2", "1.25.3")
    labels = [p.label() for p in result.places[found.fingerprint]]
    assert labels == ["shop/web", "shop/web-canary", f"{tmp_path / 'web.yaml'}:4"]


def test_a_manifest_already_fixed_says_deploy_it(osv_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(MANIFEST.replace("1.25.2", "1.25.4"))
    result = run(ScanInput(osv=osv_dir, manifests=(tmp_path,), running=tuple(running_nginx("web"))))
    (found,) = result.findings
    assert found.change is None
    assert found.note.endswith("already declares docker.io/bitnami/nginx:1.25.4: deploy it")


def test_lock_files_and_reports_sorted_worst_first(
    osv_dir: Path, reports: Path, tmp_path: Path
) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("PyYAML==5.3.1\nrequests==2.28.0\nurllib3==2.2.1\n")
    result = run(ScanInput(osv=osv_dir, lockfiles=(req,), reports=(reports / "osv-scanner.json",)))
    assert [(f.package.name, f.advisory.severity) for f in result.findings] == [
        ("PyYAML", Severity.CRITICAL),
        ("lodash", Severity.HIGH),
        ("urllib3", Severity.HIGH),
        ("requests", Severity.MEDIUM),
    ]
    assert result.by_severity()["critical"] == 1
    yaml = result.findings[0]
    assert yaml.change is not None
    assert yaml.change.how == "pin PyYAML 5.3.1 → 5.4"
    assert result.findings[2].fixed_version is None  # urllib3: last_affected, no fix yet
