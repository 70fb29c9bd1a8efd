"""Versions compared the way each ecosystem orders them (``univers``), and image references
split into repository, tag and digest.

An image tag such as ``1.25.2-alpine`` is the version ``1.25.2`` with the variant ``-alpine``:
the variant is kept for the bump (``1.25.3-alpine``) and left out of the comparison, where
semantic versioning would read it as a pre-release.
"""

from __future__ import annotations

import re

from univers.versions import (
    DebianVersion,
    GenericVersion,
    GolangVersion,
    InvalidVersion,
    MavenVersion,
    NugetVersion,
    PypiVersion,
    RubygemsVersion,
    SemverVersion,
    Version,
)

from nightowl.domain.base import Model

# OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field) → univers.
_BY_ECOSYSTEM: dict[str, type[Version]] = {
    "pypi": PypiVersion,
    "npm": SemverVersion,
    "go": GolangVersion,
    "crates.io": SemverVersion,
    "maven": MavenVersion,
    "nuget": NugetVersion,
    "rubygems": RubygemsVersion,
    "debian": DebianVersion,
    "ubuntu": DebianVersion,
    "bitnami": SemverVersion,
    "container": SemverVersion,
    "kubernetes": SemverVersion,
}
_NUMERIC = re.compile(r"^v?(\d+(?:\.\d+){0,3})(-[A-Za-z][\w.-]*)?$")


def version_class(ecosystem: str, range_type: str = "ECOSYSTEM") -> type[Version]:
    """The univers class ordering versions of ``ecosystem`` (a ``SEMVER`` range is semantic
    whatever the ecosystem); generic ordering for an ecosystem univers does not know.
    """
    if range_type.upper() == "SEMVER":
        return SemverVersion
    base = ecosystem.split(":", 1)[0].lower()  # "Debian:12" → "debian"
    return _BY_ECOSYSTEM.get(base, GenericVersion)


def parse(ecosystem: str, text: str, range_type: str = "ECOSYSTEM") -> Version | None:
    """``text`` as a comparable version of ``ecosystem``; None when it is not one (``latest``,
    a branch name), so a caller can say it could not compare instead of guessing.
    """
    cls = version_class(ecosystem, range_type)
    cleaned = text.strip()
    if cls is SemverVersion:
        match = _NUMERIC.match(cleaned)
        if match is None:
            return None
        cleaned = match.group(1)
    try:
        return cls(cleaned)
    except (InvalidVersion, ValueError, TypeError):
        return None


class ImageRef(Model):
    """A container image reference: ``registry/path/name:tag@sha256:…``."""

    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The last path segment (``docker.io/library/nginx`` → ``nginx``)."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def version(self) -> str | None:
        """The tag's numeric part (``1.25.2-alpine`` → ``1.25.2``); None for ``latest`` and
        other words.
        """
        match = _NUMERIC.match(self.tag or "")
        return match.group(1) if match else None

    def with_version(self, version: str) -> str:
        """The same reference at ``version``, keeping a leading ``v`` and the variant suffix,
        without a digest (a digest pins the old content)."""
        tag = self.tag or ""
        match = _NUMERIC.match(tag)
        prefix = "v" if tag.startswith("v") else ""
        suffix = (match.group(2) or "") if match else ""
        return f"{self.repository}:{prefix}{version.lstrip('v')}{suffix}"

    def text(self) -> str:
        """The reference as written."""
        out = self.repository + (f":{self.tag}" if self.tag else "")
        return out + (f"@{self.digest}" if self.digest else "")


def image_ref(text: str) -> ImageRef:
    """Split an image reference; a ``:`` inside the registry host (a port) is not a tag."""
    name, _, digest = text.strip().partition("@")
    head, _, last = name.rpartition("/")
    tag = None
    if ":" in last:
        last, tag = last.split(":", 1)
    repository = f"{head}/{last}" if head else last
    return ImageRef(repository=repository, tag=tag, digest=digest or None)
