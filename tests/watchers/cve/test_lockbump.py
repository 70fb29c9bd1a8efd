"""Lock-file bumps on real files in their tools' formats (poetry 1.8's ``poetry.lock``, npm's
lockfile version 3, a Go module's ``go.mod`` and ``go.sum``), with the hashes the registries'
documented answers carry (``registries.py``), and the edits refused when the graph would change."""

from __future__ import annotations

import asyncio
import json
import shutil
import tomllib
from pathlib import Path

import pytest

from nightowl.watchers.cve import lockbump
from nightowl.watchers.cve.lockfiles import read
from nightowl.watchers.cve.models import Advisory, PackageKind, Severity, VulnFinding
from tests.watchers.cve.conftest import DATA
from tests.watchers.cve.registries import NPM, PYYAML_FILES, registries, sha

LOCKS = DATA / "locks"


@pytest.fixture
def locks(tmp_path: Path) -> Path:
    shutil.copytree(LOCKS, tmp_path / "repo", ignore=shutil.ignore_patterns("osv"))
    return tmp_path / "repo"


def vulnerable(lock: Path, name: str, fixed: str) -> VulnFinding:
    (pkg,) = [p for p in read(lock) if p.name == name]
    advisory = Advisory(id="GHSA-test", severity=Severity.HIGH, source="osv")
    return VulnFinding(
        package=pkg, advisory=advisory, fixed_version=fixed, fingerprint="fp", note="run it"
    )


def test_poetry_lock_gets_the_version_and_pypi_hashes(locks: Path) -> None:
    lock = locks / "poetry.lock"
    before = lock.read_text()
    reg, fake = registries()
    found = asyncio.run(lockbump.propose(vulnerable(lock, "pyyaml", "5.4"), reg))
    assert found.change is not None
    assert found.change.how == "lock pyyaml 5.3.1 → 5.4 (hashes from PyPI)"
    entry = next(p for p in tomllib.loads(found.change.content)["package"] if p["name"] == "pyyaml")
    assert entry["version"] == "5.4"
    assert entry["files"] == [{"file": f, "hash": f"sha256:{sha(f)}"} for f in sorted(PYYAML_FILES)]
    changed = [line for line in found.change.diff.splitlines() if line[:1] in "+-"]
    assert len(changed) == 2 + 2 + 2 + 2  # headers, the version ±, two files out, two in
    assert found.change.content.split("[[package]]")[2] == before.split("[[package]]")[2]
    assert fake.calls == ["https://pypi.test/pypi/pyyaml/5.4/json"]


def test_poetry_refuses_when_a_locked_constraint_excludes_the_fix(locks: Path) -> None:
    lock = locks / "poetry.lock"
    text = lock.read_text().replace('urllib3 = ">=1.21.1,<3"', 'pyyaml = "<5.4"')
    content, why = lockbump.poetry(text, "pyyaml", "5.4", [("a.whl", "sha256:0")], [])
    assert content is None
    assert why == "requests requires pyyaml <5.4"
    content, why = lockbump.poetry(text, "pyyaml", "5.4", [], ["ruamel.yaml>=0.17"])
    assert (content, why) == (None, "pyyaml 5.4 requires ruamel-yaml, not locked with it")


def test_package_lock_gets_resolved_and_integrity_every_other_byte_kept(locks: Path) -> None:
    lock = locks / "package-lock.json"
    before = lock.read_text()
    reg, _ = registries()
    found = asyncio.run(lockbump.propose(vulnerable(lock, "lodash", "4.17.21"), reg))
    assert found.change is not None
    after = json.loads(found.change.content)["packages"]["node_modules/lodash"]
    assert after == {"version": "4.17.21"} | {
        "resolved": NPM["dist"]["tarball"], "integrity": NPM["dist"]["integrity"]
    }  # fmt: skip
    changed = [line for line in found.change.diff.splitlines() if line[:1] in "+-"]
    assert len(changed) == 2 + 3 + 3
    assert found.change.content.replace("4.17.21", "4.17.20").count("\n") == before.count("\n")


def test_package_lock_refusals_name_the_reason(locks: Path) -> None:
    text = (locks / "package-lock.json").read_text()
    dist = lockbump.NpmDist(tarball="t", integrity="i")
    exact = text.replace('"lodash": "^4.17.20"', '"lodash": "4.17.20"')
    assert lockbump.npm(exact, "lodash", "4.17.20", "4.17.21", dist) == (
        None, "a range on lodash excludes 4.17.21: 4.17.20"
    )  # fmt: skip
    squeezed = json.dumps(json.loads(text))
    assert lockbump.npm(squeezed, "lodash", "4.17.20", "4.17.21", dist)[1] == (
        "package-lock.json is not in npm's own formatting"
    )
    grown = dist.model_copy(update={"dependencies": {"left-pad": "^1.3.0"}})
    assert lockbump.npm(text, "lodash", "4.17.20", "4.17.21", grown)[0] is None


def test_go_bumps_the_require_and_adds_the_checksum_lines(locks: Path) -> None:
    reg, fake = registries()
    found = asyncio.run(
        lockbump.propose(vulnerable(locks / "go.sum", "golang.org/x/net", "0.17.0"), reg)
    )
    assert found.change is not None
    assert found.change.path == str(locks / "go.mod")
    assert "require golang.org/x/net v0.17.0\n" in found.change.content
    gosum = found.change.also[str(locks / "go.sum")]
    lines = gosum.splitlines()
    at = lines.index(
        "golang.org/x/net v0.15.0/go.mod h1:idbUs1IY1+zTqbi8yxTbhexhEEk5ur9LInksu6HrEpk="
    )
    assert lines[at + 1].startswith("golang.org/x/net v0.17.0 h1:pVaX")
    assert lines[at + 2].startswith("golang.org/x/net v0.17.0/go.mod h1:")
    assert len(lines) == 12  # the old lines stay
    assert "+++ b/" + str(locks / "go.sum") in found.change.diff
    assert [c.split(".test")[0] for c in fake.calls] == ["https://sum", "https://proxy"]


def test_go_refuses_when_the_fix_needs_a_newer_dependency(locks: Path) -> None:
    gomod = (locks / "go.mod").read_text().replace("x/text v0.13.0", "x/text v0.12.0")
    gosum = (locks / "go.sum").read_text()
    from tests.watchers.cve.registries import GOMOD

    edited, why = lockbump.go(gomod, gosum, "golang.org/x/net", "v0.17.0", [], GOMOD)
    assert edited is None
    assert (
        why
        == "golang.org/x/net v0.17.0 requires golang.org/x/text v0.13.0: `go get` must re-select"
    )


def test_without_the_registry_or_when_it_fails_the_note_stays(locks: Path) -> None:
    lock = locks / "package-lock.json"
    reg, _ = registries()
    missing = vulnerable(lock, "lodash", "4.17.22")  # the registry answers 404
    found = asyncio.run(lockbump.propose(missing, reg))
    assert found.change is None
    assert found.note.startswith("run it (the registry could not be read: ")
    plain = vulnerable(locks / "poetry.lock", "pyyaml", "5.4")
    assert (
        asyncio.run(lockbump.propose(plain, type(reg)(reg.urls.model_copy(update={"pypi": None}))))
        == plain
    )
    assert plain.package.kind is PackageKind.LOCKFILE


def test_the_watcher_proposes_the_go_bump_as_one_pull_request_of_two_files(
    locks: Path, tmp_path: Path
) -> None:
    import subprocess
    from datetime import UTC, datetime

    import httpx

    from nightowl.actions.github import GitHubConfig, GitHubPullRequestDriver
    from nightowl.settings import Settings, WatcherConfig
    from nightowl.watchers.cve.watcher import CveWatcher
    from nightowl.watchers.protocol import WatchContext
    from tests.watchers.cve.gitrest import GitBackedGitHub

    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "deps"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       cwd=locks, check=True)  # fmt: skip
    options = {"osv": str(LOCKS / "osv"), "repo": str(locks), "lockfiles": ["go.sum"]}
    entry = WatcherConfig(name="cve", kind="cve", options=options | {"registries": {}})
    reg, _ = registries()
    watcher = CveWatcher("cve", CveWatcher.from_config(entry, Settings()).options, registries=reg)
    (finding,) = asyncio.run(
        watcher.check(WatchContext(now=datetime.now(UTC), settings=Settings()))
    )
    assert finding.evidence["cve"] == "CVE-2023-39325"
    assert finding.proposed is not None
    action = finding.proposed.action
    assert action is not None
    assert action.params["path"] == "go.mod"
    assert list(json.loads(str(action.params["files"]))) == ["go.sum"]

    github = GitBackedGitHub(locks)
    config = GitHubConfig(repo="acme/infra", token="t")
    driver = GitHubPullRequestDriver("gh", config, httpx.MockTransport(github))
    asyncio.run(driver.apply(action, dry_run=False))
    branch = github.pulls[0]["head"]["ref"]
    stat = github.git("diff", "--stat", "main", branch).decode()
    assert "go.mod | 2 +-" in stat
    assert "go.sum | 2 ++" in stat
