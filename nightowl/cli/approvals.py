"""``nightowl approvals list``, ``nightowl approve ID`` and ``nightowl deny ID --reason TEXT``.

The CLI acts as ``$NIGHTOWL_TOKEN``'s holder, else the operating-system user (role from
``cli.users``), who must have the approver role and be listed in ``approvals.approvers`` for the
service; the answer is stored, audited, and the waiting incident
workflow is woken through the DBOS system database.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from nightowl.app.access import Act
from nightowl.cli.common import (
    acting_as,
    console,
    identity,
    records_of,
    settings_from,
    user_errors,
)
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import ApprovalStatus

approvals_app = typer.Typer(help="Approval requests waiting for a human.", no_args_is_help=True)


@approvals_app.command("list")
def list_cmd(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    status: Annotated[ApprovalStatus | None, typer.Option(help="Only this status.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List approval requests: the action, its blast radius, rollback plan and evidence."""
    with user_errors(), records_of(config, data_dir, reading=True) as records:
        acting_as(records, Act.READ)
        requests = records.approvals(status=status)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in requests], indent=2))
        return
    table = Table(title=f"{len(requests)} approval request(s)")
    # the ids are what `nightowl approve` and `incidents show` take: never cut
    for col, ids in (
        ("id", [r.id for r in requests]),
        ("incident", [r.incident_id for r in requests]),
    ):
        table.add_column(col, no_wrap=True, min_width=max(map(len, ids), default=2))
    for col in ("status", "action", "blast radius", "rollback", "expires (UTC)"):
        table.add_column(col)
    for r in requests:
        radius = r.blast_radius.summary if r.blast_radius else "-"
        table.add_row(
            r.id,
            r.incident_id,
            r.status.value,
            escape(r.plan),
            escape(radius),
            escape(r.rollback),
            f"{r.expires_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


def approve(
    request_id: Annotated[str, typer.Argument(help="The request id (nightowl approvals list).")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the audit trail).")] = "",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Approve a pending request: nightowl then acts, still through every guardrail."""
    _answer(request_id, True, reason, config, data_dir)


def deny(
    request_id: Annotated[str, typer.Argument(help="The request id (nightowl approvals list).")],
    reason: Annotated[str, typer.Option(help="Why (required; recorded in the audit trail).")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Deny a pending request: nothing is executed."""
    _answer(request_id, False, reason, config, data_dir)


def _answer(request_id: str, approve: bool, reason: str, config: object, data_dir: object) -> None:
    from pathlib import Path

    from nightowl.app import Nightowl

    with user_errors():
        settings = settings_from(
            config if isinstance(config, Path) else None,
            data_dir if isinstance(data_dir, Path) else None,
        )
        me = identity(settings)  # answer_approval checks the role (a refusal audited)
        app = Nightowl(settings)
        try:
            decided = asyncio.run(
                app.answer_approval(request_id, by=me, approve=approve, reason=reason)
            )
        finally:
            app.store.close()
    console.print(f"{decided.id}: [bold]{decided.status.value}[/] by {decided.decided_by}")
