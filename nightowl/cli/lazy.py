"""Commands imported only when they run, so that ``nightowl --help`` and ``nightowl --version``
start without importing the application, FastAPI, DBOS, SQLAlchemy or numpy.

A lazy command is a name, a target ``"module:attribute"`` (a ``typer.Typer`` group or a command
function) and the one line ``nightowl --help`` lists for it. The help listing shows that line; any
other use of the command (running it, its own ``--help``, completion) imports the target and
replaces the entry with the real command. tests/cli/test_lazy.py checks that every listed line is
the one the real command would show, so the two cannot drift apart.

Plugins (``nightowl.commands`` entry points) add their commands the same way with ``add_lazy``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Lazy:
    """A command known by name and help line until it is used."""

    target: str
    help: str
    hidden: bool = False

    def placeholder(self, name: str) -> TyperCommand:
        """What the help listing shows: the name and the help line, nothing imported."""
        return TyperCommand(name=name, help=self.help, hidden=self.hidden)

    def load(self, name: str) -> Any:
        """The real click command (ImportError/AttributeError if the target is wrong)."""
        module, _, attribute = self.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        # Click's help, as the root app (main.py); completion is installed from the root only
        parent = typer.Typer(rich_markup_mode=None, add_completion=False)
        if isinstance(found, typer.Typer):  # built as add_typer builds it: a one-command group
            parent.add_typer(found, name=name)  # stays a group (`check connectors`)
            command = typer.main.get_group(parent).commands[name]
        else:
            parent.command(name, hidden=self.hidden)(found)
            command = typer.main.get_command(parent)
        command.name = name
        command.hidden = self.hidden
        return command


class LazyGroup(TyperGroup):
    """A Typer group whose ``lazy`` commands are imported on first use (one subclass per app,
    made by ``lazy_typer``). Not thread-safe while loading; the CLI runs one command."""

    lazy: ClassVar[dict[str, Lazy]] = {}
    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        eager = super().list_commands(ctx)
        return [*(name for name in self.lazy if name not in eager), *eager]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            return entry.placeholder(cmd_name)
        self.commands[cmd_name] = entry.load(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0] not in self.lazy:
            # An unknown name fails; the "did you mean" typer adds then looks among every command.
            for name, entry in self.lazy.items():
                self.commands.setdefault(name, entry.placeholder(name))
        return super().resolve_command(ctx, args)


def lazy_typer(**options: Any) -> typer.Typer:
    """A ``typer.Typer`` that ``add_lazy`` can add commands to."""
    group = type("LazyCommands", (LazyGroup,), {"lazy": {}})
    options.setdefault("callback", _no_options)  # a group even when every command is lazy
    return typer.Typer(cls=group, **options)


def _no_options() -> None:
    pass


def add_lazy(app: typer.Typer, name: str, target: str, help: str, *, hidden: bool = False) -> None:
    """Add the command or group ``target`` (``"module:attribute"``) to ``app`` as ``name``,
    imported when it is first used; ``help`` is the line ``--help`` lists for it. TypeError if
    ``app`` was not made by ``lazy_typer``."""
    group = app.info.cls
    if not (isinstance(group, type) and issubclass(group, LazyGroup)):
        raise TypeError("add_lazy needs an app made by nightowl.cli.lazy.lazy_typer")
    group.lazy[name] = Lazy(target=target, help=help, hidden=hidden)
