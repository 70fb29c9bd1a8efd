"""evidently's default data-drift preset as a ``bench drift`` baseline, on the same windows.

``DataDriftPreset()`` with its defaults (the method per column chosen by evidently: KS for
numeric columns of up to 1,000 rows, chi-square for categorical ones, each at p < 0.05, no
correction across columns; the dataset drifts when at least half the columns do). Two readings:
``evidently`` flags the columns only when the preset's dataset-drift verdict is up; ``evidently
(any column)`` flags every column its per-column tests fail.
"""

from __future__ import annotations

from typing import Any

from nightowl.errors import ConfigError
from nightowl.mlops.frames import Table
from nightowl_lab.eval.drift import Detector
from nightowl_lab.eval.drift_data import CATEGORICAL, NAMES
from nightowl_lab.eval.drift_paging import Flags


def evidently_detectors() -> dict[str, Detector]:
    """The two readings of the preset (ConfigError naming the extra when evidently is absent)."""
    try:
        import evidently  # noqa: F401
    except ImportError:
        raise ConfigError(
            "the evidently baseline needs evidently: pip install 'nightowl-lab[evidently]', "
            "or pass --no-evidently"
        ) from None
    last: dict[str, tuple[int, int, tuple[Flags, Flags]]] = {}

    def both(ref: Table, cur: Table) -> tuple[Flags, Flags]:
        # The two readings come from one report: run it once per pair of windows.
        key = (id(ref), id(cur))
        if "run" not in last or last["run"][:2] != key:
            last["run"] = (*key, _run(ref, cur))
        return last["run"][2]

    return {
        "evidently": lambda ref, cur: both(ref, cur)[0],
        "evidently (any column)": lambda ref, cur: both(ref, cur)[1],
    }


def _frame(table: Table) -> Any:
    import pandas as pd

    data = {
        n: (table[n] if n in CATEGORICAL else [float(v) if v else None for v in table[n]])
        for n in NAMES
    }
    return pd.DataFrame(data)


def _run(reference: Table, current: Table) -> tuple[Flags, Flags]:
    """(dataset-level reading, any-column reading)."""
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(
        numerical_columns=[n for n in NAMES if n not in CATEGORICAL],
        categorical_columns=sorted(CATEGORICAL),
    )
    ref = Dataset.from_pandas(_frame(reference), data_definition=definition)
    cur = Dataset.from_pandas(_frame(current), data_definition=definition)
    result = Report([DataDriftPreset()], include_tests=True).run(cur, ref).dict()
    failed = {
        str(t.get("metric_config", {}).get("params", {}).get("column"))
        for t in result.get("tests", [])
        if t.get("status") == "FAIL" and t.get("metric_config", {}).get("params", {}).get("column")
    }
    columns: Flags = dict.fromkeys(failed, (None, 1.0))  # no adjusted p: never pages at once
    count = next(
        (
            m["value"]
            for m in result["metrics"]
            if str(m.get("metric_name", "")).startswith("DriftedColumnsCount")
        ),
        {"share": 0.0},
    )
    return (columns if float(count["share"]) >= 0.5 else {}), columns
