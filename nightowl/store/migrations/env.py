"""Alembic environment: runs on the connection that ``nightowl.store.migrate`` hands over.

For a new revision, point Alembic at a scratch database and let it compare with the models::

    alembic -c /dev/null -x url=sqlite:///scratch.sqlite revision --autogenerate -m "what"

(with ``script_location`` set to this directory), then review the generated file by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from nightowl.store.database import create_engine_for
from nightowl.store.schema import Base

MIGRATION_LOCK = 0x6E696768746F776C
"""PostgreSQL advisory lock key ("nightowl"): concurrent migrations from several workers queue."""


def run(connection: Connection) -> None:
    """Run the migrations on ``connection`` in one transaction; on PostgreSQL under an advisory
    lock, so workers migrating at once queue instead of racing. SQLite alters tables in batch
    mode.
    """
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def main() -> None:
    """Alembic's entry point: migrate the connection ``migrate()`` passed in, or the database of
    ``-x url=…`` (or the config's URL) on the command line.
    """
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database with -x url=<SQLAlchemy URL>")
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            run(connection)
    finally:
        engine.dispose()


main()
