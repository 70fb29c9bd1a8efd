"""GitHub's REST API (the calls the pull-request driver makes, answered in GitHub's documented
shapes) in front of a real local git repository: refs, file contents and commits are git's own
(``git rev-parse``, ``git show``, a commit made with git's plumbing on the branch); only the pull
requests themselves, which git has no notion of, are kept in memory. No GitHub server can run
here; this lets a test read the branch a pull request opened with ``git``."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx

REPO = "/repos/acme/infra/"
IDENTITY = {"GIT_AUTHOR_NAME": "nightowl", "GIT_AUTHOR_EMAIL": "nightowl@example.com",
            "GIT_COMMITTER_NAME": "nightowl", "GIT_COMMITTER_EMAIL": "nightowl@example.com"}  # fmt: skip


class GitBackedGitHub:
    """An ``httpx.MockTransport`` handler over the repository at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pulls: list[dict[str, Any]] = []

    def git(
        self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        done = subprocess.run(["git", *args], cwd=self.root, input=stdin, capture_output=True,
                              env={**os.environ, **IDENTITY, **(env or {})}, check=False)  # fmt: skip
        if done.returncode != 0:
            raise LookupError(done.stderr.decode())
        return done.stdout

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(REPO)
        body = json.loads(request.content) if request.content else {}
        try:
            return self._answer(request.method, path, request.url.params, body)
        except LookupError:
            return httpx.Response(404, json={"message": "Not Found"})

    def _answer(self, method: str, path: str, params: Any, body: dict[str, Any]) -> httpx.Response:
        if method == "GET" and path.startswith("git/ref/heads/"):
            sha = self.git("rev-parse", path[14:]).decode().strip()
            return httpx.Response(200, json={"object": {"sha": sha, "type": "commit"}})
        if method == "POST" and path == "git/refs":
            branch = body["ref"].removeprefix("refs/heads/")
            if self.git("branch", "--list", branch).strip():
                return httpx.Response(422, json={"message": "Reference already exists"})
            self.git("branch", branch, body["sha"])
            return httpx.Response(201, json={"ref": body["ref"], "object": {"sha": body["sha"]}})
        if method == "GET" and path.startswith("contents/"):
            ref = params.get("ref", "main")
            content = self.git("show", f"{ref}:{path[9:]}")
            blob = self.git("rev-parse", f"{ref}:{path[9:]}").decode().strip()
            encoded = base64.b64encode(content).decode()
            return httpx.Response(
                200, json={"type": "file", "sha": blob, "content": encoded, "encoding": "base64"}
            )
        if method == "PUT" and path.startswith("contents/"):
            commit = self._commit(
                body["branch"], path[9:], base64.b64decode(body["content"]), body["message"]
            )
            return httpx.Response(
                200, json={"content": {"path": path[9:]}, "commit": {"sha": commit}}
            )
        if method == "GET" and path == "pulls":
            head = params["head"].split(":", 1)[1]
            return httpx.Response(200, json=[p for p in self.pulls if p["head"]["ref"] == head])
        if method == "POST" and path == "pulls":
            number = len(self.pulls) + 1
            pr = {"number": number, "html_url": f"https://github.com/acme/infra/pull/{number}",
                  "state": "open", "merged": False, "head": {"ref": body["head"]}, "title": body["title"]}  # fmt: skip
            self.pulls.append(pr)
            return httpx.Response(201, json=pr)
        return httpx.Response(404, json={"message": "Not Found"})

    def _commit(self, branch: str, path: str, content: bytes, message: str) -> str:
        """Commit ``content`` at ``path`` on ``branch`` without a work tree (git's plumbing)."""
        with tempfile.TemporaryDirectory() as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self.git("read-tree", branch, env=env)
            blob = self.git("hash-object", "-w", "--stdin", stdin=content).decode().strip()
            self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=env)
            tree = self.git("write-tree", env=env).decode().strip()
        parent = self.git("rev-parse", branch).decode().strip()
        commit = self.git("commit-tree", tree, "-p", parent, "-m", message).decode().strip()
        self.git("update-ref", f"refs/heads/{branch}", commit, parent)
        return commit
