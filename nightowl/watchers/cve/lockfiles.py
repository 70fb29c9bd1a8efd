"""Package lock files as packages: ``requirements*.txt`` (exact ``==`` pins), ``poetry.lock``,
``package-lock.json`` (lockfile versions 1, 2 and 3) and ``go.sum``.

Only exact versions are read: a requirement with a range (``>=``) is not a version that runs.
``go.sum`` lists every version in the module graph, not only the selected one; the highest
version of each module is taken as the one built (what minimal version selection picks when
the graph is consistent).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from univers.versions import GolangVersion, InvalidVersion

from nightowl.errors import InputError
from nightowl.watchers.cve.models import Location, Package, PackageKind

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*===?\s*([^\s;#\\]+)")
LOCKFILE_NAMES = ("requirements", "poetry.lock", "package-lock.json", "go.sum")


def is_lockfile(path: Path) -> bool:
    """Whether the file is one of the lock files read here, by its name."""
    name = path.name
    return (name.startswith("requirements") and name.endswith(".txt")) or name in (
        "poetry.lock",
        "package-lock.json",
        "go.sum",
    )


def read(path: Path) -> list[Package]:
    """The packages pinned in one lock file; InputError naming the file when it is none of the
    known kinds or does not parse.
    """
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if path.name == "poetry.lock":
            return _poetry(path, text)
        if path.name == "package-lock.json":
            return _npm(path, text)
        if path.name == "go.sum":
            return _gosum(path, text)
        if path.suffix == ".txt":
            return _requirements(path, text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the lock file {path}: {exc}") from None
    raise InputError(
        f"{path} is not a lock file nightowl reads: give requirements*.txt, poetry.lock, "
        "package-lock.json or go.sum"
    )


def _package(path: Path, ecosystem: str, name: str, version: str, line: int | None) -> Package:
    return Package(
        kind=PackageKind.LOCKFILE,
        ecosystem=ecosystem,
        name=name,
        version=version,
        location=Location(path=str(path), line=line),
    )


def _requirements(path: Path, text: str) -> list[Package]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _PIN.match(line)
        if match and not line.lstrip().startswith(("-", "#")):
            out.append(_package(path, "PyPI", match.group(1), match.group(3), number))
    return out


def _poetry(path: Path, text: str) -> list[Package]:
    data = tomllib.loads(text)
    return [
        _package(path, "PyPI", str(p["name"]), str(p["version"]), None)
        for p in data.get("package", [])
        if isinstance(p, dict) and p.get("name") and p.get("version")
    ]


def _npm(path: Path, text: str) -> list[Package]:
    data = json.loads(text)
    out = []
    for key, entry in (data.get("packages") or {}).items():
        if not key or not isinstance(entry, dict) or not entry.get("version"):
            continue  # "" is the project itself
        name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
        out.append(_package(path, "npm", str(name), str(entry["version"]), None))
    if not out:  # lockfileVersion 1
        stack = list((data.get("dependencies") or {}).items())
        while stack:
            name, entry = stack.pop()
            if isinstance(entry, dict) and entry.get("version"):
                out.append(_package(path, "npm", name, str(entry["version"]), None))
                stack.extend((entry.get("dependencies") or {}).items())
    return sorted(set(out), key=lambda p: (p.name, p.version))


def _gosum(path: Path, text: str) -> list[Package]:
    best: dict[str, tuple[GolangVersion, str, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if len(parts) != 3 or parts[1].endswith("/go.mod"):
            continue
        module, raw = parts[0], parts[1]
        try:
            version = GolangVersion(raw)
        except (InvalidVersion, ValueError):
            continue
        if module not in best or version > best[module][0]:
            best[module] = (version, raw, number)
    return [_package(path, "Go", m, raw, n) for m, (_v, raw, n) in sorted(best.items())]
