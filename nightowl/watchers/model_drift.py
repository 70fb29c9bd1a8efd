"""``kind: model_drift`` — a served model's data and prediction drift, checked on a schedule.

Each run reads the reference window and the current window the serving layer writes
(``options.reference``, ``options.current``: CSV or Parquet), compares them with
``mlops.detect.compare`` and returns one finding per drifted column of the model — naming the
column, its test, adjusted p-value, distance, the likely cause and both distributions — and one
for decayed performance. Every finding proposes the model rollback: a ``model_rollback`` action
(``actions/mlflow.py``) moving ``options.alias`` of ``options.model`` back to the previous
version, which the gate, the approvals and the executor decide like any write; an upstream data
change (a unit change, a new category, a nulls jump) says so in the title, since the fix is then
upstream, not a retraining.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from nightowl.domain import ActionSpec, Risk, Severity
from nightowl.domain.findings import Finding, ProposedChange, fingerprint_of
from nightowl.errors import ConfigError, InputError, WatcherError
from nightowl.mlops.detect import compare
from nightowl.mlops.frames import read_table
from nightowl.mlops.models import Cause, DriftReport, DriftRules, FeatureDrift
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.protocol import WatchContext

UPSTREAM = frozenset({Cause.UNIT_CHANGE, Cause.NEW_CATEGORY, Cause.NULLS_JUMP})


class ModelDriftOptions(BaseModel):
    """``options`` of a ``model_drift`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    alias: str = "champion"
    reference: Path
    current: Path
    prediction: str | None = None
    label: str | None = None
    categorical: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    rules: DriftRules = DriftRules()


class ModelDriftWatcher:
    """Compares two windows of one model per run. Reads files only; safe to run concurrently."""

    def __init__(self, name: str, service: str, options: ModelDriftOptions) -> None:
        self.name = name
        self.service = service or options.model
        self.options = options

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> ModelDriftWatcher:
        try:
            options = ModelDriftOptions.model_validate(config.options)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"watcher {config.name!r}: options.{where}: {first['msg']}") from None
        return cls(config.name, config.service, options)

    async def check(self, ctx: WatchContext) -> list[Finding]:
        o = self.options
        try:
            report = compare(
                read_table(o.reference),
                read_table(o.current),
                o.rules,
                prediction=o.prediction,
                label=o.label,
                ignore=o.ignore,
                categorical=o.categorical,
            )
        except InputError as exc:
            raise WatcherError(str(exc), watcher=self.name) from None
        return self.findings(report)

    def findings(self, report: DriftReport) -> list[Finding]:
        """One finding per drifted column (prediction included) and one for decayed quality."""
        moved = report.drifted + (
            [report.prediction] if report.prediction and report.prediction.drifted else []
        )
        found = [self._column(f) for f in moved]
        perf = report.performance
        if perf is not None and perf.decayed:
            found.append(
                self._finding(
                    "performance",
                    Severity.CRITICAL,
                    f"{o_name(self)}: {perf.metric} fell from {perf.reference:.3f} to {perf.current:.3f}",
                    {"metric": perf.metric, "reference": perf.reference, "current": perf.current},
                )
            )
        return found

    def _column(self, f: FeatureDrift) -> Finding:
        upstream = f.cause in UPSTREAM
        what = "an upstream data change" if upstream else "drifted"
        title = f"{o_name(self)}: {f.role.value} {f.name!r} {what} — {f.cause_detail}"
        evidence = {
            "model": self.options.model,
            "feature": f.name,
            "role": f.role.value,
            "test": f.test,
            "statistic": round(f.statistic, 6),
            "p_value": f.p_value,
            "adjusted_p": f.adjusted_p,
            f.distance_name: round(f.distance, 6),
            "cause": f.cause.value if f.cause else "",
            "distribution": json.dumps(f.distribution.model_dump()),
        }
        return self._finding(f"feature:{f.name}", Severity.WARNING, title, evidence)

    def _finding(
        self, resource: str, severity: Severity, title: str, evidence: dict[str, str | float]
    ) -> Finding:
        o = self.options
        action = ActionSpec(
            kind="model_rollback",
            service=self.service,
            params={"model": o.model, "alias": o.alias},
            runbook="model-drift",
            risk=Risk.HIGH,
            reason=title,
            rollback=f"point {o.model}@{o.alias} back at the version it had",
            idempotency_key=fingerprint_of(self.name, "model_rollback", o.model, resource),
        )
        return Finding(
            watcher=self.name,
            kind="model_drift",
            resource=f"{o.model}/{resource}",
            severity=severity,
            title=title,
            service=self.service,
            evidence=evidence,
            proposed=ProposedChange(
                summary=f"roll {o.model}@{o.alias} back to the previous version", action=action
            ),
        )


def o_name(watcher: ModelDriftWatcher) -> str:
    return f"model {watcher.options.model}@{watcher.options.alias}"
