"""Lock files as packages, in each tool's own format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nightowl.errors import InputError
from nightowl.watchers.cve import lockfiles


def names(path: Path) -> list[tuple[str, str, str, int | None]]:
    return [(p.ecosystem, p.name, p.version, p.location.line) for p in lockfiles.read(path)]


def test_requirements_exact_pins_only(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text(
        "# app\nrequests==2.28.0\nuvicorn[standard]==0.30.1 ; python_version >= '3.11'\n"
        "httpx>=0.27\n-r other.txt\nPyYAML===5.3.1  # pinned\n"
    )
    assert names(req) == [
        ("PyPI", "requests", "2.28.0", 2),
        ("PyPI", "uvicorn", "0.30.1", 3),
        ("PyPI", "PyYAML", "5.3.1", 6),
    ]


def test_poetry_lock_packages(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    lock.write_text(
        '[[package]]\nname = "jinja2"\nversion = "3.1.2"\ndescription = ""\noptional = false\n'
        'python-versions = ">=3.7"\nfiles = []\n\n[[package]]\nname = "markupsafe"\n'
        'version = "2.1.3"\nfiles = []\n\n[metadata]\nlock-version = "2.0"\n'
    )
    assert [(n, v) for _, n, v, _ in names(lock)] == [("jinja2", "3.1.2"), ("markupsafe", "2.1.3")]


def test_package_lock_v3_and_v1(tmp_path: Path) -> None:
    v3 = tmp_path / "v3" / "package-lock.json"
    v3.parent.mkdir()
    v3.write_text(json.dumps({
        "name": "shop", "lockfileVersion": 3,
        "packages": {
            "": {"name": "shop", "version": "1.0.0"},
            "node_modules/lodash": {"version": "4.17.20"},
            "node_modules/@babel/core": {"version": "7.22.0"},
        },
    }))  # fmt: skip
    assert [(n, v) for _, n, v, _ in names(v3)] == [
        ("@babel/core", "7.22.0"),
        ("lodash", "4.17.20"),
    ]
    v1 = tmp_path / "v1" / "package-lock.json"
    v1.parent.mkdir()
    v1.write_text(json.dumps({
        "lockfileVersion": 1,
        "dependencies": {"express": {"version": "4.17.1", "dependencies": {"qs": {"version": "6.7.0"}}}},
    }))  # fmt: skip
    assert [(n, v) for _, n, v, _ in names(v1)] == [("express", "4.17.1"), ("qs", "6.7.0")]


def test_go_sum_takes_the_highest_built_version(tmp_path: Path) -> None:
    gosum = tmp_path / "go.sum"
    gosum.write_text(
        "golang.org/x/net v0.7.0 h1:abc=\ngolang.org/x/net v0.7.0/go.mod h1:def=\n"
        "golang.org/x/net v0.17.0 h1:ghi=\ngolang.org/x/net v0.23.0/go.mod h1:jkl=\n"
    )
    assert names(gosum) == [("Go", "golang.org/x/net", "v0.17.0", 3)]


def test_an_unknown_or_broken_file_is_a_clear_input_error(tmp_path: Path) -> None:
    other = tmp_path / "Pipfile"
    other.write_text("")
    with pytest.raises(InputError, match="requirements"):
        lockfiles.read(other)
    broken = tmp_path / "package-lock.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match="cannot read the lock file"):
        lockfiles.read(broken)
