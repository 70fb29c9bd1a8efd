"""``kind: cve`` — the CVE posture as a watcher: each scheduled run scans what runs (the
configured clusters) and what is declared (manifests, lock files under ``repo``), and returns one
finding per advisory and package; a fixable one at or above ``pr_min_severity`` carries its
version bump as a ``pull_request`` action, which the shape puts through the gate.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from nightowl.connectors.package_registry import PackageRegistries, RegistryUrls
from nightowl.domain import ActionSpec, Scalar
from nightowl.domain.findings import Finding, ProposedChange
from nightowl.domain.vocabulary import Severity
from nightowl.errors import ConfigError, NightowlError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.cve import lockbump
from nightowl.watchers.cve.cluster import RunningCluster, running
from nightowl.watchers.cve.models import Location, VulnFinding
from nightowl.watchers.cve.models import Severity as Rating
from nightowl.watchers.cve.scan import ScanInput, run
from nightowl.watchers.protocol import WatchContext

_SEVERITY = {
    Rating.CRITICAL: Severity.CRITICAL,
    Rating.HIGH: Severity.HIGH,
    Rating.MEDIUM: Severity.WARNING,
}


class CveOptions(BaseModel):
    """The ``options`` of a ``kind: cve`` watcher. Relative paths are under ``repo``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    osv: Path | None = Field(default=None, description="An offline OSV export directory.")
    repo: Path | None = Field(default=None, description="The repository manifests live in.")
    manifests: list[Path] = Field(default_factory=list)
    lockfiles: list[Path] = Field(default_factory=list)
    reports: list[Path] = Field(default_factory=list, description="trivy/grype/osv-scanner JSON.")
    cluster: list[str] | None = Field(
        default=None, description="Kubernetes connectors to inventory (default: every one)."
    )
    pr_min_severity: Rating = Rating.HIGH
    registries: RegistryUrls | None = Field(
        default=None,
        description="PyPI / npm / Go checksum database and proxy: lock-file bumps with the "
        "hashes they publish (without: the command that regenerates the lock).",
    )


async def bumped(
    found: list[VulnFinding], registries: PackageRegistries, floor: Rating
) -> list[VulnFinding]:
    """The findings, each lock-file one at or above ``floor`` with its verified bump where the
    registries allow it (``lockbump.propose``); what the watcher and ``nightowl cve scan``
    propose alike."""
    return [
        await lockbump.propose(f, registries) if f.advisory.severity.rank >= floor.rank else f
        for f in found
    ]


class CveWatcher:
    """A Watcher over one scan configuration. Reads only; safe to run concurrently."""

    def __init__(
        self, name: str, options: CveOptions, registries: PackageRegistries | None = None
    ) -> None:
        self.name = name
        self.options = options
        urls = options.registries
        self.registries = registries or (PackageRegistries(urls) if urls else None)

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> CveWatcher:
        """The watcher of one ``watchers`` entry; ConfigError for bad options."""
        try:
            options = CveOptions.model_validate(config.options)
        except ValueError as exc:
            raise ConfigError(f"watcher {config.name!r}: {exc}") from None
        if options.osv is None and not options.reports:
            raise ConfigError(f"watcher {config.name!r}: give options.osv or options.reports")
        return cls(config.name, options)

    def _path(self, path: Path) -> Path:
        return path if path.is_absolute() or self.options.repo is None else self.options.repo / path

    async def check(self, ctx: WatchContext) -> list[Finding]:
        """Every advisory affecting what runs or is declared now; WatcherError when a cluster
        or a file cannot be read (then nothing is marked fixed)."""
        clusters = [
            c for c in ctx.sources.cluster
            if isinstance(c, RunningCluster)
            and (self.options.cluster is None or c.name in self.options.cluster)
        ]  # fmt: skip
        try:
            packages = [p for c in clusters for p in await running(c, ctx.now)]
            scan = ScanInput(
                osv=self.options.osv, running=tuple(packages),
                manifests=tuple(self._path(p) for p in self.options.manifests),
                lockfiles=tuple(self._path(p) for p in self.options.lockfiles),
                reports=tuple(self._path(p) for p in self.options.reports),
            )  # fmt: skip
            result = await asyncio.to_thread(run, scan)
        except (NightowlError, OSError) as exc:
            raise WatcherError(str(exc), watcher=self.name, retryable=True) from None
        found = list(result.findings)
        if self.registries is not None:
            found = await bumped(found, self.registries, self.options.pr_min_severity)
        return [self.finding(f, _service(result.places.get(f.fingerprint, ()))) for f in found]

    def finding(self, found: VulnFinding, service: str = "") -> Finding:
        """One scan finding as the shape's Finding, with its bump when it qualifies."""
        pkg, adv = found.package, found.advisory
        resource = (
            pkg.location.path if pkg.kind.value == "lockfile" and pkg.location.path
            else pkg.image.split(":")[0] if pkg.image else pkg.location.workload or pkg.name
        )  # fmt: skip
        evidence = {
            "cve": adv.cve, "advisory": adv.id, "package": pkg.name, "ecosystem": pkg.ecosystem,
            "version": pkg.version, "fixed": found.fixed_version or "none yet",
            "score": adv.score, "rating": adv.severity.value, "where": pkg.location.label(),
            "source": adv.source,
        }  # fmt: skip
        return Finding(
            watcher=self.name, kind="cve", resource=resource or pkg.name,
            severity=_SEVERITY.get(adv.severity, Severity.INFO),
            title=f"{adv.cve} in {pkg.name} {pkg.version}" + (f": {adv.summary}" if adv.summary else ""),
            evidence=evidence, fingerprint=found.fingerprint, service=service,
            proposed=self._proposed(found, service),
        )  # fmt: skip

    def _proposed(self, found: VulnFinding, service: str) -> ProposedChange | None:
        if found.change is None:
            return ProposedChange(summary=found.note) if found.note else None
        change = found.change
        if found.advisory.severity.rank < self.options.pr_min_severity.rank:
            return ProposedChange(summary=change.how, diff=change.diff)
        path = self._relative(change.path)
        params: dict[str, Scalar] = {"path": path, "content": change.content,
                                     "title": f"Fix {found.advisory.cve}: {change.how}"}  # fmt: skip
        if change.also:
            params["files"] = json.dumps({self._relative(p): c for p, c in change.also.items()})
        action = ActionSpec(
            kind="pull_request", service=service,
            runbook=f"watcher:{self.name}", risk="low",
            reason=f"{found.advisory.cve} ({found.advisory.severity.value}): {change.how}",
            rollback="close the pull request (or revert it if merged)",
            idempotency_key=f"cve-{found.fingerprint}-{found.fixed_version}",
            params=params,
        )  # fmt: skip
        return ProposedChange(summary=change.how, diff=change.diff, action=action)

    def _relative(self, raw: str) -> str:
        """A path as the repository names it (relative to ``repo`` when under it)."""
        path = Path(raw)
        if self.options.repo is not None and path.is_relative_to(self.options.repo):
            path = path.relative_to(self.options.repo)
        return str(path)


def _service(places: tuple[Location, ...]) -> str:
    """The service a finding is about: the first workload it runs in (a Kubernetes workload is
    named after its service label), else none — the watcher's ``service`` routes it then."""
    return next((p.workload for p in places if p.workload and p.namespace), "")
