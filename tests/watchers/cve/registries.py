"""The package registries' documented answers for the lock-file bump tests (no registry can run
here): PyPI's JSON API (https://docs.pypi.org/api/json/), the npm registry's version document
(https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md), Go's checksum database lookup
and module proxy (https://go.dev/ref/mod#checksum-database, #goproxy-protocol). Bodies are shaped
on the real answers for these versions; file hashes of PyYAML are made up (64 hex digits)."""

from __future__ import annotations

import hashlib

import httpx

from nightowl.connectors.package_registry import PackageRegistries, RegistryUrls

PYYAML_FILES = ["PyYAML-5.4-cp38-cp38-manylinux1_x86_64.whl", "PyYAML-5.4.tar.gz"]


def sha(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


PYPI = {
    "info": {"name": "PyYAML", "version": "5.4", "requires_dist": None},
    "urls": [
        {"filename": f, "packagetype": "sdist" if f.endswith(".gz") else "bdist_wheel",
         "digests": {"md5": "0" * 32, "sha256": sha(f)}, "yanked": False,
         "url": f"https://files.pythonhosted.org/packages/{f}"}
        for f in PYYAML_FILES
    ],
    "vulnerabilities": [],
}  # fmt: skip
NPM = {
    "name": "lodash",
    "version": "4.17.21",
    "main": "lodash.js",
    "dist": {
        "shasum": "679591c564c3bffaae8454cf0b3df370c3d6911c",
        "tarball": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",
        "integrity": "sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==",
    },
}
SUMDB = """20453213
golang.org/x/net v0.17.0 h1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=
golang.org/x/net v0.17.0/go.mod h1:NxSsAGuq816PNPmqtQdLE42eU2Fs7NoRIZrHJAlaCOE=

go.sum database tree
20453300
Fz0bhbGB4mKMdK5SJsqVJSE+vjXJB3ORcTkAEjYbKBA=

— sum.golang.org Az3grqSbdbkXXcUE4hyUfuDEQM7MiNt5Gj/kqjnQvE1fJwUwHO1W9LUOjzPvQFJAY62YtYkypf6PyJjCGvDJ3eLSMQk=
"""
GOMOD = """module golang.org/x/net

go 1.17

require (
\tgolang.org/x/crypto v0.14.0
\tgolang.org/x/sys v0.13.0
\tgolang.org/x/term v0.13.0
\tgolang.org/x/text v0.13.0
)
"""
URLS = RegistryUrls(
    pypi="https://pypi.test", npm="https://npm.test",
    go_sum="https://sum.test", go_proxy="https://proxy.test",
)  # fmt: skip


class FakeRegistries:
    """An httpx.MockTransport handler answering the four registries; ``calls`` lists the URLs."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.calls.append(url)
        answers: dict[str, httpx.Response] = {
            "https://pypi.test/pypi/pyyaml/5.4/json": httpx.Response(200, json=PYPI),
            "https://npm.test/lodash/4.17.21": httpx.Response(200, json=NPM),
            "https://sum.test/lookup/golang.org/x/net@v0.17.0": httpx.Response(200, text=SUMDB),
            "https://proxy.test/golang.org/x/net/@v/v0.17.0.mod": httpx.Response(200, text=GOMOD),
        }
        return answers.get(url, httpx.Response(404, text="not found"))


def registries() -> tuple[PackageRegistries, FakeRegistries]:
    fake = FakeRegistries()
    return PackageRegistries(URLS, transport=httpx.MockTransport(fake)), fake
