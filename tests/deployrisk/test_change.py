"""Change kinds by path, and the diff of a real local git repository (``git diff --numstat``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nightowl.deployrisk.change import from_git, kind_of, parse_numstat
from nightowl.deployrisk.model import ChangeKind
from nightowl.errors import InputError


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("nightowl/store/migrations/versions/0010_x.py", ChangeKind.MIGRATION),
        ("db/migrate/20261120_add_orders.rb", ChangeKind.MIGRATION),
        ("schema/orders.sql", ChangeKind.MIGRATION),
        ("requirements-dev.txt", ChangeKind.DEPENDENCY),
        ("web/package-lock.json", ChangeKind.DEPENDENCY),
        ("go.sum", ChangeKind.DEPENDENCY),
        ("tests/test_cart.py", ChangeKind.TEST),
        ("pkg/cart_test.go", ChangeKind.TEST),
        ("README.md", ChangeKind.DOCS),
        ("docs/index.html", ChangeKind.DOCS),
        ("config/pool.yaml", ChangeKind.CONFIG),
        ("deploy/values.yaml", ChangeKind.CONFIG),
        ("Dockerfile", ChangeKind.CONFIG),
        ("infra/main.tf", ChangeKind.CONFIG),
        ("src/checkout/payment_client.py", ChangeKind.CODE),
    ],
)
def test_kinds_by_path(path: str, kind: ChangeKind) -> None:
    assert kind_of(path) is kind


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.org")
    git(tmp_path, "config", "user.name", "ci")
    (tmp_path / "README.md").write_text("# shop\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_the_diff_of_the_last_commit_is_read_from_git(repo: Path) -> None:
    (repo / "README.md").write_text("# shop\n\nHow to run it.\n")
    (repo / "migrations").mkdir()
    (repo / "migrations" / "0002.sql").write_text("ALTER TABLE orders ADD x int;\n")
    (repo / "logo.png").write_bytes(b"\x89PNG\0\0binary")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "second")
    change = from_git(repo)
    by_path = {f.path: f for f in change.files}
    assert change.source == "git"
    assert change.head == "HEAD"
    assert change.base == "HEAD^"
    assert (by_path["README.md"].added, by_path["README.md"].kind) == (2, ChangeKind.DOCS)
    assert by_path["migrations/0002.sql"].kind is ChangeKind.MIGRATION
    assert (by_path["logo.png"].added, by_path["logo.png"].deleted) == (0, 0)  # binary


def test_a_range_is_read_between_two_refs(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD")
    for n in range(2):
        (repo / f"f{n}.py").write_text("x = 1\n")
        git(repo, "add", ".")
        git(repo, "commit", "-q", "-m", f"c{n}")
    change = from_git(repo, commit="HEAD", diff_from=first)
    assert sorted(f.path for f in change.files) == ["f0.py", "f1.py"]


def test_bad_repositories_and_refs_are_clear_input_errors(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="git could not diff"):
        from_git(repo, commit="no-such-ref")
    with pytest.raises(InputError, match="starts with '-'"):
        from_git(repo, diff_from="--output=/tmp/x")
    with pytest.raises(InputError, match="give --repo a git checkout"):
        from_git(tmp_path / "missing")


def test_numstat_records_are_parsed() -> None:
    files = parse_numstat(b"3\t1\tsrc/a.py\0-\t-\timg.png\0")
    assert [(f.path, f.added, f.deleted) for f in files] == [("src/a.py", 3, 1), ("img.png", 0, 0)]
