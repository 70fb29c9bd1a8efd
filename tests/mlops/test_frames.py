"""Reading windows: CSV with nulls, Parquet through pyarrow, kinds from the reference, and clear
errors for files that are not windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nightowl.errors import InputError
from nightowl.mlops.frames import Kind, columns, read_table


def test_csv_nulls_and_kinds(tmp_path: Path) -> None:
    ref = tmp_path / "ref.csv"
    ref.write_text("x,c\n1.5,a\nNA,b\n3,\n")
    cur = tmp_path / "cur.csv"
    cur.write_text("x,c\noops,a\n2,a\n,b\n")
    pairs = {r.name: (r, c) for r, c in columns(read_table(ref), read_table(cur))}
    assert pairs["x"][0].kind is Kind.NUMERIC
    assert pairs["c"][0].kind is Kind.CATEGORICAL
    assert pairs["x"][0].null_rate == pytest.approx(1 / 3)
    assert pairs["x"][1].null_rate == pytest.approx(2 / 3)  # "oops" in a numeric column: a null
    assert pairs["c"][0].labels == ("a", "b", None)


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "w.parquet"
    pq.write_table(pa.table({"x": [1.0, None, 3.0], "c": ["a", "b", None]}), path)
    table = read_table(path)
    assert table == {"x": ["1.0", None, "3.0"], "c": ["a", "b", None]}
    (x, _), _ = columns(table, table)
    assert np.isnan(x.numbers[1])


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="empty file"):
        read_table(tmp_path / "empty.csv")
    (tmp_path / "ragged.csv").write_text("a,b\n1\n")
    with pytest.raises(InputError, match=":2: 1 fields"):
        read_table(tmp_path / "ragged.csv")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(InputError, match="not a readable Parquet"):
        read_table(tmp_path / "bad.parquet")
