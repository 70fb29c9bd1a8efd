"""What every command shares: loading settings, who the command acts as, and turning nightowl's
errors into clear messages."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape

from nightowl.app.access import Act, Principal, cli_principal
from nightowl.errors import ConfigError, NightowlError
from nightowl.settings import Settings, load_settings

if TYPE_CHECKING:
    from nightowl.app.records import Records

console = Console()
err_console = Console(stderr=True)


def settings_from(config: Path | None, data_dir: Path | None) -> Settings:
    return load_settings(config=config, data_dir=data_dir)


def identity(settings: Settings) -> Principal:
    """Who this command acts as: the holder of ``$NIGHTOWL_TOKEN`` (an api.users token; AuthError
    if it is not one), else the operating-system user with the role ``cli.users`` gives them
    (``cli.default_role`` otherwise). Every write it makes is audited under that name."""
    token = os.environ.get("NIGHTOWL_TOKEN")
    return cli_principal(settings, token=token, os_user=getpass.getuser())


def acting_as(records: Records, act: Act) -> Principal:
    """``identity``, if their role allows ``act`` (ForbiddenError otherwise, audited)."""
    principal = identity(records.settings)
    records.guard(principal, act)
    return principal


@contextmanager
def user_errors() -> Iterator[None]:
    """Show nightowl's own errors as one clear line and exit 2 (config) or 1; never a traceback."""
    try:
        yield
    except ConfigError as exc:
        err_console.print(f"[bold red]configuration error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from None
    except NightowlError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None


def guarded(fn: Callable[[], None]) -> None:
    with user_errors():
        fn()


@contextmanager
def records_of(
    config: Path | None, data_dir: Path | None, *, reading: bool = False
) -> Iterator[Records]:
    """The application's record over the configured database, closed afterwards: what the
    commands that only read or steer nightowl need (no connectors, drivers or LLM are built).
    ``reading``: the command only reads, so a data dir with no store is an error (a typo in
    ``--data-dir`` would otherwise create an empty store and answer "nothing")."""
    from nightowl.app.records import Records

    opened = Records.open(settings_from(config, data_dir), existing=reading)
    try:
        yield opened
    finally:
        opened.close()


@contextmanager
def probing(settings: Settings) -> Iterator[tuple[Settings, Path | None]]:
    """``settings`` to build the application on for a command that only checks (``config
    check``, ``check connectors``), and the SQLite store file that does not exist yet (else None).

    Building the application opens its store, which would create an empty database and a new
    audit key where ``--data-dir`` points: a check must leave no store behind (a mistyped data
    dir would then answer "no incidents" to every reader instead of "no store here"). When the
    configured SQLite file is missing, the store and its audit anchor go to a temporary
    directory, deleted afterwards, under a throwaway audit key; the data dir itself (which notifiers
    and drivers write under) stays the configured one."""
    import secrets
    import tempfile

    from pydantic import SecretStr

    from nightowl.store import missing_sqlite_file

    missing = missing_sqlite_file(settings.store_url)
    if missing is None:
        yield settings, None
        return
    with tempfile.TemporaryDirectory(prefix="nightowl-check-") as scratch:
        # a throwaway key in memory: a key file created there would be announced as one to
        # back up (the configured audit.key, when set, is checked as it is)
        key = settings.audit.key or SecretStr(secrets.token_hex(32))
        audit = settings.audit.model_copy(
            update={"key": key, "key_file": None, "anchor_file": Path(scratch, "anchor")}
        )
        store = settings.store.model_copy(update={"url": f"sqlite:///{scratch}/check.sqlite"})
        yield settings.model_copy(update={"store": store, "audit": audit}), missing
