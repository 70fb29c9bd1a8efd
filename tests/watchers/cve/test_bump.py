"""Version bumps as one-line edits: image tags, kubernetes_version, requirement pins; the rest
of each file stays byte for byte, and what cannot be edited safely says how to fix it."""

from __future__ import annotations

from pathlib import Path

from nightowl.watchers.cve import bump
from nightowl.watchers.cve.models import (
    Advisory,
    Location,
    Package,
    PackageKind,
    Severity,
    VulnFinding,
)


def finding(kind: PackageKind, eco: str, name: str, version: str, path: Path, line: int | None,
            fixed: str | None) -> VulnFinding:  # fmt: skip
    pkg = Package(kind=kind, ecosystem=eco, name=name, version=version,
                  location=Location(path=str(path), line=line))  # fmt: skip
    adv = Advisory(id="CVE-2023-0001", severity=Severity.HIGH, fixed=(fixed,) if fixed else ())
    return VulnFinding(package=pkg, advisory=adv, fixed_version=fixed)


def test_an_image_tag_keeps_its_quotes_variant_and_comment(tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    before = 'spec:\r\n  containers:\r\n    - image: "bitnami/nginx:1.25.2-debian-12" # web\r\n'
    path.write_bytes(before.encode())
    found = bump.propose(
        finding(PackageKind.IMAGE, "container", "nginx", "1.25.2", path, 3, "1.25.3")
    )
    assert found.change is not None
    assert found.change.content == before.replace("1.25.2-debian-12", "1.25.3-debian-12")
    assert (
        found.change.how
        == "bump image bitnami/nginx:1.25.2-debian-12 to bitnami/nginx:1.25.3-debian-12"
    )
    assert '-    - image: "bitnami/nginx:1.25.2-debian-12" # web' in found.change.diff
    assert found.change.diff.startswith(f"--- a/{path}\n+++ b/{path}\n")


def test_a_digest_is_dropped_with_the_old_tag(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text("      image: busybox:1.36@sha256:aaaa\n")
    found = bump.propose(
        finding(PackageKind.IMAGE, "container", "busybox", "1.36", path, 1, "1.36.1")
    )
    assert found.change is not None
    assert found.change.content == "      image: busybox:1.36.1\n"


def test_kubernetes_version_patch_and_minor_only(tmp_path: Path) -> None:
    tf = tmp_path / "main.tf"
    tf.write_text('  kubernetes_version = "1.27.3"\n')
    found = bump.propose(
        finding(PackageKind.CLUSTER, "Go", "k8s.io/kubernetes", "v1.27.3", tf, 1, "1.27.8")
    )
    assert found.change is not None
    assert found.change.content == '  kubernetes_version = "1.27.8"\n'
    tf.write_text('  kubernetes_version = "1.27"\n')
    same_minor = bump.propose(
        finding(PackageKind.CLUSTER, "Go", "k8s.io/kubernetes", "v1.27.3", tf, 1, "1.27.8")
    )
    assert same_minor.change is None
    assert "could not be edited" in same_minor.note


def test_a_requirement_pin_keeps_extras_and_markers(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("flask==3.0.0\nrequests[socks]==2.28.0 ; python_version >= '3.8'\n")
    found = bump.propose(
        finding(PackageKind.LOCKFILE, "PyPI", "requests", "2.28.0", req, 2, "2.31.0")
    )
    assert found.change is not None
    assert (
        found.change.content == "flask==3.0.0\nrequests[socks]==2.31.0 ; python_version >= '3.8'\n"
    )
    assert found.change.how == "pin requests 2.28.0 → 2.31.0"


def test_hashed_pins_and_resolved_lock_files_are_not_hand_edited(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests==2.28.0 \\\n    --hash=sha256:abc\n")
    hashed = bump.propose(
        finding(PackageKind.LOCKFILE, "PyPI", "requests", "2.28.0", req, 1, "2.31.0")
    )
    assert hashed.change is None
    assert "requests" in hashed.note
    lock = tmp_path / "package-lock.json"
    lock.write_text("{}")
    npm = bump.propose(
        finding(PackageKind.LOCKFILE, "npm", "lodash", "4.17.20", lock, None, "4.17.21")
    )
    assert npm.change is None
    assert npm.note == "run `npm install lodash@4.17.21`"


def test_no_fix_no_change(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("urllib3==2.2.1\n")
    found = finding(PackageKind.LOCKFILE, "PyPI", "urllib3", "2.2.1", req, 1, None)
    assert bump.propose(found) == found
