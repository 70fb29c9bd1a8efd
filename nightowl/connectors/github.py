"""GitHub as a deploy source: ``kind: github``, reading one repository's deployments.

``GET /repos/{repo}/deployments`` (filtered by ``environment``) gives who deployed which commit and
when. The change summary comes from ``GET /repos/{repo}/compare/{previous}...{sha}`` (the commit
messages between two deployments) or, for the first one, ``GET /repos/{repo}/commits/{sha}``. The
version is the deployment payload's ``version``, else its ref when that names a version tag, else the
short commit. Deployments carry the service in their payload (``service``), else the ``service``
option (default: the repository's name).

The same compare answer's ``files`` give a deploy's diff to ``deploy assess`` (``changed_files``).

It is also an ownership source for the knowledge graph: ``GET /repos/{repo}/contents/{path}`` reads
the CODEOWNERS file (``codeowners``, default ``.github/CODEOWNERS``; the documented answer carries
the file base64-encoded in ``content``), and each service of ``owned_paths`` (default: the
repository's service at its root) is owned by the rule that decides its directory.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import Field

from nightowl.connectors import codeowners
from nightowl.connectors.base import Skew, parse_options
from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.connectors.logparse import parse_timestamp
from nightowl.connectors.protocols import Ownership
from nightowl.domain import Deploy
from nightowl.settings import PluginConfig, Settings

VERSIONISH = re.compile(r"^v?\d+(\.\d+)*([-+.].*)?$")
SUMMARY_COMMITS = 3


class GitHubConfig(HttpConfig):
    """``kind: github``."""

    url: str = "https://api.github.com"
    repo: str = Field(pattern=r"^[\w.-]+/[\w.-]+$", description="owner/name")
    service: str | None = None
    environment: str | None = "production"
    summarize: bool = Field(default=True, description="Read commits to summarise each change.")
    codeowners: str | None = Field(
        default=".github/CODEOWNERS",
        description="Path of the CODEOWNERS file read for the knowledge graph; none: not read.",
    )
    owned_paths: dict[str, str] = Field(
        default_factory=dict,
        description="Service → its directory in the repository; default: the service at the root.",
    )


class GitHub:
    """Deployments of one GitHub repository. Stateless between calls; safe to share."""

    def __init__(
        self,
        name: str,
        config: GitHubConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        self.http = HttpBackend(name, config, transport=transport, headers=headers)
        self.skew = Skew(name, config.clock_skew_seconds)
        self.service = config.service or config.repo.split("/")[1]

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> GitHub:
        """The connector of one ``connectors`` entry (its options validated as GitHubConfig)."""
        return cls(plugin.name, parse_options(GitHubConfig, plugin))

    async def check(self) -> None:
        """Read the last day's deployments: proves the token may read the repository."""
        end = datetime.now(UTC)
        await self.deploys(None, end - timedelta(days=1), end)

    async def deploys(self, service: str | None, start: datetime, end: datetime) -> list[Deploy]:
        """The repository's deployments in the window, oldest first, each with the version it
        replaced, its author, and (with ``summarize``) the commits between the two as its
        summary.
        """
        lo, hi = self.skew.window(start, end)
        params: dict[str, Any] = {"per_page": 100}
        if self.config.environment:
            params["environment"] = self.config.environment
        listed = await self.http.get_json(f"/repos/{self.config.repo}/deployments", params)
        if not isinstance(listed, list):
            raise self.http.error(
                f"{self.http.url} answered deployments with {type(listed).__name__}, not a list",
                retryable=False,
            )
        rows = sorted(
            (d for d in listed if parse_timestamp(d.get("created_at"))),
            key=lambda d: parse_timestamp(d["created_at"]) or lo,
        )
        out = []
        for before, current in zip([None, *rows], rows, strict=False):
            at = parse_timestamp(current["created_at"])
            svc = (current.get("payload") or {}).get("service") or self.service
            if at is None or not lo <= at <= hi or (service is not None and svc != service):
                continue
            out.append(await self._deploy(current, before, svc, at))
        return out

    async def owners(self) -> list[Ownership]:
        """The owners CODEOWNERS gives each service of ``owned_paths``; none without a file."""
        if self.config.codeowners is None:
            return []
        path = self.config.codeowners.strip("/")
        answer = await self.http.get_json(f"/repos/{self.config.repo}/contents/{path}")
        rules = codeowners.parse(self._decoded(answer, path))
        paths = self.config.owned_paths or {self.service: ""}
        out: list[Ownership] = []
        for service, directory in sorted(paths.items()):
            rule = codeowners.owners_of(rules, directory)
            if rule is None:
                continue
            where = f"{self.config.repo}:{path} line {rule.line} ({rule.pattern})"
            out.extend(
                Ownership(
                    service=service,
                    owner=owner.removeprefix("@"),
                    team="/" in owner,
                    provenance=where,
                )
                for owner in rule.owners
            )
        return out

    def _decoded(self, answer: Any, path: str) -> str:
        content = answer.get("content") if isinstance(answer, dict) else None
        if not isinstance(content, str) or answer.get("encoding", "base64") != "base64":
            raise self.http.error(
                f"{self.http.url} answered {path} without base64 content", retryable=False
            )
        try:
            return base64.b64decode(content).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            raise self.http.error(
                f"{self.http.url} answered {path} with content that is not base64", retryable=False
            ) from None

    async def changed_files(self, base: str, head: str) -> list[tuple[str, int, int]]:
        """The files changed from ``base`` to ``head``: (path, additions, deletions) from
        ``GET /repos/{repo}/compare/{base}...{head}`` (GitHub lists at most 300 files there).
        ConnectorError when GitHub cannot answer or does not know a ref."""
        repo = self.config.repo
        compared = await self.http.get_json(f"/repos/{repo}/compare/{base}...{head}")
        files = compared.get("files") if isinstance(compared, dict) else None
        return [
            (str(f["filename"]), int(f.get("additions") or 0), int(f.get("deletions") or 0))
            for f in files or []
            if isinstance(f, dict) and f.get("filename")
        ]

    async def _deploy(
        self, current: dict[str, Any], before: dict[str, Any] | None, service: str, at: datetime
    ) -> Deploy:
        sha = str(current.get("sha") or "")
        return Deploy(
            service=service,
            version=_version(current),
            previous_version=_version(before) if before else None,
            at=self.skew.inbound(at),
            author=(current.get("creator") or {}).get("login"),
            commit=sha or None,
            summary=await self._summary(sha, str(before.get("sha") or "") if before else "")
            if self.config.summarize and sha
            else current.get("description"),
            source=f"github:{self.config.repo}",
        )

    async def _summary(self, sha: str, previous: str) -> str:
        repo = self.config.repo
        if previous and previous != sha:
            compared = await self.http.get_json(f"/repos/{repo}/compare/{previous}...{sha}")
            commits = compared.get("commits") or []
            total = int(compared.get("total_commits") or len(commits))
            lines = [_first_line(c) for c in commits[-SUMMARY_COMMITS:]]
            more = f" (+{total - len(lines)} more)" if total > len(lines) else ""
            return f"{total} commit(s): " + "; ".join(lines) + more
        commit = await self.http.get_json(f"/repos/{repo}/commits/{sha}")
        return _first_line(commit)


def _version(deployment: dict[str, Any]) -> str:
    payload = deployment.get("payload") or {}
    if isinstance(payload, dict) and payload.get("version"):
        return str(payload["version"])
    ref = str(deployment.get("ref") or "")
    if VERSIONISH.match(ref):
        return ref
    return str(deployment.get("sha") or ref)[:12]


def _first_line(commit: dict[str, Any]) -> str:
    message = str((commit.get("commit") or {}).get("message") or "")
    return message.strip().splitlines()[0] if message.strip() else str(commit.get("sha", ""))[:12]
