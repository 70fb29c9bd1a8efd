"""The change that fixes a finding, as an edit of the file that declares the version: an image
tag in a manifest, ``kubernetes_version`` in Terraform, an exact pin in ``requirements*.txt``.

Only the matched line changes; every other byte of the file stays. A pin followed by
``--hash`` options is not edited (the hashes would no longer match: the note says to
re-compile). Lock files that record a resolved graph (``poetry.lock``, ``package-lock.json``,
``go.sum``) get the command that regenerates them in the note; ``lockbump.py`` edits them with
the hashes their registry publishes, when the watcher is given the registries.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from nightowl.watchers.cve import versions
from nightowl.watchers.cve.manifests import IMAGE_LINE, K8S_LINE
from nightowl.watchers.cve.models import PackageKind, ProposedChange, VulnFinding
from nightowl.watchers.cve.versions import image_ref

_REGENERATE = {
    "poetry.lock": "poetry update {name}",
    "package-lock.json": "npm install {name}@{version}",
    "go.sum": "go get {name}@{version} && go mod tidy",
}


def diff(path: str, before: str, after: str) -> str:
    """A unified diff of one file, ``a/`` and ``b/`` prefixed as git writes it."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(lines)


def _edit(text: str, line: int, new: str) -> str:
    lines = text.splitlines(keepends=True)
    ending = lines[line - 1][len(lines[line - 1].rstrip("\r\n")) :]
    lines[line - 1] = new + ending
    return "".join(lines)


def _image_line(text: str, line: int, target: str) -> tuple[str, str] | None:
    match = IMAGE_LINE.match(text.splitlines()[line - 1])
    if match is None:
        return None
    head, quote, ref, tail = match.groups()
    new_ref = image_ref(ref).with_version(target)
    how = f"bump image {ref} to {new_ref}"
    return _edit(text, line, f"{head}{quote}{new_ref}{quote}{tail}"), how


def _k8s_line(text: str, line: int, target: str) -> tuple[str, str] | None:
    match = K8S_LINE.match(text.splitlines()[line - 1])
    if match is None:
        return None
    head, old, tail = match.groups()
    new = target.lstrip("v")
    if old.count(".") == 1:  # "1.29": the provider picks the patch within the minor
        new = ".".join(new.split(".")[:2])
        if new == old:
            return None
    return _edit(text, line, f'{head}"{new}"{tail}'), f"upgrade kubernetes_version {old} → {new}"


def _pin_line(text: str, line: int, name: str, target: str) -> tuple[str, str] | None:
    lines = text.splitlines()
    current = lines[line - 1]
    if current.rstrip().endswith("\\") or "--hash" in current:
        return None
    pattern = re.compile(rf"^(\s*{re.escape(name)}(?:\[[^\]]*\])?\s*===?\s*)([^\s;#\\]+)", re.I)
    match = pattern.match(current)
    if match is None:
        return None
    new = pattern.sub(lambda m: m.group(1) + target, current, count=1)
    return _edit(text, line, new), f"pin {name} {match.group(2)} → {target}"


def propose(finding: VulnFinding) -> VulnFinding:
    """The finding with its change (or a note saying how to fix it by hand); unchanged when it
    has no fixed version or the declaring file is not known.
    """
    pkg, target = finding.package, finding.fixed_version
    where = pkg.location
    if target and where.path and Path(where.path).name in _REGENERATE:
        command = _REGENERATE[Path(where.path).name]  # go.sum has lines, yet is no pin
        note = f"run `{command.format(name=pkg.name, version=target)}`"
        return finding.model_copy(update={"note": finding.note or note})
    if target is None or not where.path or not where.line:
        return finding
    path = Path(where.path)
    try:
        text = path.read_bytes().decode("utf-8")  # newlines as written (CRLF stays)
    except (OSError, UnicodeDecodeError):
        return finding
    if pkg.kind is PackageKind.IMAGE:
        edited = _image_line(text, where.line, target)
    elif pkg.kind is PackageKind.CLUSTER:
        edited = _k8s_line(text, where.line, target)
    else:
        edited = _pin_line(text, where.line, pkg.name, target)
    if edited is None:
        note = f"upgrade {pkg.name} to {target} (the declaring line could not be edited safely)"
        return finding.model_copy(update={"note": finding.note or note})
    content, how = edited
    change = ProposedChange(
        path=str(path), how=how, content=content, diff=diff(str(path), text, content)
    )
    return finding.model_copy(update={"change": change})


def is_newer(ecosystem: str, candidate: str, than: str) -> bool:
    """Whether ``candidate`` orders above ``than`` in the ecosystem (False when either does not
    parse)."""
    a, b = versions.parse(ecosystem, candidate), versions.parse(ecosystem, than)
    return a is not None and b is not None and a > b
