"""A small synthetic NAB corpus on disk, laid out like the real one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

PROFILES = {
    "standard": {
        "CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}
    },
    "reward_low_FP_rate": {
        "CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22, "tnWeight": 1.0}
    },
    "reward_low_FN_rate": {
        "CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}
    },
}


def _write_series(path: Path, values: np.ndarray) -> list[str]:
    start = datetime(2014, 4, 1, tzinfo=UTC)
    stamps = [
        (start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(len(values))
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["timestamp,value", *(f"{t},{v:.4f}" for t, v in zip(stamps, values, strict=True))]
    path.write_text("\n".join(lines) + "\n")
    return stamps


@pytest.fixture(scope="session")
def nab_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("nab")
    rng = np.random.default_rng(3)
    labels: dict[str, list[list[str]]] = {}
    # A level shift, a spike (in a second category, so that leave-one-category-out has folds),
    # and a series without anomaly; plus a labelled file that is absent.
    shift = 50 + rng.normal(0, 1, 1200)
    shift[800:] += 12
    stamps = _write_series(root / "data" / "synthetic" / "shift.csv", shift)
    labels["synthetic/shift.csv"] = [[stamps[760] + ".000000", stamps[839] + ".000000"]]
    spike = 10 + rng.normal(0, 0.5, 900)
    spike[600] = 40
    stamps = _write_series(root / "data" / "other" / "spike.csv", spike)
    labels["other/spike.csv"] = [[stamps[570] + ".000000", stamps[629] + ".000000"]]
    _write_series(root / "data" / "synthetic" / "quiet.csv", 5 + rng.normal(0, 0.2, 700))
    labels["synthetic/quiet.csv"] = []
    labels["synthetic/absent.csv"] = [["2014-04-02 00:00:00", "2014-04-02 01:00:00"]]
    (root / "labels").mkdir()
    (root / "labels" / "combined_windows.json").write_text(json.dumps(labels))
    (root / "config").mkdir()
    (root / "config" / "profiles.json").write_text(json.dumps(PROFILES))
    return root
