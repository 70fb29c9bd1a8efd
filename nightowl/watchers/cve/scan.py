"""One CVE scan: the inventory (lock files, manifests, what the cluster runs) matched against an
OSV export, plus scanner reports; findings deduplicated by fingerprint and each given its fix.

Deduplication: the same advisory on the same image seen running in three workloads and declared
in a manifest is one finding with four ``places``; its bump edits the manifest line. A lock-file
finding stays per file (two repositories pinning the same package are two pull requests).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from nightowl.domain.base import Model
from nightowl.watchers.cve import bump, lockfiles, manifests, scanners
from nightowl.watchers.cve.models import Location, Package, PackageKind, Severity, VulnFinding
from nightowl.watchers.cve.osv import OsvDatabase


class ScanInput(Model):
    """What to read: an OSV export directory, lock files, manifest files or directories,
    scanner reports, and the packages a cluster runs (from ``cve.cluster``).
    """

    osv: Path | None = None
    lockfiles: tuple[Path, ...] = ()
    manifests: tuple[Path, ...] = ()
    reports: tuple[Path, ...] = ()
    running: tuple[Package, ...] = ()


class ScanResult(Model):
    """The findings, worst first, and what was read to find them."""

    findings: tuple[VulnFinding, ...]
    packages: int
    records: int
    skipped: tuple[str, ...] = ()
    places: dict[str, tuple[Location, ...]] = Field(default_factory=dict)

    def by_severity(self) -> dict[str, int]:
        """Findings per severity, every rating present (zeros included)."""
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.advisory.severity.value] += 1
        return counts


def inventory(scan: ScanInput) -> list[Package]:
    """Every package the scan reads: running ones first, then declared ones."""
    out = list(scan.running)
    for path in scan.lockfiles:
        out.extend(lockfiles.read(path))
    for path in manifests.files(list(scan.manifests)):
        out.extend(manifests.read(path))
    return out


def _key(f: VulnFinding) -> str:
    return f.fingerprint


def merge(found: list[VulnFinding]) -> tuple[list[VulnFinding], dict[str, tuple[Location, ...]]]:
    """One finding per fingerprint; the declared one (with a file and a line, so it can be
    bumped) wins over a running one, and the places of all of them are kept.
    """
    best: dict[str, VulnFinding] = {}
    places: dict[str, list[Location]] = {}
    for f in found:
        key = _key(f)
        places.setdefault(key, [])
        if f.package.location not in places[key]:
            places[key].append(f.package.location)
        held = best.get(key)
        if held is None or (f.package.location.line and not held.package.location.line):
            best[key] = f
    return list(best.values()), {k: tuple(v) for k, v in places.items()}


def run(scan: ScanInput) -> ScanResult:
    """Read, match, merge and propose; FileNotFoundError or InputError name a bad input."""
    packages = inventory(scan)
    db = OsvDatabase.load(scan.osv) if scan.osv else OsvDatabase([])
    found: list[VulnFinding] = []
    for pkg in packages:
        for adv in db.match(pkg):
            fixed = adv.fixed[0] if adv.fixed else None
            found.append(VulnFinding(package=pkg, advisory=adv, fixed_version=fixed))
    for report in scan.reports:
        found.extend(scanners.read(report))
    merged, places = merge(found)
    declared = [p for p in packages if p.kind is PackageKind.IMAGE and p.location.path]
    proposed = [_explain(bump.propose(f), declared) for f in merged]
    proposed.sort(key=lambda f: (-f.advisory.severity.rank, f.package.name, f.advisory.cve))
    return ScanResult(
        findings=tuple(proposed),
        packages=len(packages),
        records=db.count,
        skipped=tuple(db.skipped),
        places=places,
    )


def _explain(f: VulnFinding, declared: list[Package]) -> VulnFinding:
    """A running image with no vulnerable manifest line: say where its manifest already is."""
    if f.change or f.note or f.package.kind is not PackageKind.IMAGE or not f.fixed_version:
        return f
    same = [p for p in declared if p.name == f.package.name and p.location.path]
    fixed = [p for p in same if not bump.is_newer("container", f.fixed_version, p.version)]
    if fixed:
        where = fixed[0].location.label()
        note = f"{where} already declares {fixed[0].image}: deploy it"
    else:
        note = f"upgrade the image to {f.fixed_version} (no manifest given declares it)"
    return f.model_copy(update={"note": note})
