"""Recurrences: a scenario happening again later, for memory campaigns (``eval --memory``).

The same fault on another day is the same scenario with every time moved: the window, the
deploys, the config changes, the faults, the background logs and the alerts. A recurrence gets a
name of its own (campaigns replay in name order) and, since the alerts start at another time,
opens an incident of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from nightowl_lab.sim.scenario import Scenario


def recur(scenario: Scenario, name: str, later: timedelta) -> Scenario:
    """``scenario`` again, ``later``, named ``name``."""
    moved = _move(scenario.model_dump(mode="python"), later)
    return Scenario.model_validate(moved | {"name": name})


def write(scenario: Scenario, directory: Path) -> Path:
    """Write ``scenario`` as ``<directory>/<name>.yaml``; the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{scenario.name}.yaml"
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _move(value: Any, later: timedelta) -> Any:
    if isinstance(value, datetime):
        return value + later
    if isinstance(value, dict):
        return {k: _move(v, later) for k, v in value.items()}
    if isinstance(value, list):
        return [_move(v, later) for v in value]
    return value
