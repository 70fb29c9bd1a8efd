"""What a change is: each file's kind by its path, and the diff of a local git repository.

The kinds are decided by path alone (so they are the same wherever the diff came from: ``git``,
GitHub's compare, or a request), first match wins: schema migration, dependency manifest or lock
file, test, docs, config, and everything else is code. The diff is read with the ``git`` command
(``git diff --numstat``), which must be on the PATH.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath

from nightowl.deployrisk.model import MAX_FILES, Change, ChangeKind, FileChange
from nightowl.errors import InputError

GIT_TIMEOUT_SECONDS = 60
MIGRATION = re.compile(
    r"(^|/)(migrations?|migrate|alembic|flyway|liquibase|changelogs?)/|\.sql$", re.IGNORECASE
)
DEPENDENCY_FILES = frozenset(
    {
        "requirements.txt", "requirements.in", "constraints.txt", "pyproject.toml", "poetry.lock",
        "uv.lock", "pipfile", "pipfile.lock", "setup.py", "setup.cfg", "package.json",
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.mod", "go.sum", "cargo.toml",
        "cargo.lock", "gemfile", "gemfile.lock", "pom.xml", "build.gradle", "build.gradle.kts",
        "composer.json", "composer.lock", "mix.lock",
    }
)  # fmt: skip
TEST = re.compile(
    r"(^|/)(tests?|spec|__tests__)/|(^|/)test_[^/]*\.py$|_test\.(py|go)$|\.(spec|test)\.[jt]sx?$"
)
DOCS = re.compile(
    r"(^|/)docs?/|\.(md|rst|adoc|txt)$|(^|/)(license|changelog|authors|notice)[^/]*$",
    re.IGNORECASE,
)
CONFIG = re.compile(
    r"\.(ya?ml|json|toml|ini|cfg|conf|properties|env|tf|tfvars|hcl|xml)$|(^|/)(dockerfile|"
    r"\.env[^/]*|[^/]*\.conf\.d/.*)$|(^|/)(config|charts?|helm|k8s|deploy|manifests)/",
    re.IGNORECASE,
)


def kind_of(path: str) -> ChangeKind:
    """The kind of the file at ``path`` (a repository-relative path with ``/``)."""
    name = PurePosixPath(path).name.lower()
    if MIGRATION.search(path):
        return ChangeKind.MIGRATION
    if name in DEPENDENCY_FILES or re.fullmatch(r"requirements[^/]*\.(txt|in)", name):
        return ChangeKind.DEPENDENCY
    if TEST.search(path):
        return ChangeKind.TEST
    if DOCS.search(path):
        return ChangeKind.DOCS
    if CONFIG.search(path):
        return ChangeKind.CONFIG
    return ChangeKind.CODE


def classified(files: tuple[FileChange, ...]) -> tuple[FileChange, ...]:
    """``files`` with every missing kind filled in from the path."""
    return tuple(f if f.kind else f.model_copy(update={"kind": kind_of(f.path)}) for f in files)


def from_git(repo: Path, commit: str | None = None, diff_from: str | None = None) -> Change:
    """The diff from ``diff_from`` (default: the first parent of ``commit``) to ``commit``
    (default: HEAD) in the git repository at ``repo``. InputError (saying what to fix) when git
    is missing, ``repo`` is not a repository, a ref is unknown or the diff is too large."""
    git = shutil.which("git")
    if git is None:
        raise InputError("--repo needs the git command on the PATH: install git")
    head = commit or "HEAD"
    base = diff_from or f"{head}^"
    for ref in (head, base):
        if ref.startswith("-"):
            raise InputError(f"{ref!r} is not a git ref (it starts with '-')")
    command = [git, "-C", str(repo), "diff", "--numstat", "-z", "--no-renames", base, head, "--"]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"git diff in {repo} took over {GIT_TIMEOUT_SECONDS} s") from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise InputError(
            f"git could not diff {base}..{head} in {repo}: {said[0] if said else 'no message'} "
            "— give --repo a git checkout, and --commit/--diff-from refs it has (fetch them)"
        )
    files = parse_numstat(done.stdout)
    return Change(files=files, source="git", base=base, head=head)


def parse_numstat(raw: bytes) -> tuple[FileChange, ...]:
    """Files from ``git diff --numstat -z --no-renames`` output (``-`` counts: a binary file)."""
    out = []
    for record in raw.decode(errors="replace").split("\0"):
        if not record:
            continue
        added, deleted, path = record.split("\t", 2)
        out.append(
            FileChange(
                path=path,
                added=int(added) if added.isdigit() else 0,
                deleted=int(deleted) if deleted.isdigit() else 0,
                kind=kind_of(path),
            )
        )
        if len(out) > MAX_FILES:
            raise InputError(
                f"the diff changes more than {MAX_FILES} files: assess a smaller range"
            )
    return tuple(out)
