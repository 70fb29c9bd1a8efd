"""Evidence summaries read as people read the values: units, never scientific notation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nightowl.domain import EvidenceKind
from tests.analysis.test_hypotheses import SCENARIOS, build_case


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_metric_change_shows_its_values_in_their_unit(name: str, tmp_path: Path) -> None:
    changes = [
        e for e in build_case(name, tmp_path).evidence if e.kind is EvidenceKind.METRIC_CHANGE
    ]

    assert changes, "every bundled scenario has a metric that changes"
    for e in changes:
        assert not re.search(r"\de[+-]\d", e.summary), e.summary
        if e.signal == "memory":
            assert " MB" in e.summary or " GB" in e.summary, e.summary
        if e.signal == "error_rate":
            assert "%" in e.summary, e.summary
