"""The registries' documented answers read into what a lock-file bump needs (bodies in
``tests/watchers/cve/registries.py``; no registry can run here)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from nightowl.connectors.package_registry import PackageRegistries, RegistryUrls, go_escape
from nightowl.errors import ConnectorError
from tests.watchers.cve.registries import NPM, PYPI, URLS, registries, sha


def test_each_registry_answer_is_read() -> None:
    reg, _ = registries()
    files, requires = asyncio.run(reg.pypi("pyyaml", "5.4"))
    assert files == sorted((u["filename"], "sha256:" + sha(u["filename"])) for u in PYPI["urls"])
    assert requires == []
    assert asyncio.run(reg.npm("lodash", "4.17.21")).integrity == NPM["dist"]["integrity"]
    sums = asyncio.run(reg.go_sum("golang.org/x/net", "v0.17.0"))
    assert [line.split()[1] for line in sums] == ["v0.17.0", "v0.17.0/go.mod"]
    assert "golang.org/x/text v0.13.0" in asyncio.run(reg.go_mod("golang.org/x/net", "v0.17.0"))


def test_module_paths_are_case_encoded_and_unknown_versions_fail_clearly() -> None:
    assert go_escape("github.com/Azure/azure-sdk") == "github.com/!azure/azure-sdk"
    reg, _ = registries()
    with pytest.raises(ConnectorError, match="404"):
        asyncio.run(reg.npm("lodash", "9.9.9"))
    empty = httpx.MockTransport(lambda r: httpx.Response(200, json={"urls": []}))
    with pytest.raises(ConnectorError, match="lists no files"):
        asyncio.run(PackageRegistries(URLS, transport=empty).pypi("pyyaml", "5.4"))


def test_only_configured_registries_are_asked() -> None:
    only_npm = PackageRegistries(RegistryUrls(npm="https://npm.test"))
    assert (only_npm.knows("npm"), only_npm.knows("PyPI"), only_npm.knows("Go")) == (
        True,
        False,
        False,
    )
    with pytest.raises(ConnectorError, match="no pypi registry"):
        asyncio.run(only_npm.pypi("pyyaml", "5.4"))
