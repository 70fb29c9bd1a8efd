"""``nightowl bench e2e`` keeps its sandbox's state where --data-dir says, like ``sandbox``."""

from __future__ import annotations

from pathlib import Path

from nightowl_lab.cli.bench_e2e import bench_state_file
from nightowl_lab.sandbox.lifecycle import default_state_file


def test_the_state_file_goes_under_the_data_dir(tmp_path: Path) -> None:
    assert bench_state_file(tmp_path) == tmp_path / "sandbox" / "bench-state.json"


def test_without_a_data_dir_it_sits_beside_the_sandboxs_default() -> None:
    assert bench_state_file(None) == default_state_file().with_name("bench-state.json")
