"""Editing Terraform's HCL in place: change attribute values, keep everything else byte for byte.

``python-hcl2`` (the ``iac`` extra) parses a file into a tree whose nodes know their character
span; an edit replaces only the span of the attribute's value (or adds one line after the last
attribute of the block, indented like it), so comments, alignment, blank lines and every other
resource stay as they were and a pull request's diff is the changed lines alone. A value the
code computes (a reference, a function call, an interpolation) is never overwritten with a
literal: that attribute is reported as skipped, for a human.

A path names an attribute of a resource: ``("priority",)``, or inside nested blocks by block
name and occurrence, ``("action", 0, "type")``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nightowl.errors import ConfigError

Key = tuple[str | int, ...]
LITERAL = frozenset(
    {
        "expr_term", "tuple", "object", "object_elem", "object_elem_key", "string",
        "string_part", "int_lit", "float_lit", "literal_value", "new_line_or_comment",
        "new_line_and_or_comma",
    }
)  # fmt: skip
"""The tree nodes of a value written as a literal; any other node is an expression."""
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
SKIPPED_DIRS = frozenset({".terraform", ".git", "node_modules"})


class Unrenderable(ValueError):
    """A value HCL cannot be written as a literal here (a list of objects, a nested map)."""


@dataclass
class Edit:
    """What editing one resource did: the new text, the paths changed, and why others were not."""

    text: str
    changed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def require() -> None:
    """ConfigError with the pip command when python-hcl2 is not installed."""
    _hcl()


def _hcl() -> Any:
    try:
        import hcl2
    except ImportError:
        raise ConfigError(
            "the drift watcher edits HCL with python-hcl2: pip install 'nightowl[iac]'"
        ) from None
    return hcl2


def find_resource(repo: Path, type_: str, name: str) -> tuple[Path, str] | None:
    """The ``.tf`` file under ``repo`` that declares ``resource "type_" "name"``, and its text."""
    pattern = re.compile(rf'resource\s+"{re.escape(type_)}"\s+"{re.escape(name)}"\s*{{')
    for path in sorted(repo.rglob("*.tf")):
        if SKIPPED_DIRS & set(path.relative_to(repo).parts):
            continue
        text = path.read_text(encoding="utf-8")
        if pattern.search(text):
            return path, text
    return None


def edit(text: str, type_: str, name: str, values: Mapping[Key, Any]) -> Edit:
    """``text`` with the resource's attributes at ``values``' paths set to their values.
    ValueError when the text does not parse or holds no such resource."""
    from lark import Tree
    from lark.exceptions import LarkError

    try:
        tree = _hcl().parses_to_tree(text)
    except LarkError as exc:
        raise ValueError(f"the HCL does not parse: {str(exc).splitlines()[0]}") from None
    block = _resource(tree.children[0], type_, name)
    if block is None:
        raise ValueError(f'no resource "{type_}" "{name}" in the file')
    body = next(c for c in block.children if isinstance(c, Tree) and c.data == "body")
    done = Edit(text)
    spans: list[tuple[int, int, str]] = []
    for key, value in values.items():
        label = _label(key)
        try:
            spans.append(_span(text, body, key, value))
            done.changed.append(label)
        except Unrenderable as exc:
            done.skipped[label] = str(exc)
    for start, end, new in sorted(spans, reverse=True):
        done.text = done.text[:start] + new + done.text[end:]
    return done


def render(value: Any) -> str:
    """``value`` as an HCL literal; Unrenderable when it has no one-line literal form."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        quoted = json.dumps(value, ensure_ascii=False)
        return quoted.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, dict) and all(not isinstance(v, list | dict) for v in value.values()):
        items = (
            f"{k if IDENTIFIER.match(k) else json.dumps(k)} = {render(v)}" for k, v in value.items()
        )
        return "{ " + ", ".join(items) + " }" if value else "{}"
    raise Unrenderable("a nested value: change it by hand")


def _label(key: Key) -> str:
    return "".join(
        f"[{k}]" if isinstance(k, int) else (f".{k}" if i else k) for i, k in enumerate(key)
    )


def _children(node: Any, data: str) -> Iterator[Any]:
    from lark import Tree

    return (c for c in node.children if isinstance(c, Tree) and c.data == data)


def _name(node: Any) -> str:
    from lark import Token

    ident = next(_children(node, "identifier"))
    return str(next(t for t in ident.children if isinstance(t, Token)))


def _string(node: Any) -> str:
    from lark import Token

    parts = [t for p in _children(node, "string_part") for t in p.children if isinstance(t, Token)]
    return "".join(str(t) for t in parts)


def _resource(body: Any, type_: str, name: str) -> Any:
    for block in _children(body, "block"):
        labels = [_string(s) for s in _children(block, "string")]
        if _name(block) == "resource" and labels == [type_, name]:
            return block
    return None


def _span(text: str, body: Any, key: Key, value: Any) -> tuple[int, int, str]:
    """The (start, end, replacement) that sets ``key`` in ``body``."""
    *blocks, attribute = key
    for position in range(0, len(blocks), 2):
        block_name, index = (
            blocks[position],
            blocks[position + 1] if position + 1 < len(blocks) else 0,
        )
        found = [b for b in _children(body, "block") if _name(b) == block_name]
        if not isinstance(index, int) or index >= len(found):
            raise Unrenderable(f"no block {block_name}[{index}] in the code: change it by hand")
        body = next(_children(found[index], "body"))
    new = render(value)
    for node in _children(body, "attribute"):
        if _name(node) == attribute:
            term = node.children[-1]
            if not _literal(term):
                raise Unrenderable("the code computes it (an expression): change it by hand")
            return term.meta.start_pos, term.meta.end_pos, new
    return _insertion(text, body, str(attribute), new)


def _insertion(text: str, body: Any, attribute: str, new: str) -> tuple[int, int, str]:
    last = list(_children(body, "attribute"))
    if not last:
        raise Unrenderable("the block has no attribute to add it after: add it by hand")
    end = text.find("\n", last[-1].meta.end_pos)  # after the line's comment, if any
    end = len(text) if end < 0 else end
    line_start = text.rfind("\n", 0, last[-1].meta.start_pos) + 1
    indent = text[line_start : last[-1].meta.start_pos]
    return end, end, f"\n{indent}{attribute} = {new}"


def _literal(node: Any) -> bool:
    from lark import Tree

    def walk(n: Any, in_key: bool) -> bool:
        if not isinstance(n, Tree):
            return True
        if n.data == "identifier":
            return in_key
        if n.data not in LITERAL:
            return False
        return all(walk(c, in_key or n.data == "object_elem_key") for c in n.children)

    return walk(node, False)


def changed_paths(code: Any, real: Any, prefix: Key = ()) -> dict[Key, Any]:
    """The attribute paths where ``real`` differs from ``code``, with the real values: nested
    blocks (lists of objects of one length) are followed, everything else (a map such as
    ``tags`` included) compared whole."""
    at_block = not prefix or isinstance(prefix[-1], int)
    if at_block and isinstance(code, dict) and isinstance(real, dict):
        found: dict[Key, Any] = {}
        for key in sorted(set(code) | set(real)):
            if code.get(key) != real.get(key):
                found |= changed_paths(code.get(key), real.get(key), (*prefix, key))
        return found
    if _blocks(code) and _blocks(real) and len(code) == len(real):
        found = {}
        for index, (a, b) in enumerate(zip(code, real, strict=True)):
            if a != b:
                found |= changed_paths(a, b, (*prefix, index))
        return found
    return {prefix: real}


def _blocks(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def labels(paths: Sequence[Key]) -> list[str]:
    """The paths as people read them: ``action[0].type``."""
    return [_label(p) for p in paths]
