"""YAML as nightowl reads its own files: safe, and a key given twice in one mapping is an error.

PyYAML keeps the last of two equal keys, so a second ``ui:`` block silently replaces the first
(its users and password hashes included). ``StrictLoader`` refuses it and names both lines.
Merge keys (``<<: *defaults``) still work: only keys written out twice count.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

MERGE_TAG = "tag:yaml.org,2002:merge"


class DuplicateKeyError(ConstructorError):
    """A mapping gives the same key twice; ``problem_mark`` is the second one."""


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that raises ``DuplicateKeyError`` on a repeated mapping key.

    Like every PyYAML loader, one instance reads one document stream; not shared across threads.
    """

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        first: dict[Hashable, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                continue  # SafeLoader's own error says so below
            if key in first:
                raise DuplicateKeyError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first[key] + 1}): the second would "
                    "replace the first; merge them into one",
                    key_node.start_mark,
                )
            first[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def load(text: str) -> Any:
    """The one YAML document in ``text``; ``yaml.YAMLError`` (with a mark) when it is not valid."""
    return yaml.load(text, Loader=StrictLoader)
