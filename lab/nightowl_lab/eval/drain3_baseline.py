"""drain3 (PyPI) as the baseline of the Loghub benchmark, with Drain's tuned per-system settings.

The settings come from Loghub's ``drain_benchmark_settings_logparser.json`` (similarity
threshold, tree depth and masking regexes per system). Per-system tuning is allowed for the
baseline only; nightowl's miner runs with one configuration everywhere. drain3 is an optional
extra: without it, :func:`drain3_factory` raises a ``ConfigError`` naming the install command.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nightowl.domain.base import Model
from nightowl.errors import ConfigError, InputError
from nightowl_lab.eval.loghub import Parser

SETTINGS_FILE = "drain_benchmark_settings_logparser.json"
INSTALL_HINT = "drain3 is not installed: pip install 'nightowl-lab[drain3]'"


class DrainSettings(Model):
    """Drain's parameters for one system (logparser's names: ``st``, ``depth``, ``regex``)."""

    st: float = 0.5
    depth: int = 4
    regex: tuple[str, ...] = ()


def find_settings(dataset_dir: Path) -> Path | None:
    """The settings file in ``dataset_dir`` or in a sibling copy of Loghub (e.g. loghub-2k)."""
    candidates = [dataset_dir / SETTINGS_FILE]
    if dataset_dir.parent.is_dir():
        candidates += sorted(dataset_dir.parent.glob(f"*/{SETTINGS_FILE}"))
    return next((c for c in candidates if c.is_file()), None)


def load_settings(path: Path | None) -> dict[str, DrainSettings]:
    """Per-system Drain settings; an absent file means Drain's defaults for every system."""
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read Drain settings {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path}: expected an object of per-system settings")
    fields = ("st", "depth", "regex")
    return {
        name: DrainSettings.model_validate({k: v for k, v in entry.items() if k in fields})
        for name, entry in raw.items()
        if isinstance(entry, dict)
    }


def _template_miner(settings: DrainSettings) -> Any:
    try:
        from drain3 import TemplateMiner
        from drain3.masking import MaskingInstruction
        from drain3.template_miner_config import TemplateMinerConfig
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    config = TemplateMinerConfig()
    config.drain_sim_th = settings.st
    config.drain_depth = settings.depth
    config.masking_instructions = [MaskingInstruction(r, "*") for r in settings.regex]
    config.mask_prefix = "<"
    config.mask_suffix = ">"
    config.profiling_enabled = False
    config.parametrize_numeric_tokens = True
    return TemplateMiner(config=config)


def drain3_parser(settings: DrainSettings) -> Parser:
    """A parser that runs a fresh drain3 miner over the lines, in order."""
    _template_miner(settings)  # fail early (and clearly) when drain3 is missing

    def parse(lines: Sequence[str]) -> tuple[list[int], list[str]]:
        miner = _template_miner(settings)
        add = miner.add_log_message
        ids: list[int] = [add(line)["cluster_id"] for line in lines]
        clusters = miner.drain.id_to_cluster
        texts = {cid: clusters[cid].get_template() for cid in set(ids)}
        return ids, [texts[cid] for cid in ids]

    return parse


def drain3_factory(dataset_dir: Path) -> tuple[str, Any]:
    """``("drain3", system -> parser)`` for :func:`nightowl_lab.eval.loghub.run_benchmark`."""
    settings = load_settings(find_settings(dataset_dir))
    _template_miner(DrainSettings())  # raise the install hint before any work is done

    def factory(system: str) -> Parser:
        return drain3_parser(settings.get(system, DrainSettings()))

    return "drain3", factory
