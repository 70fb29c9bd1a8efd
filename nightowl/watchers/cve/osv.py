"""Vulnerability records in the OSV schema (https://ossf.github.io/osv-schema/), read from an
offline export directory — ``*.json`` files (one record each, as osv.dev's per-ecosystem
``all.zip`` unpacks) and ``*.zip`` archives of them — and matched against packages.

A version is affected by a range when, walking the range's events in version order, the last
``introduced`` at or below it is not followed by a ``fixed`` at or below it (or a
``last_affected`` below it) — the schema's own evaluation; ``versions`` lists affected versions
outright. ``GIT`` ranges name commits, not versions, and are skipped. Withdrawn records are
ignored. A record that does not parse is counted in ``OsvDatabase.skipped`` with its file, never
silently dropped.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.watchers.cve import severity, versions
from nightowl.watchers.cve.models import Advisory, Package

MAX_RECORD_BYTES = 4 * 1024 * 1024


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class OsvSeverity(_Loose):
    """``severity[]``: a scoring system and its vector."""

    type: str
    score: str


class OsvEvent(_Loose):
    """One event of a range: exactly one of the four is set."""

    introduced: str | None = None
    fixed: str | None = None
    last_affected: str | None = None
    limit: str | None = None


class OsvRange(_Loose):
    """``ranges[]``: ``SEMVER``, ``ECOSYSTEM`` or ``GIT`` events."""

    type: str
    events: list[OsvEvent] = []


class OsvPackage(_Loose):
    """``affected[].package``."""

    ecosystem: str = ""
    name: str = ""
    purl: str | None = None


class OsvAffected(_Loose):
    """``affected[]``: a package, its ranges and listed versions, an optional own severity."""

    package: OsvPackage | None = None
    ranges: list[OsvRange] = []
    versions: list[str] = []
    severity: list[OsvSeverity] = []


class OsvRecord(_Loose):
    """One OSV record (the fields matching needs)."""

    id: str
    modified: datetime | None = None
    withdrawn: datetime | None = None
    aliases: list[str] = []
    summary: str = ""
    details: str = ""
    severity: list[OsvSeverity] = []
    affected: list[OsvAffected] = []
    database_specific: dict[str, Any] | None = None


def normalize(ecosystem: str, name: str) -> tuple[str, str]:
    """The index key of a package: ecosystem lower-cased; PyPI names as PEP 503 normalises them."""
    eco = ecosystem.split(":", 1)[0].lower()
    if eco == "pypi":
        name = re.sub(r"[-_.]+", "-", name).lower()
    return eco, name


def purl_key(purl: str) -> tuple[str, str] | None:
    """``pkg:docker/library/nginx@1.25`` → ``("container", "nginx")``: image purls (``docker``,
    ``oci``) index as container images by their last name segment.
    """
    match = re.match(r"^pkg:(docker|oci)/([^@?#]+)", purl)
    if match is None:
        return None
    return "container", match.group(2).rsplit("/", 1)[-1].lower()


def keys(affected: OsvAffected) -> list[tuple[str, str]]:
    """Every index key an ``affected`` entry answers to: its ecosystem and name, an image purl,
    and for the ``Bitnami`` ecosystem (its records are per container image) the image name.
    """
    pkg = affected.package
    if pkg is None:
        return []
    found = [normalize(pkg.ecosystem, pkg.name)] if pkg.name else []
    if pkg.purl and (image := purl_key(pkg.purl)):
        found.append(image)
    if pkg.ecosystem.lower() == "bitnami" and pkg.name:
        found.append(("container", pkg.name.lower()))
    return found


def _after(ecosystem: str, rng: OsvRange, installed: Any) -> tuple[bool, list[str]]:
    """Whether ``installed`` is affected by one range, and the range's fixes above it."""
    parsed = []
    for event in rng.events:
        for kind in ("introduced", "fixed", "last_affected", "limit"):
            raw = getattr(event, kind)
            if raw is None:
                continue
            at = None if raw == "0" else versions.parse(ecosystem, raw, rng.type)
            if at is not None or raw == "0":
                parsed.append((kind, raw, at))
    ordered = sorted(parsed, key=lambda p: (0,) if p[2] is None else (1, p[2]))
    affected = False
    for kind, _raw, at in ordered:
        if kind == "introduced" and (at is None or installed >= at):
            affected = True
        elif (kind == "fixed" and at is not None and installed >= at) or (
            kind == "last_affected" and at is not None and installed > at
        ):
            affected = False
    fixes = [
        raw for kind, raw, at in ordered if kind == "fixed" and at is not None and at > installed
    ]
    return affected, fixes


def affects(record: OsvRecord, affected: OsvAffected, package: Package) -> tuple[bool, list[str]]:
    """Whether the record's ``affected`` entry covers the package's version, and the fixed
    versions above it (lowest first). A version that does not parse is not matched by range.
    """
    eco = affected.package.ecosystem if affected.package else package.ecosystem
    hit, fixes = package.version in affected.versions, []
    for rng in affected.ranges:
        if rng.type.upper() == "GIT":
            continue
        installed = versions.parse(eco, package.version, rng.type)
        if installed is None:
            continue
        in_range, above = _after(eco, rng, installed)
        hit = hit or in_range
        if in_range:
            fixes.extend(above)
    return hit, sorted(set(fixes), key=lambda f: (1, versions.parse(eco, f)))


def advisory(record: OsvRecord, affected: OsvAffected, fixes: list[str]) -> Advisory:
    """The record as it affects one package: worst CVSS of the record and the entry, else the
    database's own severity word.
    """
    vectors = [s.score for s in (*record.severity, *affected.severity) if s.type.startswith("CVSS")]
    word = (record.database_specific or {}).get("severity")
    rating, score = severity.worst(vectors, [word if isinstance(word, str) else None])
    return Advisory(
        id=record.id,
        aliases=tuple(record.aliases),
        summary=record.summary or record.details[:200],
        severity=rating,
        score=score,
        fixed=tuple(fixes),
    )


class OsvDatabase:
    """OSV records indexed by package. Built once per scan; read-only afterwards, so safe to
    share between threads.
    """

    def __init__(self, records: list[OsvRecord], skipped: list[str] | None = None) -> None:
        self.skipped = skipped or []
        self.count = 0
        self._index: dict[tuple[str, str], list[tuple[OsvRecord, OsvAffected]]] = defaultdict(list)
        for record in records:
            if record.withdrawn is not None:
                continue
            self.count += 1
            for entry in record.affected:
                for key in keys(entry):
                    self._index[key].append((record, entry))

    @classmethod
    def load(cls, directory: Path) -> OsvDatabase:
        """Every record under ``directory`` (recursively, ``.json`` and ``.zip``)."""
        records: list[OsvRecord] = []
        skipped: list[str] = []
        for name, raw in _documents(directory, skipped):
            try:
                records.append(OsvRecord.model_validate(json.loads(raw)))
            except (ValueError, ValidationError) as exc:
                skipped.append(f"{name}: {str(exc).splitlines()[0]}")
        return cls(records, skipped)

    def match(self, package: Package) -> list[Advisory]:
        """The advisories affecting the package's version, one per record."""
        key = (
            ("container", package.name.lower())
            if package.ecosystem == "container"
            else normalize(package.ecosystem, package.name)
        )
        found: dict[str, Advisory] = {}
        for record, entry in self._index.get(key, []):
            hit, fixes = affects(record, entry, package)
            if hit and record.id not in found:
                found[record.id] = advisory(record, entry, fixes)
        return list(found.values())


def _documents(directory: Path, skipped: list[str]) -> Iterator[tuple[str, bytes]]:
    if not directory.is_dir():
        raise FileNotFoundError(f"the OSV directory {directory} does not exist")
    for path in sorted(directory.rglob("*")):
        if path.suffix == ".json" and path.is_file():
            if path.stat().st_size > MAX_RECORD_BYTES:
                skipped.append(f"{path}: larger than {MAX_RECORD_BYTES} bytes")
                continue
            yield str(path), path.read_bytes()
        elif path.suffix == ".zip" and path.is_file():
            try:
                with zipfile.ZipFile(path) as archive:
                    for info in archive.infolist():
                        if not info.filename.endswith(".json"):
                            continue
                        if info.file_size > MAX_RECORD_BYTES:
                            skipped.append(f"{path}!{info.filename}: too large")
                            continue
                        yield f"{path}!{info.filename}", archive.read(info)
            except zipfile.BadZipFile as exc:
                skipped.append(f"{path}: {exc}")
