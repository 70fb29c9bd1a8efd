"""Argo CD as a deploy source: ``kind: argocd``, reading applications' sync history.

``GET /api/v1/applications/{name}`` (or ``GET /api/v1/applications`` when no application is named)
returns each application's ``status.history``: the revision deployed, when (``deployedAt``), from
which source, and who started it (``initiatedBy``). Each entry becomes a deploy of the service the
application is mapped to (``applications: {service: app}``; unmapped applications deploy the
service of their own name). Authenticate with an Argo CD API token (``token``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import Field

from nightowl.connectors.base import Skew, parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.connectors.logparse import parse_timestamp
from nightowl.domain import Deploy
from nightowl.settings import PluginConfig, Settings

SHA = re.compile(r"^[0-9a-f]{40}$")


class ArgoCDConfig(HttpConfig):
    """``kind: argocd``."""

    applications: dict[str, str] = Field(default={}, description="service -> application name")


class ArgoCD:
    """Sync history of Argo CD applications. Stateless between calls; safe to share."""

    def __init__(
        self,
        name: str,
        config: ArgoCDConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.http = HttpBackend(name, config, transport=transport)
        self.skew = Skew(name, config.clock_skew_seconds)
        self.services = {app: service for service, app in config.applications.items()}

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> ArgoCD:
        """The connector of one ``connectors`` entry (its options validated as ArgoCDConfig)."""
        return cls(plugin.name, parse_options(ArgoCDConfig, plugin))

    async def check(self) -> None:
        """Read the last day's sync history: proves the token may read the applications."""
        end = datetime.now(UTC)
        await self.deploys(None, end - timedelta(days=1), end)

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """Each application's syncs in the window as deploys of its mapped service, with the
        revision each replaced, oldest first.
        """
        lo, hi = self.skew.window(start, end)
        out: list[Deploy] = []
        for app in await self._applications(service):
            name = str((app.get("metadata") or {}).get("name", ""))
            svc = self.services.get(name, name)
            if service is not None and svc != service:
                continue
            history = sorted(
                (h for h in (app.get("status") or {}).get("history") or [] if h.get("deployedAt")),
                key=lambda h: int(h.get("id") or 0),
            )
            for before, entry in zip([None, *history], history, strict=False):
                at = parse_timestamp(entry["deployedAt"])
                if at is not None and lo <= at <= hi:
                    out.append(self._deploy(name, svc, entry, before, at))
        return sorted(out, key=lambda d: d.at)

    async def _applications(self, service: str | None) -> list[dict[str, Any]]:
        wanted = self.config.applications
        if service is not None and service in wanted:
            return [await self.http.get_json(f"/api/v1/applications/{wanted[service]}")]
        if wanted:
            return [await self.http.get_json(f"/api/v1/applications/{a}") for a in wanted.values()]
        listed = await self.http.get_json("/api/v1/applications")
        return list((listed or {}).get("items") or []) if isinstance(listed, dict) else []

    def _deploy(
        self,
        app: str,
        service: str,
        entry: dict[str, Any],
        before: dict[str, Any] | None,
        at: datetime,
    ) -> Deploy:
        initiated = entry.get("initiatedBy") or {}
        author = initiated.get("username") or ("automated" if initiated.get("automated") else None)
        revision = str(entry.get("revision") or "")
        target = (entry.get("source") or {}).get("targetRevision")
        return Deploy(
            service=service,
            version=_version(entry),
            previous_version=_version(before) if before else None,
            at=self.skew.inbound(at),
            author=author,
            commit=revision if SHA.match(revision) else None,
            summary=f"Argo CD sync of {app} to {target or revision} (history id {entry.get('id')})",
            source=f"argocd:{app}",
        )


def _version(entry: dict[str, Any]) -> str:
    revision = str(entry.get("revision") or "unknown")
    return revision[:12] if SHA.match(revision) else revision
