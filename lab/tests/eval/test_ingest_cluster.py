"""``nightowl bench ingest --store postgres --replicas N`` on a small workload: real PostgreSQL,
real ``nightowl serve`` replicas, the load spread over them, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from nightowl_lab.eval.ingest import run
from nightowl_lab.eval.ingest_cluster import Store, replica_config, serving

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_replicas_share_the_store_and_have_data_dirs_of_their_own(tmp_path: Path) -> None:
    url, key = "postgresql+psycopg://x/db", tmp_path / "audit.key"
    first = yaml.safe_load(replica_config(tmp_path / "a", url, key).read_text())
    second = yaml.safe_load(replica_config(tmp_path / "b", url, key).read_text())
    assert first["store"] == second["store"] == {"url": url}
    assert first["audit"] == second["audit"] == {"key_file": str(key)}
    assert first["data_dir"] != second["data_dir"]


def test_sqlite_refuses_more_than_one_replica(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--store postgres"), serving(tmp_path / "x", 2, None):
        pass


@pytest.mark.asyncio
async def test_two_replicas_on_postgres_lose_nothing() -> None:
    labels: set[str] = set()
    result = await run(
        300, 40, 4, lambda label, done, total: labels.add(label),
        store=Store.POSTGRES, replicas=[1, 2],
    )  # fmt: skip
    assert [r.replicas for r in result.runs] == [1, 2]
    for replica_run in result.runs:
        assert replica_run.lost == 0
        assert [p.errors for p in replica_run.phases] == [0, 0]
        assert [p.alerts for p in replica_run.phases] == [300, 40]
    assert result.duplicates_detected == result.duplicates_sent > 0
    assert (result.store, result.replicas, result.lost) == (Store.POSTGRES, 2, 0)
    assert "nightowl ×2, groups of 50" in labels
