"""``nightowl cve scan``: the CVE posture of files and, optionally, a configured cluster — the
findings with the fixed version and the change that would fix each. Reads only; nothing is
opened or written (the watcher proposes pull requests through the policy).

With the package registries (``--registry pypi=URL`` …, or ``--watcher NAME`` for a configured
``kind: cve`` watcher's ``options.registries`` and ``pr_min_severity``), a lock file's fix is the
verified edit the watcher would propose (versions and the hashes the registry publishes), not
only the command that regenerates the lock."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.cli.common import console, err_console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.connectors.package_registry import PackageRegistries, RegistryUrls
from nightowl.errors import ConfigError, InputError
from nightowl.watchers.cve.models import Package
from nightowl.watchers.cve.models import Severity as Rating
from nightowl.watchers.cve.scan import ScanInput, ScanResult, run

cve_app = typer.Typer(help="CVE posture: what runs, what is vulnerable, what fixes it.")

PathsOpt = Annotated[list[Path] | None, typer.Option(show_default=False)]


def _cluster(name: str, config: Path | None, data_dir: Path | None) -> list[Package]:
    from nightowl.registry import CONNECTORS, resolve
    from nightowl.watchers.cve.cluster import running

    settings = settings_from(config, data_dir)
    plugin = next((c for c in settings.connectors if c.name == name), None)
    if plugin is None or plugin.kind != "kubernetes":
        raise ConfigError(f"no kubernetes connector named {name!r} in the settings' connectors")
    connector = resolve(CONNECTORS, plugin.kind, "connector").from_plugin(plugin, settings)
    return asyncio.run(running(connector, datetime.now(UTC)))


def _registries(
    pairs: list[str], watcher: str | None, config: Path | None, data_dir: Path | None
) -> tuple[RegistryUrls | None, Rating]:
    """The registries (a configured cve watcher's, then each ``KEY=URL`` over them) and the
    lowest severity bumped; InputError for a malformed pair, ConfigError for a bad watcher."""
    from nightowl.watchers.build import config_of
    from nightowl.watchers.cve.watcher import CveOptions

    urls: dict[str, object] = {}
    floor = Rating.HIGH
    if watcher is not None:
        entry = config_of(settings_from(config, data_dir), watcher)
        if entry.kind != "cve":
            raise ConfigError(f"watcher {watcher!r} is of kind {entry.kind}, not cve")
        try:
            options = CveOptions.model_validate(entry.options)
        except ValueError as exc:
            raise ConfigError(f"watcher {watcher!r}: {exc}") from None
        floor = options.pr_min_severity
        if options.registries is not None:
            urls = options.registries.model_dump(exclude_none=True)
    for pair in pairs:
        key, sep, url = pair.partition("=")
        if not sep or key.replace("-", "_") not in RegistryUrls.model_fields or not url:
            known = ", ".join(k for k in RegistryUrls.model_fields if k != "timeout_seconds")
            raise InputError(f"--registry {pair!r}: give KEY=URL with KEY one of {known}")
        urls[key.replace("-", "_")] = url
    if not urls:
        return None, floor
    try:
        return RegistryUrls.model_validate(urls), floor
    except ValueError as exc:
        raise InputError(f"--registry: {exc}") from None


def _table(result: ScanResult) -> Table:
    table = Table(title=f"{len(result.findings)} findings in {result.packages} packages")
    for column in ("severity", "advisory", "package", "version", "fixed", "where", "fix"):
        table.add_column(column)
    for f in result.findings:
        fix = f.change.how if f.change else f.note
        table.add_row(
            f.advisory.severity.value,
            escape(f.advisory.cve),
            escape(f.package.name),
            escape(f.package.version),
            escape(f.fixed_version or "none yet"),
            escape(f.package.location.label()),
            escape(fix),
        )
    return table


def _bumped(result: ScanResult, registries: PackageRegistries, floor: Rating) -> ScanResult:
    from nightowl.watchers.cve.watcher import bumped

    found = asyncio.run(bumped(list(result.findings), registries, floor))
    return result.model_copy(update={"findings": tuple(found)})


@cve_app.command("scan")
def scan_cmd(
    osv: Annotated[
        Path | None, typer.Option("--osv", help="An offline OSV export directory (.json/.zip).")
    ] = None,
    lockfile: Annotated[
        list[Path] | None,
        typer.Option(
            "--lockfile", help="requirements*.txt, poetry.lock, package-lock.json, go.sum."
        ),
    ] = None,
    manifests: Annotated[
        list[Path] | None,
        typer.Option(
            "--manifests", help="Kubernetes manifests or Terraform, files or directories."
        ),
    ] = None,
    report: Annotated[
        list[Path] | None,
        typer.Option("--report", help="A trivy, grype or osv-scanner JSON report."),
    ] = None,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="A configured kubernetes connector's name.")
    ] = None,
    registry: Annotated[
        list[str] | None,
        typer.Option(
            "--registry",
            help="KEY=URL of a package registry (pypi, npm, go_sum, go_proxy): lock-file bumps "
            "with the hashes it publishes, as the watcher's options.registries.",
        ),
    ] = None,
    watcher: Annotated[
        str | None,
        typer.Option("--watcher", help="A configured cve watcher whose registries to use."),
    ] = None,
    show_diff: Annotated[bool, typer.Option("--diff", help="Print each proposed diff.")] = False,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Findings with the fixed version and the proposed change (exit 1 on a bad input)."""
    with user_errors():
        running = _cluster(cluster, config, data_dir) if cluster else []
        if not (osv or report):
            raise InputError("give --osv DIR (an OSV export) or --report FILE (a scanner report)")
        urls, floor = _registries(registry or [], watcher, config, data_dir)
        try:
            result = run(
                ScanInput(osv=osv, lockfiles=tuple(lockfile or ()), manifests=tuple(manifests or ()),
                          reports=tuple(report or ()), running=tuple(running))
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise InputError(f"{exc}: check the path") from None
        if urls is not None:
            result = _bumped(result, PackageRegistries(urls), floor)
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    console.print(_table(result))
    for line in result.skipped:
        err_console.print(f"[yellow]skipped[/] {escape(line)}")
    if show_diff:
        for f in result.findings:
            if f.change:
                typer.echo(f.change.diff)
