"""A smaller node pool as an edit of its Terraform: the node count of the pool resource whose
cloud name is the pool's, changed in place by ``watchers/hcl.py`` (comments and alignment kept).

The pool resources of the three large clouds, by their provider schemas: GKE's
``google_container_node_pool`` (``name``, ``node_count``), EKS's ``aws_eks_node_group``
(``node_group_name``, ``scaling_config.desired_size``, kept within ``min_size``) and AKS's
``azurerm_kubernetes_cluster_node_pool`` (``name``, ``node_count``). A pool the cluster
autoscaler sizes (a GKE ``autoscaling`` block, AKS ``enable_auto_scaling`` /
``auto_scaling_enabled``) is not edited: its count is the autoscaler's, and a human decides
whether to lower its minimum. A count the code computes (a variable) is left to a human too
(``hcl.edit`` reports it skipped). Resources in modules are not searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nightowl.watchers import hcl

POOLS: dict[str, tuple[str, hcl.Key]] = {
    "google_container_node_pool": ("name", ("node_count",)),
    "aws_eks_node_group": ("node_group_name", ("scaling_config", 0, "desired_size")),
    "azurerm_kubernetes_cluster_node_pool": ("name", ("node_count",)),
}
AUTOSCALED = ("autoscaling", "enable_auto_scaling", "auto_scaling_enabled")


@dataclass(frozen=True, slots=True)
class PoolEdit:
    """The edited Terraform file: its path, the text before and after, the resource's address."""

    path: Path
    before: str
    after: str
    address: str


def _plain(value: Any) -> Any:
    """python-hcl2 keeps a string's quotes: ``'"general"'`` → ``general``."""
    return value[1:-1] if isinstance(value, str) and value[:1] == value[-1:] == '"' else value


def _pools(path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, name, attributes) of every pool resource in one ``.tf`` file."""
    parser = hcl._hcl()  # ConfigError naming the extra when python-hcl2 is missing
    from lark.exceptions import LarkError  # python-hcl2's parser

    try:
        doc = parser.loads(path.read_text(encoding="utf-8"))
    except (LarkError, ValueError, OSError, UnicodeDecodeError):
        return []  # a file that does not parse declares nothing we can edit
    found = []
    for entry in doc.get("resource", []):
        for type_, named in entry.items():
            for name, attributes in named.items():
                if _plain(type_) in POOLS and isinstance(attributes, dict):
                    found.append((_plain(type_), _plain(name), attributes))
    return found


def _count(attributes: dict[str, Any], key: hcl.Key) -> Any:
    value: Any = attributes
    for part in key:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and part < len(value) else None
        else:
            value = value.get(part) if isinstance(value, dict) else None
    return value


def shrink_pool(repo: Path, pool: str, nodes: int) -> PoolEdit | str:
    """The Terraform of ``pool`` with its node count at ``nodes``; else why not (a sentence)."""
    for path in sorted(repo.rglob("*.tf")):
        if hcl.SKIPPED_DIRS & set(path.relative_to(repo).parts):
            continue
        for type_, name, attributes in _pools(path):
            name_key, count_key = POOLS[type_]
            if _plain(attributes.get(name_key)) != pool:
                continue
            address = f"{type_}.{name}"
            scaling = (attributes.get("scaling_config") or [{}])[0]
            if any(_plain(attributes.get(k)) not in (None, False, "false") for k in AUTOSCALED):
                return f"{address} is sized by the cluster autoscaler: lower its minimum by hand"
            if type_ == "aws_eks_node_group" and nodes < int(scaling.get("min_size") or 0):
                return f"{address}'s min_size is above {nodes}: change both by hand"
            if not isinstance(_count(attributes, count_key), int):
                return f"{address}'s node count is not a number in the code: change it by hand"
            text = path.read_text(encoding="utf-8")
            edited = hcl.edit(text, type_, name, {count_key: nodes})
            if not edited.changed:
                return f"{address}: " + "; ".join(edited.skipped.values())
            return PoolEdit(path=path, before=text, after=edited.text, address=address)
    return f"no Terraform under {repo} declares the node pool {pool}"
