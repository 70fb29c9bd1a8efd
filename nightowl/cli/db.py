"""``nightowl db migrate|current|heads``: the store's schema, upgraded explicitly.

Every store upgrades its schema when it opens unless ``store.migrate_on_open`` is false, which a
cluster sets so that no replica reshapes the schema under the others during a roll; then
``nightowl db migrate`` runs once before the replicas are replaced (docs/deploy.md, "Upgrade").
Holding the database URL is the authority here, as it is for ``psql``: the command needs no
nightowl role, and it works on a database that has no tables yet.
"""

from __future__ import annotations

import json

import typer

from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.store import create_engine_for, migrate
from nightowl.store.revisions import SchemaState, schema_state, shipped_heads

db_app = typer.Typer(help="The store's schema: migrate, current, heads.", no_args_is_help=True)


def _state(config: ConfigOpt, data_dir: DataDirOpt, *, upgrade: bool) -> tuple[SchemaState, bool]:
    """The schema's state (after upgrading it when ``upgrade``) and whether it changed."""
    engine = create_engine_for(settings_from(config, data_dir).store_url)
    try:
        before = schema_state(engine)
        if upgrade and not before.up_to_date:
            migrate(engine)
            return schema_state(engine), True
        return before, False
    finally:
        engine.dispose()


def _show(state: SchemaState, as_json: bool, *, changed: bool | None = None) -> None:
    if as_json:
        body = state.model_dump() | {"up_to_date": state.up_to_date, "pending": state.pending}
        typer.echo(json.dumps(body if changed is None else body | {"migrated": changed}))
        return
    console.print(f"database: {state.url}")
    console.print(f"current:  {', '.join(state.current) or '(empty: never migrated)'}")
    if state.up_to_date:
        console.print("[green]up to date[/]")
    else:
        console.print(f"[yellow]pending:[/]  {', '.join(state.pending)}")


@db_app.command("migrate")
def migrate_cmd(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Upgrade the schema to this version's heads (a no-op when current); safe to run twice."""
    with user_errors():
        state, changed = _state(config, data_dir, upgrade=True)
    if not as_json:
        console.print("[green]migrated[/]" if changed else "nothing to migrate")
    _show(state, as_json, changed=changed)


@db_app.command("current")
def current_cmd(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, as_json: JsonOpt = False
) -> None:
    """Show the database's revisions and what a migrate would apply; exit 1 if not up to date."""
    with user_errors():
        state, _ = _state(config, data_dir, upgrade=False)
    _show(state, as_json)
    if not state.up_to_date:
        raise typer.Exit(1)


@db_app.command("heads")
def heads_cmd(as_json: JsonOpt = False) -> None:
    """Show the schema revisions this version of nightowl ships (no database is opened)."""
    heads = shipped_heads()
    if as_json:
        typer.echo(json.dumps({"heads": heads}))
        return
    for head in heads:
        console.print(head)
