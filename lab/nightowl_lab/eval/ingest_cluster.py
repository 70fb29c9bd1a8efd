"""The servers under test of ``nightowl bench ingest``: one process, or replicas sharing a store.

``store="sqlite"`` runs one ``nightowl serve`` on SQLite in its data dir (SQLite takes one writer
at a time, so more processes would only queue on its lock). ``store="postgres"`` runs ``replicas``
processes (``serve --role api``), each with a data dir of its own, on one database of a private
PostgreSQL server (lab ``harness/postgres.py``): every replica authenticates, makes the alert
durable in PostgreSQL and answers, as API replicas behind a load balancer do; one of them leads
and flushes due groups (incident workflows are queued for workers, none of which runs here: the
bench measures intake). The first replica starts alone (it migrates the database); the others
start once it answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from nightowl_lab.harness.postgres import PostgresServer
from nightowl_lab.harness.server import ServerProcess

TOKEN = "bench-token"
START_TIMEOUT = 300.0
"""Seconds a replica may take to answer /healthz: a process starting on a busy machine (the
benchmark shares 2 cores) takes far longer than the 2–3 s it takes on a quiet one."""


class Store(StrEnum):
    """Where the replicas keep their alerts."""

    SQLITE = "sqlite"
    POSTGRES = "postgres"


@dataclass(frozen=True)
class Cluster:
    """Running replicas: their base URLs, and the SQLAlchemy URL of the store they share."""

    urls: list[str]
    store_url: str


def replica_config(directory: Path, store_url: str | None, audit_key: Path) -> Path:
    """A replica's config: its own data dir; the bench's webhook token, the shared store and the
    shared audit key (one audit trail, signed with one key; the first replica creates it)."""
    directory.mkdir(parents=True, exist_ok=True)
    settings: dict[str, object] = {
        "data_dir": str(directory / "data"),
        "webhooks": {"tokens": {"*": [TOKEN]}},
        "audit": {"key_file": str(audit_key)},
    }
    if store_url is not None:
        settings["store"] = {"url": store_url}
    config = directory / "nightowl.yaml"
    config.write_text(yaml.safe_dump(settings))
    return config


@contextmanager
def serving(directory: Path, replicas: int, postgres: PostgresServer | None) -> Iterator[Cluster]:
    """``replicas`` servers (one without ``postgres``), stopped on exit.

    With ``postgres``, a fresh database named after ``directory`` (lowercase letters, digits and
    ``_``), so that runs of one bench never see each other's alerts.
    """
    if postgres is None and replicas != 1:
        raise ValueError("SQLite serves one process: pass --store postgres for --replicas > 1")
    store_url = None
    if postgres is not None:
        store_url = postgres.create_database(f"bench_{directory.name}")
    with ExitStack() as stack:
        servers = []
        for number in range(replicas):
            config = replica_config(
                directory / f"replica-{number}", store_url, directory / "audit.key"
            )
            server = ServerProcess(config, role=None if postgres is None else "api")
            stack.callback(server.stop)
            servers.append(server.start(timeout=START_TIMEOUT))
        sqlite = f"sqlite:///{directory / 'replica-0' / 'data' / 'nightowl.sqlite'}"
        yield Cluster(urls=[s.url for s in servers], store_url=store_url or sqlite)
