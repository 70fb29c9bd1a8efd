"""trivy, grype and osv-scanner reports (their documented JSON formats) as findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightowl.errors import InputError
from nightowl.watchers.cve import scanners
from nightowl.watchers.cve.models import PackageKind, Severity


def test_trivy_os_packages_need_a_rebuild_and_language_packages_keep_their_file(
    reports: Path,
) -> None:
    os_pkg, lang = scanners.read(reports / "trivy-image.json")
    assert (os_pkg.advisory.cve, os_pkg.package.name, os_pkg.fixed_version) == (
        "CVE-2023-5363", "libssl3", "3.0.11-1~deb12u1",
    )  # fmt: skip
    assert (os_pkg.advisory.severity, os_pkg.advisory.score) == (Severity.HIGH, 7.5)
    assert os_pkg.package.kind is PackageKind.IMAGE
    assert (
        os_pkg.note
        == "rebuild registry.example.com/shop/checkout:2.0.0 with libssl3 3.0.11-1~deb12u1 or later"
    )
    assert (lang.package.ecosystem, lang.package.location.path) == ("PyPI", "app/requirements.txt")
    assert lang.advisory.severity is Severity.MEDIUM


def test_grype_matches_with_related_cves(reports: Path) -> None:
    deb, py = scanners.read(reports / "grype-image.json")
    assert deb.package.location.workload == "registry.example.com/shop/checkout:2.0.0"
    assert deb.advisory.source == "grype"
    assert (py.advisory.id, py.advisory.cve, py.fixed_version) == (
        "GHSA-j8r2-6x86-q33q",
        "CVE-2023-32681",
        "2.31.0",
    )
    assert py.advisory.severity is Severity.MEDIUM  # no vector: grype's own word


def test_osv_scanner_records_are_matched_for_the_fix(reports: Path) -> None:
    (found,) = scanners.read(reports / "osv-scanner.json")
    assert (found.package.name, found.fixed_version, found.advisory.source) == (
        "lodash",
        "4.17.21",
        "osv-scanner",
    )
    assert found.package.location.path == "/src/shop/package-lock.json"
    assert found.advisory.severity is Severity.HIGH


def test_the_same_cve_from_two_scanners_is_one_finding(reports: Path) -> None:
    trivy = scanners.read(reports / "trivy-image.json")[0]
    grype = scanners.read(reports / "grype-image.json")[0]
    assert trivy.fingerprint == grype.fingerprint


def test_another_json_is_refused_with_what_was_expected(tmp_path: Path) -> None:
    other = tmp_path / "sbom.json"
    other.write_text('{"bomFormat": "CycloneDX"}')
    with pytest.raises(InputError, match="trivy"):
        scanners.read(other)
