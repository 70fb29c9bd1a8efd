"""OSV records matched by the schema's range evaluation: introduced/fixed, several ranges,
last_affected, withdrawn records, Bitnami records naming container images, zip exports."""

from __future__ import annotations

import zipfile
from pathlib import Path

from nightowl.watchers.cve.models import Location, Package, PackageKind, Severity
from nightowl.watchers.cve.osv import OsvDatabase


def pkg(
    ecosystem: str, name: str, version: str, kind: PackageKind = PackageKind.LOCKFILE
) -> Package:
    return Package(kind=kind, ecosystem=ecosystem, name=name, version=version, location=Location())


def ids(db: OsvDatabase, package: Package) -> list[str]:
    return sorted(a.id for a in db.match(package))


def test_a_version_below_the_fix_is_affected_and_the_fix_is_named(osv_dir: Path) -> None:
    db = OsvDatabase.load(osv_dir)
    (found,) = db.match(pkg("PyPI", "PyYAML", "5.3.1"))
    assert (found.id, found.cve, found.fixed) == ("GHSA-6757-jp84-gxfx", "CVE-2020-14343", ("5.4",))
    assert (found.severity, found.score) == (Severity.CRITICAL, 9.8)
    assert db.match(pkg("PyPI", "pyyaml", "5.4")) == []
    assert db.match(pkg("PyPI", "pyyaml", "6.0.1")) == []


def test_pypi_names_are_normalised_and_versions_ordered_by_pep_440(osv_dir: Path) -> None:
    db = OsvDatabase.load(osv_dir)
    assert ids(db, pkg("PyPI", "Requests", "2.28.0")) == ["GHSA-j8r2-6x86-q33q"]
    assert ids(db, pkg("PyPI", "requests", "2.3.0")) == ["GHSA-j8r2-6x86-q33q"]
    assert ids(db, pkg("PyPI", "requests", "2.2.9")) == []  # before "introduced"
    assert ids(db, pkg("PyPI", "requests", "2.31.0rc1")) == ["GHSA-j8r2-6x86-q33q"]


def test_withdrawn_records_are_ignored(osv_dir: Path) -> None:
    db = OsvDatabase.load(osv_dir)
    assert "PYSEC-2099-1" not in ids(db, pkg("PyPI", "requests", "1.0.0"))
    assert db.count == 6


def test_several_ranges_each_fix_their_own_line(osv_dir: Path) -> None:
    db = OsvDatabase.load(osv_dir)
    k8s = "k8s.io/kubernetes"
    (found,) = db.match(pkg("Go", k8s, "v1.27.3", PackageKind.CLUSTER))
    assert found.fixed == ("1.27.8", "1.28.4")
    assert found.severity is Severity.HIGH
    assert db.match(pkg("Go", k8s, "v1.27.8")) == []
    assert db.match(pkg("Go", k8s, "v1.28.4")) == []
    assert ids(db, pkg("Go", k8s, "v1.28.1")) == ["GO-2023-2170"]


def test_last_affected_includes_that_version_and_offers_no_fix(osv_dir: Path) -> None:
    db = OsvDatabase.load(osv_dir)
    (found,) = db.match(pkg("PyPI", "urllib3", "2.2.1"))
    assert found.fixed == ()
    assert found.severity is Severity.HIGH  # CVSS v4 vector, 8.7
    assert db.match(pkg("PyPI", "urllib3", "2.2.2")) == []
    assert db.match(pkg("PyPI", "urllib3", "1.26.18")) == []


def test_bitnami_records_match_container_images_by_name(osv_dir: Path) -> None:
    db = OsvDatabase.load(osv_dir)
    image = pkg("container", "nginx", "1.25.2", PackageKind.IMAGE)
    (found,) = db.match(image)
    assert (found.cve, found.fixed, found.severity) == (
        "CVE-2023-44487",
        ("1.25.3",),
        Severity.HIGH,
    )
    assert db.match(pkg("container", "nginx", "1.9.4", PackageKind.IMAGE)) == []
    assert db.match(pkg("container", "nginx", "latest", PackageKind.IMAGE)) == []


def test_a_zip_export_is_read_and_a_broken_record_is_reported(
    osv_dir: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as archive:
        for record in osv_dir.glob("*.json"):
            archive.write(record, record.name)
        archive.writestr("broken.json", '{"summary": "no id"}')
    db = OsvDatabase.load(tmp_path)
    assert db.count == 6
    assert len(db.skipped) == 1
    assert "broken.json" in db.skipped[0]
    assert ids(db, pkg("npm", "lodash", "4.17.20")) == ["GHSA-35jh-r3h4-6jhm"]
