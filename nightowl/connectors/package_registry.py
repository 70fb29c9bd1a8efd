"""What a package registry says about one released version, for a lock-file bump that stays
verifiable: the file hashes a lock pins, and the dependencies the version declares.

- PyPI's JSON API (https://docs.pypi.org/api/json/): ``GET /pypi/<name>/<version>/json`` —
  ``urls[]`` with ``filename`` and ``digests.sha256`` (what ``poetry.lock``'s ``files`` pins),
  ``info.requires_dist``.
- The npm registry (https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md):
  ``GET /<name>/<version>`` — ``dist.tarball``, ``dist.integrity``, ``dependencies``.
- Go's checksum database (https://go.dev/ref/mod#checksum-database): ``GET /lookup/<module>@<version>``
  — a record id, then the two ``go.sum`` lines; and the module proxy
  (https://go.dev/ref/mod#goproxy-protocol): ``GET /<module>/@v/<version>.mod``, the version's
  ``go.mod``. Module paths are case-encoded (``!`` before a lower-cased capital) as both specify.

No registry can run here: the tests answer with these documented bodies (httpx.MockTransport).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from nightowl.connectors.http import HttpBackend, HttpConfig
from nightowl.errors import ConnectorError

_GO_SUM_LINE = re.compile(r"^\S+ v\S+ h1:[A-Za-z0-9+/=]+$")
_NEEDS = {"PyPI": ("pypi",), "npm": ("npm",), "Go": ("go_sum", "go_proxy")}


class RegistryUrls(BaseModel):
    """Where each registry is (a mirror or proxy a team runs, or the public one); a registry
    left out is not asked, and its lock files keep the command for a human."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pypi: str | None = Field(default=None, examples=["https://pypi.org"])
    npm: str | None = Field(default=None, examples=["https://registry.npmjs.org"])
    go_sum: str | None = Field(default=None, examples=["https://sum.golang.org"])
    go_proxy: str | None = Field(default=None, examples=["https://proxy.golang.org"])
    timeout_seconds: float = Field(default=10.0, gt=0)


class NpmDist(BaseModel):
    """One npm version: where its tarball is, its integrity, what it depends on."""

    tarball: str
    integrity: str
    dependencies: dict[str, str] = {}


def go_escape(module: str) -> str:
    """A module path case-encoded for the proxy and the checksum database."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), module)


class PackageRegistries:
    """Reads released versions' metadata. Stateless between calls; safe to share."""

    def __init__(self, urls: RegistryUrls, transport: httpx.AsyncBaseTransport | None = None):
        self.urls, self.transport = urls, transport

    def _backend(self, which: str) -> HttpBackend | None:
        url = getattr(self.urls, which)
        if url is None:
            return None
        config = HttpConfig(url=url, timeout_seconds=self.urls.timeout_seconds)
        return HttpBackend(f"registry:{which}", config, transport=self.transport)

    def knows(self, ecosystem: str) -> bool:
        """Whether the registries the lock files of ``ecosystem`` need are configured."""
        need = _NEEDS.get(ecosystem, ())
        return bool(need) and all(getattr(self.urls, which) for which in need)

    async def pypi(self, name: str, version: str) -> tuple[list[tuple[str, str]], list[str]]:
        """The version's files as (filename, ``sha256:<hex>``) and its ``requires_dist``."""
        backend = self._need("pypi")
        doc = await backend.get_json(f"/pypi/{quote(name)}/{quote(version)}/json")
        files = [
            (str(u["filename"]), "sha256:" + str(u["digests"]["sha256"]))
            for u in doc.get("urls") or []
            if isinstance(u, dict)
            and (u.get("digests") or {}).get("sha256")
            and not u.get("yanked")
        ]
        if not files:
            raise backend.error(f"PyPI lists no files for {name} {version}", retryable=False)
        return sorted(files), list((doc.get("info") or {}).get("requires_dist") or [])

    async def npm(self, name: str, version: str) -> NpmDist:
        """The version's tarball, integrity and dependencies."""
        backend = self._need("npm")
        doc = await backend.get_json(f"/{quote(name, safe='@')}/{quote(version)}")
        dist = doc.get("dist") or {}
        if not dist.get("tarball") or not dist.get("integrity"):
            raise backend.error(
                f"npm has no tarball or integrity for {name}@{version}", retryable=False
            )
        return NpmDist(
            tarball=dist["tarball"],
            integrity=dist["integrity"],
            dependencies=doc.get("dependencies") or {},
        )

    async def go_sum(self, module: str, version: str) -> list[str]:
        """The ``go.sum`` lines of the version (the module's and its ``go.mod``'s)."""
        backend = self._need("go_sum")
        answer = await backend.request("GET", f"/lookup/{go_escape(module)}@{version}")
        lines = [line for line in answer.text.splitlines() if _GO_SUM_LINE.match(line)]
        if not any(line.startswith(f"{module} {version} ") for line in lines):
            raise backend.error(
                f"the checksum database has no hash of {module} {version}", retryable=False
            )
        return lines

    async def go_mod(self, module: str, version: str) -> str:
        """The version's own ``go.mod``."""
        backend = self._need("go_proxy")
        return (await backend.request("GET", f"/{go_escape(module)}/@v/{version}.mod")).text

    def _need(self, which: str) -> HttpBackend:
        backend = self._backend(which)
        if backend is None:
            raise ConnectorError(f"no {which} registry is configured", connector="registry")
        return backend
