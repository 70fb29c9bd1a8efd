"""Options every command takes (``--config``, ``--data-dir``), and the logging options of
``serve``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Path to nightowl.yaml (default: $NIGHTOWL_CONFIG, else embedded defaults).",
        show_default=False,
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where nightowl keeps its database and reports (default: $NIGHTOWL_DATA_DIR, "
        "else ~/.local/share/nightowl).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


class LogLevel(StrEnum):
    """Levels ``--log-level`` takes."""

    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


class LogFormat(StrEnum):
    """Forms ``--log-format`` takes."""

    CONSOLE = "console"
    JSON = "json"


LogLevelOpt = Annotated[
    LogLevel | None,
    typer.Option(
        "--log-level",
        help="Lowest level logged (default: $NIGHTOWL_LOG_LEVEL, else logging.level: WARNING).",
        case_sensitive=False,
        show_default=False,
    ),
]
LogFormatOpt = Annotated[
    LogFormat | None,
    typer.Option(
        "--log-format",
        help="console (readable lines) or json (one object a line); default: logging.format.",
        show_default=False,
    ),
]
AccessLogOpt = Annotated[
    bool | None,
    typer.Option(
        "--access-log/--no-access-log",
        help="Log every HTTP request (default: logging.access_log, else off).",
        show_default=False,
    ),
]


class ServeRoleName(StrEnum):
    """Roles ``serve --role`` takes (``cluster.role``)."""

    API = "api"
    WORKER = "worker"
    ALL = "all"


RoleOpt = Annotated[
    ServeRoleName | None,
    typer.Option(
        "--role",
        help="api: webhooks and the API, workflows only enqueued; worker: runs the incident "
        "workflows; all: both (default: cluster.role, else all). See docs/scale-out.md.",
        case_sensitive=False,
        show_default=False,
    ),
]
