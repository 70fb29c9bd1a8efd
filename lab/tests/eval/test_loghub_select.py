"""Leave-one-system-out choice of the miner's configuration: made without the scored system."""

from __future__ import annotations

import pytest
from nightowl_lab.eval.loghub_select import GRID, Accuracy, ConfigScores, leave_one_out

from nightowl.analysis.logs.config import DEFAULT_CONFIG, MinerConfig

A = MinerConfig(min_values=3)
B = MinerConfig(min_values=5)


def scores(config: MinerConfig, **ga: float) -> ConfigScores:
    return ConfigScores(
        config=config,
        systems={n: Accuracy(grouping_accuracy=v, parsing_accuracy=v) for n, v in ga.items()},
    )


def test_each_system_is_scored_with_the_choice_made_on_the_others() -> None:
    table = [scores(A, x=0.9, y=0.9, z=0.2), scores(B, x=0.8, y=0.8, z=1.0)]
    result = leave_one_out(table)
    assert result.systems["z"].config == A  # A wins on x and y, so z gets A, however bad
    assert result.systems["z"].grouping_accuracy == 0.2
    assert result.systems["x"].config == B  # without x: B 0.9 on (y, z) beats A 0.55
    assert result.systems["x"].grouping_accuracy == 0.8
    assert result.average.grouping_accuracy == pytest.approx((0.8 + 0.8 + 0.2) / 3)
    # in-sample: B is best on all three (0.867 vs 0.667), an optimistic figure
    assert result.in_sample_config == B
    assert result.in_sample_average.grouping_accuracy == pytest.approx((0.8 + 0.8 + 1.0) / 3)
    assert result.grid_size == 2


def test_ties_go_to_the_earlier_entry() -> None:
    table = [scores(A, x=0.5, y=0.5), scores(B, x=0.5, y=0.5)]
    result = leave_one_out(table)
    assert {c.config for c in result.systems.values()} == {A}
    assert result.in_sample_config == A


def test_bad_tables_are_rejected() -> None:
    with pytest.raises(ValueError, match="no configuration"):
        leave_one_out([])
    with pytest.raises(ValueError, match="same systems"):
        leave_one_out([scores(A, x=1.0), scores(B, y=1.0)])


def test_grid_starts_with_the_product_default_and_has_no_duplicates() -> None:
    assert GRID[0] == DEFAULT_CONFIG
    assert len(set(GRID)) == len(GRID) == 12
