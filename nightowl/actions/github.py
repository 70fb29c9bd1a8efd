"""``kind: pull_request`` — propose a configuration or infrastructure-as-code change as a GitHub
pull request: create a branch, put the file, open the PR. Nothing merges without a human.
``kind: pull_request_comment`` (``github_comment.py``) reviews an open pull request with one
comment kept current.

Parameters: ``path`` (must be under one of the config's ``paths``), and either ``content`` (the
new text) or ``from_ref`` (restore the file as it was at that ref — a revert), plus ``title``;
``files``, a JSON object of further paths and their new content, when one change edits several
files (``go.mod`` with ``go.sum``): each is checked like ``path`` and put on the same branch.
The branch is named after the action's key (``nightowl/<key>``), so a retry finds the PR it
opened instead of opening another. Rollback closes the PR and deletes the branch, or — if a human
merged it meanwhile — opens a pull request restoring the file as it was before.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from nightowl.actions import github_comment
from nightowl.actions.config import options
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.errors import ActionError
from nightowl.settings import PluginConfig, Settings


class GitHubConfig(BaseModel):
    """``kind: github`` driver: the repository and token, the base branch, the paths a pull
    request may touch, and the API URL (GitHub Enterprise).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: str
    token: SecretStr
    base: str = "main"
    api_url: str = "https://api.github.com"
    paths: list[str] = [""]
    timeout_seconds: float = 10.0


class GitHubPullRequestDriver:
    """Opens pull requests on one repository through the REST API. Safe to call concurrently."""

    Config = GitHubConfig
    kinds = frozenset({"pull_request", github_comment.KIND})

    def __init__(
        self, name: str, config: GitHubConfig, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.name = name
        self.config = config
        self.transport = transport

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> GitHubPullRequestDriver:
        """The driver of one ``actions.drivers`` entry (its options validated as GitHubConfig)."""
        return cls(plugin.name, options(plugin, GitHubConfig))

    def plan(self, action: ActionSpec) -> str:
        """Which file of which repository the pull request would change, and how."""
        if action.kind == github_comment.KIND:
            return github_comment.plan(self, action)
        path, source = self._path(action), action.params.get("from_ref")
        how = f"restoring it as of {source}" if source else "with new content"
        more = "".join(f" and {p}" for p in self._others(action))
        return f"open a pull request on {self.config.repo} changing {path}{more} ({how})"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Branch ``nightowl/<key>`` off the base, put the file, open the pull request; a retry
        finds the pull request it opened. A dry run reads the base and the content and opens
        nothing.
        """
        if action.kind == github_comment.KIND:
            return await github_comment.apply(self, action, dry_run=dry_run)
        started, path = now(), self._path(action)
        branch = f"nightowl/{action.idempotency_key}"
        async with self._client() as gh:
            base_sha = (await self._get(gh, f"git/ref/heads/{self.config.base}"))["object"]["sha"]
            content = await self._content(gh, action, path)
            others = await self._other_contents(gh, action)
            pre: dict[str, Scalar] = {"base_sha": base_sha, "path": path, "branch": branch}
            if others:
                pre["others"] = json.dumps(sorted(others))
            radius = BlastRadius(summary="a pull request: nothing changes until a human merges it")
            if dry_run:
                return dry_run_result(
                    action, self.name, started, pre=pre, plan=self.plan(action), radius=radius
                )
            pr = await self._existing(gh, branch) or await self._open(
                gh, action, {path: content} | others, branch, base_sha
            )
        post: dict[str, Scalar] = {"pr": pr["number"], "url": pr["html_url"], "branch": branch}
        return result(
            action,
            self.name,
            ActionStatus.SUCCEEDED,
            started,
            pre=pre,
            post=post,
            message=f"opened pull request #{pr['number']} ({pr['html_url']})",
            radius=radius,
        )

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Close the pull request and delete its branch; when a human merged it meanwhile, open a
        pull request restoring the file as it was before.
        """
        if done.kind == github_comment.KIND:
            return await github_comment.rollback(self, done)
        started, number = now(), done.post_state.facts.get("pr")
        async with self._client() as gh:
            pr = await self._get(gh, f"pulls/{number}")
            if not pr.get("merged"):
                await self._send(gh, "PATCH", f"pulls/{number}", {"state": "closed"})
                await self._send(
                    gh, "DELETE", f"git/refs/heads/{done.post_state.facts['branch']}", None
                )
                return rolled_back(
                    done,
                    self.name,
                    started,
                    {"pr": number, "state": "closed"},
                    f"closed pull request #{number} and deleted its branch",
                )
            spec = _revert_of(done, number)
            branch = f"nightowl/{spec.idempotency_key}"
            base_sha = (await self._get(gh, f"git/ref/heads/{self.config.base}"))["object"]["sha"]
            path = str(done.pre_state.facts["path"])
            files = {path: await self._content(gh, spec, path)}
            files |= await self._other_contents(gh, spec)
            revert = await self._existing(gh, branch) or await self._open(
                gh, spec, files, branch, base_sha
            )
        return rolled_back(
            done,
            self.name,
            started,
            {"pr": revert["number"], "url": revert["html_url"]},
            f"#{number} was merged: opened revert pull request #{revert['number']}",
        )

    # GitHub REST -----------------------------------------------------------------------------

    def _path(self, action: ActionSpec) -> str:
        path = str(action.params.get("path") or "").lstrip("/")
        if (
            not path
            or ".." in path.split("/")
            or not any(path.startswith(p) for p in self.config.paths)
        ):
            raise ActionError(
                f"path {path!r} is not under an allowed path ({self.config.paths})",
                driver=self.name,
            )
        return path

    def _others(self, action: ActionSpec) -> list[str]:
        """The further paths the action changes (``files`` or, for a revert, ``also_from_ref``),
        each checked like ``path``."""
        raw = action.params.get("files") or action.params.get("also_from_ref")
        if not raw:
            return []
        try:
            named = json.loads(str(raw))
        except json.JSONDecodeError:
            raise ActionError("params.files is not a JSON object", driver=self.name) from None
        paths = list(named) if isinstance(named, dict | list) else []
        return [self._path(action.model_copy(update={"params": {"path": p}})) for p in paths]

    async def _other_contents(self, gh: httpx.AsyncClient, action: ActionSpec) -> dict[str, bytes]:
        paths = self._others(action)
        if action.params.get("files"):
            named = json.loads(str(action.params["files"]))
            return {p: str(named[p]).encode() for p in paths}
        ref = str(action.params.get("from_ref"))
        out = {}
        for p in paths:
            data = await self._get(gh, f"contents/{p}", {"ref": ref})
            out[p] = base64.b64decode(data["content"])
        return out

    async def _content(self, gh: httpx.AsyncClient, action: ActionSpec, path: str) -> bytes:
        if action.params.get("content") is not None:
            return str(action.params["content"]).encode()
        ref = action.params.get("from_ref")
        if not ref:
            raise ActionError(
                "pull_request needs params.content or params.from_ref", driver=self.name
            )
        data = await self._get(gh, f"contents/{path}", {"ref": str(ref)})
        return base64.b64decode(data["content"])

    async def _existing(self, gh: httpx.AsyncClient, branch: str) -> dict[str, Any] | None:
        owner = self.config.repo.split("/")[0]
        found = await self._get(gh, "pulls", {"head": f"{owner}:{branch}", "state": "all"})
        return found[0] if isinstance(found, list) and found else None

    async def _open(
        self,
        gh: httpx.AsyncClient,
        action: ActionSpec,
        files: dict[str, bytes],
        branch: str,
        base_sha: str,
    ) -> dict[str, Any]:
        await self._send(
            gh, "POST", "git/refs", {"ref": f"refs/heads/{branch}", "sha": base_sha}, ok=(422,)
        )
        path = next(iter(files))
        for name, content in files.items():
            current = await self._send(gh, "GET", f"contents/{name}?ref={branch}", None, ok=(404,))
            put = {
                "message": str(action.params.get("title") or f"nightowl: change {path}"),
                "content": base64.b64encode(content).decode(),
                "branch": branch,
            }
            if current.get("sha"):
                put["sha"] = current["sha"]
            await self._send(gh, "PUT", f"contents/{name}", put)
        body = f"{action.reason}\n\nRollback: {action.rollback}\n\nOpened by nightowl (action {action.idempotency_key})."
        title = str(action.params.get("title") or f"nightowl: change {path}")
        opened: dict[str, Any] = await self._send(
            gh,
            "POST",
            "pulls",
            {"title": title, "head": branch, "base": self.config.base, "body": body},
        )
        return opened

    def _client(self) -> httpx.AsyncClient:
        headers = {
            "Authorization": f"Bearer {self.config.token.get_secret_value()}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        base = f"{self.config.api_url.rstrip('/')}/repos/{self.config.repo}/"
        return httpx.AsyncClient(
            base_url=base,
            headers=headers,
            timeout=self.config.timeout_seconds,
            transport=self.transport,
        )

    async def _get(
        self, gh: httpx.AsyncClient, path: str, params: dict[str, str] | None = None
    ) -> Any:
        return await self._send(gh, "GET", path, None, params=params)

    async def _send(
        self,
        gh: httpx.AsyncClient,
        method: str,
        path: str,
        body: Any,
        ok: tuple[int, ...] = (),
        params: dict[str, str] | None = None,
    ) -> Any:
        try:
            response = await gh.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise ActionError(
                f"{method} {path} failed: {exc}", driver=self.name, retryable=True
            ) from None
        if response.status_code in ok:
            return {}
        if not response.is_success:
            detail = response.json().get("message", "") if response.content else ""
            retry = response.status_code >= 500 or response.status_code == 429
            raise ActionError(
                f"GitHub answered {response.status_code} to {method} {path}: {detail}",
                driver=self.name,
                retryable=retry,
            )
        return response.json() if response.content else {}


def _revert_of(done: ActionResult, number: Scalar) -> ActionSpec:
    """The pull request restoring every file ``done`` changed as it was at its base."""
    others = json.loads(str(done.pre_state.facts.get("others") or "[]"))
    params: dict[str, Scalar] = {
        "path": str(done.pre_state.facts["path"]),
        "from_ref": str(done.pre_state.facts["base_sha"]),
        "title": f"Revert nightowl pull request #{number}",
    }
    if others:
        params["also_from_ref"] = json.dumps(others)
    return ActionSpec(
        kind="pull_request",
        service=done.service,
        runbook="",
        risk="low",
        reason="revert",
        rollback="",
        idempotency_key=f"{done.idempotency_key}-revert",
        params=params,
    )
