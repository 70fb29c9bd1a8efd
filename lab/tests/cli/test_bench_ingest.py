"""``nightowl bench ingest --replicas``: a count or a curve, refused clearly when it cannot run."""

from __future__ import annotations

import pytest
from nightowl_lab.cli.bench_ingest import replica_counts
from nightowl_lab.eval.ingest_cluster import Store
from typer.testing import CliRunner

from nightowl.cli.main import app
from nightowl.errors import InputError


def test_a_count_or_a_curve() -> None:
    assert replica_counts("4", Store.POSTGRES) == [4]
    assert replica_counts("1,2,4", Store.POSTGRES) == [1, 2, 4]
    assert replica_counts("1", Store.SQLITE) == [1]


@pytest.mark.parametrize(
    ("text", "store", "says"),
    [
        ("two", Store.POSTGRES, "give a number of processes"),
        ("1,,2", Store.POSTGRES, "give a number of processes"),
        ("0", Store.POSTGRES, "between 1 and 16"),
        ("1,99", Store.POSTGRES, "between 1 and 16"),
        ("2", Store.SQLITE, "needs --store postgres"),
    ],
)
def test_what_cannot_run_is_refused(text: str, store: Store, says: str) -> None:
    with pytest.raises(InputError, match=says):
        replica_counts(text, store)


def test_the_command_refuses_before_starting_anything() -> None:
    result = CliRunner().invoke(app, ["bench", "ingest", "--replicas", "2"])
    assert result.exit_code == 1
    assert "needs --store postgres" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_shape_is_refused() -> None:
    result = CliRunner().invoke(app, ["bench", "ingest", "--shape", "round"])
    assert result.exit_code == 2
    assert "grouped" in result.output
    assert "mixed" in result.output
    assert "Traceback" not in result.output
