"""What the CVE watcher reads and what it finds: packages that run, advisories that affect
them, and the change that would fix one. Frozen values; no I/O.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from pydantic import Field

from nightowl.domain.base import Model


class PackageKind(StrEnum):
    """Where a package was seen: a running or declared container image, the cluster itself, a
    lock file entry.
    """

    IMAGE = "image"
    CLUSTER = "cluster"
    LOCKFILE = "lockfile"


class Severity(StrEnum):
    """CVSS v3/v4 qualitative ratings, plus ``unknown`` when a record carries no score."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Higher is worse; ``unknown`` ranks with ``medium`` so it is never silently dropped."""
        return {"critical": 4, "high": 3, "medium": 2, "unknown": 2, "low": 1, "none": 0}[self]


class Location(Model):
    """Where a package was found: a file (and line) or a Kubernetes workload."""

    path: str | None = None
    line: int | None = None
    workload: str | None = None
    namespace: str | None = None

    def label(self) -> str:
        """``path:line`` or ``namespace/workload``, for tables."""
        if self.path:
            return f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.namespace or ''}/{self.workload or ''}".strip("/")


class Package(Model):
    """One thing that runs in a version: ``ecosystem`` is OSV's name (``PyPI``, ``npm``, ``Go``)
    or ``container`` for an image (``name`` its repository without registry, ``image`` the full
    reference), or ``kubernetes`` for the cluster.
    """

    kind: PackageKind
    ecosystem: str
    name: str
    version: str
    image: str | None = None
    digest: str | None = None
    location: Location = Location()


class Advisory(Model):
    """One vulnerability record as it affects one package: its id and aliases (CVE ids), the
    worst severity and score found, and the versions that fix it (empty: no fix yet).
    """

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: Severity = Severity.UNKNOWN
    score: float | None = None
    fixed: tuple[str, ...] = ()
    source: str = "osv"

    @property
    def cve(self) -> str:
        """The CVE id when the record has one (the record id is often GHSA-… or GO-…)."""
        return next((a for a in (self.id, *self.aliases) if a.startswith("CVE-")), self.id)


class ProposedChange(Model):
    """A version bump as an edit of one file: the new content and its unified diff. ``how`` says
    in a sentence what changes; ``path`` is relative to the repository the file lives in.
    """

    path: str
    how: str
    content: str
    diff: str
    also: dict[str, str] = {}
    """Other files the same change edits (path → new content): ``go.sum`` with ``go.mod``."""


class VulnFinding(Model):
    """One advisory on one package in one place. ``fingerprint`` is stable across runs (advisory,
    ecosystem, package, and the lock file or image it is in — not the version, so a partial
    upgrade that is still vulnerable stays the same finding).
    """

    package: Package
    advisory: Advisory
    fixed_version: str | None = None
    change: ProposedChange | None = None
    note: str = ""
    fingerprint: str = Field(default="")

    def model_post_init(self, _context: object) -> None:
        if not self.fingerprint:
            key = "|".join(
                (self.advisory.cve, self.package.ecosystem, self.package.name, self._scope())
            )
            digest = hashlib.sha256(key.encode()).hexdigest()[:24]
            object.__setattr__(self, "fingerprint", digest)

    def _scope(self) -> str:
        """Where a finding is one: per lock file; per image for a package inside an image; once
        for a container image or the cluster, wherever it runs or is declared."""
        pkg = self.package
        if pkg.kind is PackageKind.LOCKFILE:
            return pkg.location.path or ""
        if pkg.kind is PackageKind.IMAGE and pkg.ecosystem != "container":
            return pkg.location.workload or ""
        return ""

    @property
    def fixable(self) -> bool:
        """A version that fixes it is known."""
        return self.fixed_version is not None
