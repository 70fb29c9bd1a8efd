"""``nightowl deploy record``: tell nightowl about a deploy, from any CI pipeline; ``nightowl deploy
assess``: score a deploy's risk before it happens (docs/deploy-risk.md); ``nightowl deploy
canary``: the canary analyses of recorded deploys (docs/canary.md).

Writes to the store directly (as the CLI's identity, which must be allowed ``Act.RECORD_DEPLOY``),
or, with ``--url``, POSTs to a running nightowl's
``/api/v1/deploys`` with a bearer token (``--token``, else ``$NIGHTOWL_DEPLOY_TOKEN``, else
``$NIGHTOWL_WEBHOOK_TOKEN``).
"""

from __future__ import annotations

import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import (
    acting_as,
    console,
    err_console,
    identity,
    records_of,
    settings_from,
    user_errors,
)
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.deployrisk.change import from_git
from nightowl.domain import Deploy
from nightowl.domain.canary import CanaryRun
from nightowl.errors import InputError

deploy_app = typer.Typer(
    help="Record deploys (from CI pipelines), assess their risk, read their canary analyses.",
    no_args_is_help=True,
)


@deploy_app.command("record")
def record(
    service: Annotated[str, typer.Option(help="The service that was deployed.")],
    version: Annotated[str, typer.Option(help="The version now running.")],
    commit: Annotated[str | None, typer.Option(help="The commit SHA deployed.")] = None,
    author: Annotated[str | None, typer.Option(help="Who deployed.")] = None,
    summary: Annotated[str | None, typer.Option(help="What changed.")] = None,
    previous_version: Annotated[
        str | None, typer.Option(help="The version replaced (default: the last recorded).")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When, ISO 8601 with a time zone (default: now).")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="POST to this running nightowl instead of the store.")
    ] = None,
    token: Annotated[str | None, typer.Option(help="Bearer token for --url.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one deploy; recording the same service, version and time again changes nothing."""
    with user_errors():
        when = _when(at)
        fields: dict[str, Any] = {
            "service": service, "version": version, "commit": commit, "author": author,
            "summary": summary, "previous_version": previous_version,
        }  # fmt: skip
        if url:
            out = _post(url, token, {**fields, "at": when.isoformat(), "source": "cli"})
        else:
            with records_of(config, data_dir) as records:
                acting_as(records, Act.RECORD_DEPLOY)
                result = records.record_deploy(Deploy(**fields, at=when, source="cli"))
            out = result.model_dump(mode="json")
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    what = "recorded" if out["created"] else "already recorded"
    console.print(f"{what}: deploy #{out['id']} of {service} {version} at {when.isoformat()}")


def _when(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--at {at!r} is not an ISO 8601 time (2026-11-20T03:05:00Z)") from None
    if parsed.tzinfo is None:
        raise InputError(f"--at {at!r} has no time zone: add Z or an offset such as +02:00")
    return parsed


def _post(url: str, token: str | None, body: dict[str, Any], path: str = "") -> dict[str, Any]:
    token = (
        token or os.environ.get("NIGHTOWL_DEPLOY_TOKEN") or os.environ.get("NIGHTOWL_WEBHOOK_TOKEN")
    )
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    target = url.rstrip("/") + "/api/v1/deploys" + path
    try:
        response = httpx.post(target, json=body, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        err_console.print(f"[bold red]error:[/] cannot reach {escape(target)}: {escape(str(exc))}")
        raise typer.Exit(1) from None
    try:
        answer: dict[str, Any] = response.json()
    except ValueError:
        answer = {"error": response.text.strip()[:300]}
    if response.status_code >= 400:
        err_console.print(
            f"[bold red]error:[/] {escape(target)} answered {response.status_code}: "
            + escape(str(answer.get("error") or response.text.strip()[:300] or "no message"))
        )
        raise typer.Exit(1)
    return answer


@deploy_app.command("assess")
def assess(
    service: Annotated[str, typer.Option(help="The service about to be deployed.")],
    version: Annotated[str, typer.Option(help="The version about to be deployed.")],
    repo: Annotated[
        Path | None, typer.Option(help="A local git repository: the diff is read from it.")
    ] = None,
    commit: Annotated[str | None, typer.Option(help="The commit deployed (default HEAD).")] = None,
    diff_from: Annotated[
        str | None, typer.Option(help="The diff's base (default: the commit's parent).")
    ] = None,
    junit: Annotated[Path | None, typer.Option(help="The build's JUnit XML report.")] = None,
    coverage: Annotated[Path | None, typer.Option(help="The build's Cobertura XML.")] = None,
    coverage_baseline: Annotated[
        Path | None, typer.Option(help="The base's Cobertura XML (to see a drop).")
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When, ISO 8601 with a time zone (default: now).")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Ask this running nightowl instead (needs --token).")
    ] = None,
    token: Annotated[str | None, typer.Option(help="An api.users token for --url.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Score a deploy's risk 0–100 before it happens: proceed, caution or delay, with reasons."""
    with user_errors():
        body = _assess_body(
            service, version, repo, commit, diff_from, (junit, coverage, coverage_baseline), at
        )
        if url:
            out = _post(url, token or os.environ.get("NIGHTOWL_TOKEN"), body, "/assess")
        else:
            out = _assess_here(body, config, data_dir)
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    _show(out)


def _assess_body(
    service: str,
    version: str,
    repo: Path | None,
    commit: str | None,
    diff_from: str | None,
    reports: tuple[Path | None, Path | None, Path | None],
    at: str | None,
) -> dict[str, Any]:
    """The body of ``POST /api/v1/deploys/assess`` (the same whether sent or used here)."""
    body: dict[str, Any] = {"service": service, "version": version, "commit": commit}
    body |= {"diff_from": diff_from, "at": _when(at).isoformat() if at else None}
    if repo is not None:
        change = from_git(repo, commit, diff_from)
        body["files"] = [f.model_dump(mode="json") for f in change.files]
        body |= {"commit": change.head, "diff_from": change.base, "files_from": "git"}
    keys = ("junit_xml", "cobertura_xml", "cobertura_baseline_xml")
    for key, path in zip(keys, reports, strict=True):
        if path is not None:
            try:
                body[key] = path.read_text(errors="replace")
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror}") from None
    return body


def _assess_here(body: dict[str, Any], config: Path | None, data_dir: Path | None) -> Any:
    from nightowl.api.deploy_risk import AssessIn, request_of  # the request's own checks
    from nightowl.app import Nightowl  # builds the metrics connectors and the notifiers

    try:
        asked = request_of(AssessIn.model_validate(body))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    app = Nightowl(settings_from(config, data_dir))
    try:
        result = asyncio.run(app.deploy_risk.assess(asked, identity(app.settings)))
    finally:
        app.store.close()
    return result.model_dump(mode="json")


def _show(out: dict[str, Any]) -> None:
    colour = {"proceed": "green", "caution": "yellow", "delay": "red"}[out["recommendation"]]
    console.print(
        f"[bold {colour}]{out['recommendation']}[/]: {escape(out['service'])} "
        f"{escape(out['version'])} scores {out['score']}/100 (caution ≥ "
        f"{out['thresholds']['caution']}, delay ≥ {out['thresholds']['delay']})"
    )
    table = Table("factor", "points", "why", title="reasons")
    for r in out["reasons"]:
        style = "" if r["present"] else "dim"
        table.add_row(r["factor"], f"{r['points']}/{r['cap']}", escape(r["summary"]), style=style)
    console.print(table)
    for line in out.get("notified") or ():
        console.print(f"notified {escape(line)}")


@deploy_app.command("canary")
def canary(
    service: Annotated[str | None, typer.Option(help="Only this service's deploys.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The canary analyses of recorded deploys: verdict, intervals and why, newest first."""
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        acting_as(records, Act.READ)
        runs = records.canaries(service, limit)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in runs], indent=2))
        return
    if not runs:
        console.print("no canary analyses yet: they start when a deploy is pushed to the server")
        return
    table = Table(title="canary analyses")
    for column in ("deploy", "at", "verdict", "intervals", "why", "incident"):
        table.add_column(column)
    for run in runs:
        d = run.deploy
        table.add_row(
            escape(f"{d.service} {d.version}"), f"{d.at:%Y-%m-%d %H:%M}",
            run.verdict.value if run.verdict else "running", str(len(run.measurements)),
            escape(run.summary or _latest(run)), run.incident_id or "",
        )  # fmt: skip
    console.print(table)


def _latest(run: CanaryRun) -> str:
    if not run.measurements:
        return "no measurement yet"
    last = run.measurements[-1]
    return f"interval {last.index + 1}: " + "; ".join(
        f"{r.metric} {r.verdict.value}" for r in last.metrics
    )
