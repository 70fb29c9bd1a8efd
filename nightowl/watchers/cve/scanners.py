"""Reports of the scanners teams already run, as findings: trivy (``trivy image|fs --format
json``, schema version 2), grype (``grype -o json``) and osv-scanner (``osv-scanner --format
json``). The kind is recognised from the document's shape.

A vulnerability in an operating-system package inside an image is fixed by rebuilding the image,
not by a tag bump nightowl could write: those findings carry the fixed package version and a note,
no change. Language packages keep the file they were found in, so a ``requirements.txt`` pin can
be bumped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nightowl.errors import InputError
from nightowl.watchers.cve import severity
from nightowl.watchers.cve.models import Advisory, Location, Package, PackageKind, VulnFinding
from nightowl.watchers.cve.osv import OsvDatabase, OsvRecord

# Both scanners' package types → OSV ecosystem names, so that one CVE on one package reported by
# both is one finding.
_GRYPE_TYPES = {"python": "PyPI", "npm": "npm", "go-module": "Go", "gem": "RubyGems"}
_GRYPE_OS = {"deb": "Debian", "apk": "Alpine", "rpm": "Red Hat"}
_TRIVY_TYPES = {"pip": "PyPI", "pipenv": "PyPI", "poetry": "PyPI", "npm": "npm", "gomod": "Go"}
_TRIVY_OS = {"debian": "Debian", "ubuntu": "Ubuntu", "alpine": "Alpine", "redhat": "Red Hat"}


def read(path: Path) -> list[VulnFinding]:
    """The findings of one scanner report; InputError when the file is none of the three."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the scanner report {path}: {exc}") from None
    if isinstance(data, dict) and "SchemaVersion" in data and "Results" in data:
        return trivy(data)
    if isinstance(data, dict) and isinstance(data.get("matches"), list):
        return grype(data)
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        return osv_scanner(data)
    raise InputError(
        f"{path} is not a trivy (SchemaVersion 2), grype (matches) or osv-scanner (results) "
        "JSON report"
    )


def _package(kind: str, ecosystem: str, name: str, version: str, where: Location) -> Package:
    lock = PackageKind.LOCKFILE if kind == "lang" else PackageKind.IMAGE
    return Package(kind=lock, ecosystem=ecosystem, name=name, version=version, location=where)


def _finding(pkg: Package, adv: Advisory, image: str | None) -> VulnFinding:
    fixed = adv.fixed[0] if adv.fixed else None
    note = ""
    if pkg.kind is PackageKind.IMAGE and fixed:
        note = f"rebuild {image or 'the image'} with {pkg.name} {fixed} or later"
    return VulnFinding(package=pkg, advisory=adv, fixed_version=fixed, note=note)


def trivy(data: dict[str, Any]) -> list[VulnFinding]:
    """trivy's JSON: ``Results[].Vulnerabilities[]`` per target; ``Class`` ``os-pkgs`` or
    ``lang-pkgs``.
    """
    out = []
    image = data.get("ArtifactName") if data.get("ArtifactType") == "container_image" else None
    for result in data.get("Results") or []:
        lang = result.get("Class") == "lang-pkgs"
        kind = str(result.get("Type") or "os")
        ecosystem = _TRIVY_TYPES.get(kind) or _TRIVY_OS.get(kind, kind)
        where = Location(path=result.get("Target")) if lang else Location(workload=image)
        for v in result.get("Vulnerabilities") or []:
            vectors = [
                c.get("V3Vector") or c.get("V2Vector") for c in (v.get("CVSS") or {}).values()
            ]
            rating, score = severity.worst([x for x in vectors if x], [v.get("Severity")])
            fixed = [f.strip() for f in str(v.get("FixedVersion") or "").split(",") if f.strip()]
            adv = Advisory(
                id=str(v.get("VulnerabilityID")), summary=str(v.get("Title") or ""),
                severity=rating, score=score, fixed=tuple(fixed), source="trivy",
            )  # fmt: skip
            pkg = _package("lang" if lang else "os", ecosystem, str(v.get("PkgName")),
                           str(v.get("InstalledVersion")), where)  # fmt: skip
            out.append(_finding(pkg, adv, image))
    return out


def grype(data: dict[str, Any]) -> list[VulnFinding]:
    """grype's JSON: ``matches[]`` of a vulnerability and an artifact."""
    target = (data.get("source") or {}).get("target")
    image = target.get("userInput") if isinstance(target, dict) else None
    out = []
    for match in data["matches"]:
        vuln, art = match.get("vulnerability") or {}, match.get("artifact") or {}
        vectors = [c.get("vector") for c in vuln.get("cvss") or [] if c.get("vector")]
        rating, score = severity.worst(vectors, [vuln.get("severity")])
        aliases = tuple(str(r.get("id")) for r in match.get("relatedVulnerabilities") or [])
        fix = vuln.get("fix") or {}
        adv = Advisory(
            id=str(vuln.get("id")), aliases=aliases, summary=str(vuln.get("description") or "")[:200],
            severity=rating, score=score, fixed=tuple(fix.get("versions") or []), source="grype",
        )  # fmt: skip
        kind = str(art.get("type"))
        lang = kind in _GRYPE_TYPES
        paths = [str(p.get("path")) for p in art.get("locations") or [] if p.get("path")]
        where = Location(path=paths[0]) if lang and paths else Location(workload=image)
        pkg = _package("lang" if lang else "os", _GRYPE_TYPES.get(kind) or _GRYPE_OS.get(kind, kind),
                       str(art.get("name")), str(art.get("version")), where)  # fmt: skip
        out.append(_finding(pkg, adv, image))
    return out


def osv_scanner(data: dict[str, Any]) -> list[VulnFinding]:
    """osv-scanner's JSON: ``results[].packages[]`` with the full OSV records, matched again
    here so that the fixed versions come from the records' ranges.
    """
    out = []
    for result in data["results"]:
        where = Location(path=(result.get("source") or {}).get("path"))
        for entry in result.get("packages") or []:
            info = entry.get("package") or {}
            pkg = _package("lang", str(info.get("ecosystem")), str(info.get("name")),
                           str(info.get("version")), where)  # fmt: skip
            records = [OsvRecord.model_validate(r) for r in entry.get("vulnerabilities") or []]
            for adv in OsvDatabase(records).match(pkg):
                out.append(_finding(pkg, adv.model_copy(update={"source": "osv-scanner"}), None))
    return out
