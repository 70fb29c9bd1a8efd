"""Schema revisions: which Alembic heads this nightowl ships, which the database is at.

A replica of a cluster should not reshape the schema under the others while they roll over:
``store.migrate_on_open: false`` makes every store refuse a database that is not at this code's
heads (``require_current``), and ``nightowl db migrate`` upgrades it once, before the replicas
are replaced (docs/deploy.md, "Upgrade").
"""

from __future__ import annotations

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from nightowl.errors import StoreError
from nightowl.store.database import MIGRATIONS, create_engine_for, mask_url, unreachable


class SchemaState(BaseModel):
    """Where a database's schema is against this code: ``current`` (the revisions recorded in
    the database; empty when it was never migrated) and ``heads`` (the newest revisions shipped)."""

    url: str
    current: list[str]
    heads: list[str]

    @property
    def up_to_date(self) -> bool:
        """True when the database is at exactly this code's heads."""
        return set(self.current) == set(self.heads)

    @property
    def pending(self) -> list[str]:
        """The heads the database is not at yet (sorted); what ``db migrate`` would apply."""
        return sorted(set(self.heads) - set(self.current))


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def shipped_heads() -> list[str]:
    """The head revisions of the migrations in this package (several: independent branches)."""
    return sorted(_scripts().get_heads())


def shipped_revisions() -> set[str]:
    """Every revision this package ships, heads and their ancestors."""
    return {script.revision for script in _scripts().walk_revisions()}


def schema_state(engine: Engine) -> SchemaState:
    """The database's revisions beside this code's heads; StoreError when it cannot be reached."""
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
    except (OperationalError, InterfaceError) as exc:
        raise unreachable(engine.url, exc) from exc
    return SchemaState(url=mask_url(engine.url), current=sorted(current), heads=shipped_heads())


def require_current(engine: Engine) -> None:
    """Raise StoreError unless the database is at this code's heads (what a replica started with
    ``store.migrate_on_open: false`` checks instead of migrating)."""
    state = schema_state(engine)
    if state.up_to_date:
        return
    unknown = set(state.current) - shipped_revisions()
    if unknown:
        reason = f"newer than this nightowl (at {', '.join(sorted(unknown))})"
        fix = "run the newer nightowl, or restore the schema's backup"
    else:
        reason = f"not migrated (missing {', '.join(state.pending)})"
        fix = "run `nightowl db migrate` once, then start the replicas"
    raise StoreError(
        f"the schema of {state.url} is {reason} and store.migrate_on_open is false; {fix}"
    )


def checked_engine(url: str) -> Engine:
    """An Engine for ``url`` whose schema is already at this code's heads (``require_current``);
    disposed of before the error propagates. ConfigError for a bad URL, StoreError otherwise."""
    engine = create_engine_for(url)
    try:
        require_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
