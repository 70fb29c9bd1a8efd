"""Evidence summaries read as people read the values: units, never scientific notation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nightowl.analysis.evidence import analyze, deploy_ids
from nightowl.domain import Deploy, EvidenceKind, Observations
from nightowl.store.rows import evidence_rows
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


def _deploy(at: datetime, version: str = "v2", source: str = "api") -> Deploy:
    return Deploy(service="checkout", version=version, previous_version="v1", at=at, source=source)


def test_the_same_version_deployed_again_after_a_rollback_is_kept_and_stored() -> None:
    """Issue 23: checkout v2 rolled back, then deployed again 90 s later. Both deploys are
    evidence, with ids the store accepts (it refused repeated ids and the incident escalated)."""
    first = datetime(2026, 12, 4, 2, 51, 21, tzinfo=UTC)
    again = first + timedelta(seconds=87)
    obs = Observations(
        service="checkout",
        start=first - timedelta(minutes=1),
        end=again + timedelta(seconds=10),
        services=("checkout",),
        deploys=(_deploy(first), _deploy(again)),
    )

    deploys = [e for e in analyze(obs) if e.kind is EvidenceKind.DEPLOY]

    assert [e.id for e in deploys] == [
        "deploy:checkout:v2@20261204T025121Z",
        "deploy:checkout:v2",
    ]
    assert [e.onset for e in deploys] == [first, again]
    assert len(evidence_rows("inc-1", deploys)) == 2


def test_deploy_ids_keep_one_deploy_reported_twice_and_part_deploys_in_one_second() -> None:
    at = datetime(2026, 12, 4, 3, 0, 0, tzinfo=UTC)
    same_second = at + timedelta(milliseconds=400)
    later = at + timedelta(minutes=5)

    ids = deploy_ids(
        [_deploy(later), _deploy(at), _deploy(at, source="argocd"), _deploy(same_second)]
    )

    assert [i for i, _ in ids] == [
        "deploy:checkout:v2@20261204T030000Z",
        "deploy:checkout:v2@20261204T030000Z#2",
        "deploy:checkout:v2",
    ]
    assert [d.at for _, d in ids] == [at, same_second, later]
    assert deploy_ids([_deploy(at), _deploy(at, version="v3")])[0][0] == "deploy:checkout:v2"
