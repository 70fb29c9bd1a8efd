"""Lock-file bumps that stay verifiable: ``poetry.lock``, ``package-lock.json`` and Go's
``go.mod`` + ``go.sum`` edited to the fixed version with the hashes the registry publishes.

A lock file records a resolved graph with the hash of every file, so a pin is only edited when
the edit leaves a lock its tool accepts as it is — otherwise the finding keeps the command that
re-resolves it (``bump._REGENERATE``), with the reason:

- ``poetry.lock``: the package's ``version`` and its ``files`` (names and ``sha256`` from PyPI).
  Refused when the new version requires a package its entry does not list (the graph would
  change), when another locked package's constraint on it excludes the new version, or when it
  comes from another source than PyPI.
- ``package-lock.json`` (lockfile versions 1–3): ``version``, ``resolved`` and ``integrity`` of
  every entry of the package at the old version (npm's registry ``dist``). Refused when the new
  version's ``dependencies`` differ from the entry's, when a range on it (the project's own or a
  locked package's) excludes the new version, or when the file is not in npm's own formatting
  (two-space JSON: rewriting it would touch every line).
- Go: the ``require`` in ``go.mod`` (the pin; ``go.sum`` only holds hashes) and the version's two
  ``go.sum`` lines from the checksum database, inserted in order (the old lines stay: other
  modules' graphs may still name them). Refused when the new version requires a module at a
  higher version than ``go.mod`` selects (``go get`` must re-select).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from univers.version_range import InvalidVersionRange, NpmVersionRange, PypiVersionRange
from univers.versions import GolangVersion, InvalidVersion, PypiVersion, SemverVersion

from nightowl.connectors.package_registry import NpmDist, PackageRegistries
from nightowl.errors import NightowlError
from nightowl.watchers.cve.bump import diff
from nightowl.watchers.cve.models import ProposedChange, VulnFinding

_LOCKS = ("poetry.lock", "package-lock.json", "go.sum")
Edit = tuple[str | None, str]
"""The new text (None: refused) and a sentence: what changed, or why it was not edited."""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _in_pypi_range(spec: str, version: str) -> bool:
    if spec.strip() in ("", "*"):
        return True
    try:
        return PypiVersion(version) in PypiVersionRange.from_native(spec)  # type: ignore[no-untyped-call]
    except (InvalidVersionRange, InvalidVersion, ValueError):
        return False  # a constraint we cannot read is not proven to allow it


def _requires(requires_dist: list[str]) -> set[str]:
    """The names a version requires outside its extras."""
    out = set()
    for entry in requires_dist:
        if "extra ==" in entry.replace("extra==", "extra =="):
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", entry)
        if match:
            out.add(_norm(match.group(1)))
    return out


def poetry(
    text: str, name: str, new: str, files: list[tuple[str, str]], requires_dist: list[str]
) -> Edit:
    """``poetry.lock`` with ``name`` at ``new`` and its files' hashes."""
    doc = tomllib.loads(text)
    packages = [p for p in doc.get("package", []) if isinstance(p, dict)]
    mine = [p for p in packages if _norm(str(p.get("name", ""))) == _norm(name)]
    if len(mine) != 1:
        return None, f"{name} is locked {len(mine)} times in poetry.lock"
    entry = mine[0]
    if entry.get("source"):
        return None, f"{name} comes from another source than PyPI"
    listed = {_norm(d) for d in entry.get("dependencies") or {}}
    if missing := sorted(_requires(requires_dist) - listed):
        return None, f"{name} {new} requires {', '.join(missing)}, not locked with it"
    for other in packages:
        for dep, spec in (other.get("dependencies") or {}).items():
            spec = spec.get("version", "*") if isinstance(spec, dict) else spec
            if _norm(dep) == _norm(name) and not _in_pypi_range(str(spec), new):
                return None, f"{other.get('name')} requires {name} {spec}"
    return _poetry_text(text, name, str(entry["version"]), new, files)


def _poetry_text(text: str, name: str, old: str, new: str, files: list[tuple[str, str]]) -> Edit:
    lines = text.splitlines(keepends=True)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    start = next(
        (i for i, line in enumerate(lines)
         if re.match(r'name = "(.*)"', line) and _norm(line.split('"')[1]) == _norm(name)),
        None,
    )  # fmt: skip
    if start is None:
        return None, f"no name line of {name} in poetry.lock"
    out, i, done = lines[:start], start, set()
    while i < len(lines) and not (lines[i].startswith("[") and i > start):
        line = lines[i]
        if line.startswith("version = ") and "version" not in done:
            out.append(f'version = "{new}"{eol}')
            done.add("version")
        elif line.startswith("files = ["):
            while not lines[i].rstrip().endswith("]"):
                i += 1
            rows = [f'    {{file = "{f}", hash = "{h}"}},{eol}' for f, h in files]
            out += [f"files = [{eol}", *rows, f"]{eol}"]
            done.add("files")
        else:
            out.append(line)
        i += 1
    if done != {"version", "files"}:
        return None, f"the entry of {name} has no version or files line"
    return "".join(out + lines[i:]), f"lock {name} {old} → {new} (hashes from PyPI)"


def _npm_ranges(data: dict[str, Any], name: str) -> list[str]:
    """Every range on ``name`` in the lock: the project's and every locked package's."""
    kinds = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
    out = []
    for entry in (data.get("packages") or {}).values():
        for kind in kinds:
            spec = (entry.get(kind) or {}).get(name) if isinstance(entry, dict) else None
            if isinstance(spec, str):
                out.append(spec)
    return out


def _in_npm_range(spec: str, version: str) -> bool:
    try:
        return SemverVersion(version) in NpmVersionRange.from_native(spec)  # type: ignore[no-untyped-call]
    except (InvalidVersionRange, InvalidVersion, ValueError):
        return False


def npm(text: str, name: str, old: str, new: str, dist: NpmDist) -> Edit:
    """``package-lock.json`` with every entry of ``name`` at ``old`` moved to ``new``."""
    data = json.loads(text)
    if json.dumps(data, indent=2, ensure_ascii=False) + "\n" != text:
        return None, "package-lock.json is not in npm's own formatting"
    if bad := [s for s in _npm_ranges(data, name) if not _in_npm_range(s, new)]:
        return None, f"a range on {name} excludes {new}: {bad[0]}"
    entries = [  # (entry, the ranges it declares): v2/v3 "packages" list them as dependencies
        (e, e.get("dependencies") or {}) for key, e in (data.get("packages") or {}).items()
        if key and isinstance(e, dict) and (e.get("name") or key.rsplit("node_modules/", 1)[-1]) == name
    ]  # fmt: skip
    stack = list((data.get("dependencies") or {}).items())  # lockfile v1 (and v2's copy): requires
    while stack:
        key, e = stack.pop()
        if isinstance(e, dict):
            entries += [(e, e.get("requires") or {})] if key == name else []
            stack.extend((e.get("dependencies") or {}).items())
    entries = [(e, declared) for e, declared in entries if e.get("version") == old]
    for e, declared in entries:
        if declared != dist.dependencies:
            return None, f"{name} {new} depends on other packages than {old}"
        e.update(version=new, resolved=dist.tarball, integrity=dist.integrity)
    if not entries:
        return None, f"{name} {old} is not in package-lock.json"
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n", (
        f"lock {name} {old} → {new} (integrity from the npm registry)"
    )


def _go_requires(mod_text: str) -> dict[str, str]:
    """``require`` lines of a go.mod, single and in blocks."""
    out, block = {}, False
    for raw in mod_text.splitlines():
        line = raw.split("//")[0].strip()
        if line.startswith("require ("):
            block = True
            continue
        if block and line == ")":
            block = False
            continue
        parts = (
            line.removeprefix("require ").split() if (block or line.startswith("require ")) else []
        )
        if len(parts) == 2:
            out[parts[0]] = parts[1]
    return out


def _newer(a: str, b: str) -> bool:
    try:
        return GolangVersion(a) > GolangVersion(b)
    except (InvalidVersion, ValueError):
        return True  # not comparable: not proven safe


def go(
    gomod: str, gosum: str, module: str, new: str, sum_lines: list[str], new_mod: str
) -> tuple[tuple[str, str] | None, str]:
    """(go.mod, go.sum) with ``module`` required at ``new``."""
    selected = _go_requires(gomod)
    if module not in selected:
        return None, f"go.mod does not require {module}"
    for dep, version in _go_requires(new_mod).items():
        if dep not in selected or _newer(version, selected[dep]):
            return None, f"{module} {new} requires {dep} {version}: `go get` must re-select"
    old = selected[module]
    pattern = re.compile(
        rf"^(\s*(?:require\s+)?{re.escape(module)}\s+){re.escape(old)}(?=\s|$)", re.M
    )
    mod_out, count = pattern.subn(lambda m: m.group(1) + new, gomod)
    if count != 1:
        return None, f"{module} is required {count} times in go.mod"
    lines = gosum.splitlines(keepends=True)
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    last = max((i for i, line in enumerate(lines) if line.startswith(module + " ")), default=-1)
    have = {line.strip() for line in lines}
    added = [line + eol for line in sum_lines if line.startswith(module + " ") and line not in have]
    if last < 0 or (not added and f"{module} {new} " not in gosum):
        return None, f"no go.sum line of {module} {new} to add"
    sum_out = "".join(lines[: last + 1] + added + lines[last + 1 :])
    return (mod_out, sum_out), f"require {module} {old} → {new} (go.sum from sum.golang.org)"


async def propose(found: VulnFinding, registries: PackageRegistries) -> VulnFinding:
    """The lock-file finding with its edit, when the registries let it be made verifiably;
    else unchanged but for the reason, added to the note (a registry that fails is a reason)."""
    pkg, target, path = found.package, found.fixed_version, Path(found.package.location.path or "")
    if (
        found.change
        or target is None
        or path.name not in _LOCKS
        or not registries.knows(pkg.ecosystem)
    ):
        return found
    try:
        edited, how, files = await _edit(path, pkg.name, pkg.version, target, registries)
    except (NightowlError, OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        edited, how, files = None, f"the registry could not be read: {exc}", {}
    if edited is None:
        note = f"{found.note} ({how})" if found.note else how
        return found.model_copy(update={"note": note})
    primary, *rest = files
    change = ProposedChange(
        path=primary, how=how, content=files[primary],
        diff="".join(diff(p, Path(p).read_text(encoding="utf-8"), c) for p, c in files.items()),
        also={p: files[p] for p in rest},
    )  # fmt: skip
    return found.model_copy(update={"change": change})


async def _edit(
    path: Path, name: str, old: str, new: str, registries: PackageRegistries
) -> tuple[str | None, str, dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    if path.name == "poetry.lock":
        files, requires = await registries.pypi(name, new)
        content, how = poetry(text, name, new, files, requires)
        return content, how, {str(path): content} if content else {}
    if path.name == "package-lock.json":
        content, how = npm(text, name, old, new, await registries.npm(name, new))
        return content, how, {str(path): content} if content else {}
    new = new if new.startswith("v") else "v" + new  # OSV writes Go versions without the v
    gomod_path = path.with_name("go.mod")
    gomod = gomod_path.read_bytes().decode("utf-8")
    sums, mod = await registries.go_sum(name, new), await registries.go_mod(name, new)
    both, how = go(gomod, text, name, new, sums, mod)
    if both is None:
        return None, how, {}
    return both[0], how, {str(gomod_path): both[0], str(path): both[1]}
