"""Serialisable state of the template miner: what gets persisted per service."""

from __future__ import annotations

from datetime import datetime

from nightowl.domain.base import Model


class TemplateState(Model):
    """One mined template: its id, its text (``<*>`` for variables) and when it was seen."""

    id: int
    template: str
    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None


class MinerState(Model):
    """Everything needed to continue mining where a miner stopped (caches are rebuilt).

    ``aliases`` maps the ids of templates that were merged into another to the surviving id,
    so ids handed out earlier (and stored with evidence) keep resolving.
    """

    service: str = ""
    templates: tuple[TemplateState, ...] = ()
    aliases: dict[int, int] = {}
