"""A synthetic dataset in PetShop's layout, and the path of the shared Nezha copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from nightowl_lab.eval.rca.petshop_synth import write_synthetic

SCENARIOS = ("low_traffic", "high_traffic", "temporal_traffic1", "temporal_traffic2")
NEZHA = Path(__file__).resolve().parents[4].parent / "shared" / "bench" / "nezha"


@pytest.fixture(scope="session")
def petshop_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic(tmp_path_factory.mktemp("petshop"), scenarios=SCENARIOS, issues=7)


@pytest.fixture
def nezha_dir() -> Path:
    if not (NEZHA / "rca_data").is_dir():
        pytest.skip(f"the Nezha dataset is not at {NEZHA} (see ../shared/bench/README.md)")
    return NEZHA
