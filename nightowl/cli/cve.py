"""``nightowl cve scan``: the CVE posture of files and, optionally, a configured cluster — the
findings with the fixed version and the change that would fix each. Reads only; nothing is
opened or written (the watcher proposes pull requests through the policy)."""

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
from nightowl.errors import ConfigError, InputError
from nightowl.watchers.cve.models import Package
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
        try:
            result = run(
                ScanInput(osv=osv, lockfiles=tuple(lockfile or ()), manifests=tuple(manifests or ()),
                          reports=tuple(report or ()), running=tuple(running))
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise InputError(f"{exc}: check the path") from None
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
