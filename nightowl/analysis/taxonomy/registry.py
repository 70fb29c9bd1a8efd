"""Loading the taxonomy: the built-in signatures, then users' files (later ones override).

Users add or override kinds with YAML files of the same shape as ``builtin.yaml``, in a
``taxonomy/`` folder of any runbook directory (``runbooks.paths``) or passed explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from nightowl.analysis.taxonomy.model import Taxonomy
from nightowl.errors import ConfigError

BUILTIN = Path(__file__).with_name("builtin.yaml")


def read_taxonomy(path: Path) -> Taxonomy:
    """One taxonomy file; ConfigError names the file and the bad key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the taxonomy: {exc}", where=str(path)) from None
    try:
        return Taxonomy.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{loc}: {first['msg']}", where=str(path)) from None


@lru_cache(maxsize=1)
def builtin_taxonomy() -> Taxonomy:
    return read_taxonomy(BUILTIN)


def load_taxonomy(paths: Iterable[Path] = ()) -> Taxonomy:
    """The built-in taxonomy merged with every ``*.yaml`` file (or folder of them) in ``paths``."""
    taxonomy = builtin_taxonomy()
    for path in paths:
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        for file in files:
            taxonomy = taxonomy.merged(read_taxonomy(file))
    return taxonomy


def taxonomy_dirs(runbook_paths: Iterable[Path]) -> list[Path]:
    """The ``taxonomy/`` folders of the user's runbook directories that exist."""
    return [p / "taxonomy" for p in runbook_paths if (p / "taxonomy").is_dir()]
