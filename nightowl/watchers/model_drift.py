"""``kind: model_drift`` — a served model's data and prediction drift, checked on a schedule.

Each run reads the reference window and the current window the serving layer writes
(``options.reference``, ``options.current``: CSV or Parquet; or ``options.histograms``: the
serving layer's Prometheus histograms, ``histogram_windows.py``), compares them with
``mlops.detect.compare`` and returns one finding per drifted column of the model — naming the
column, its test, adjusted p-value, distance, the likely cause and both distributions — and one
for decayed performance. Every finding proposes the model rollback: a ``model_rollback`` action
(``actions/mlflow.py``) moving ``options.alias`` of ``options.model`` back to the previous
version, which the gate, the approvals and the executor decide like any write; an upstream data
change (a unit change, a new category, a nulls jump) says so in the title, since the fix is then
upstream, not a retraining.

With ``options.registry`` (an MLflow server, ``connectors/mlflow.py``) each finding names the
version the alias points at and when it was registered; a version registered within the current
window (``options.window_minutes``, ending at the run) is a model deploy that coincides with the
drift, and the finding says so. ``options.owner`` names the model's owner: the finding's alert
carries it as its ``owner`` label, which notification routes match (``notify/routing.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nightowl.connectors.mlflow import MLflowConfig, MLflowRegistry
from nightowl.domain import ActionSpec, Risk, Severity
from nightowl.domain.findings import Finding, ProposedChange, fingerprint_of
from nightowl.errors import ConfigError, ConnectorError, InputError, WatcherError
from nightowl.mlops.detect import compare
from nightowl.mlops.frames import read_table
from nightowl.mlops.histograms import compare_histograms
from nightowl.mlops.models import Cause, DriftReport, DriftRules, FeatureDrift
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers.histogram_windows import HistogramWindows, read_histograms
from nightowl.watchers.protocol import WatchContext

UPSTREAM = frozenset({Cause.UNIT_CHANGE, Cause.NEW_CATEGORY, Cause.NULLS_JUMP})


class ModelDriftOptions(BaseModel):
    """``options`` of a ``model_drift`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    alias: str = "champion"
    reference: Path | None = None
    current: Path | None = None
    histograms: HistogramWindows | None = None
    """The windows from Prometheus histograms instead of files (``histogram_windows.py``)."""
    prediction: str | None = None
    label: str | None = None
    categorical: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    rules: DriftRules = DriftRules()
    registry: MLflowConfig | None = None
    window_minutes: int = Field(default=60, gt=0)
    """The span the current window covers, ending at the run (60: the hourly window of an
    hourly schedule); a version registered within it coincides with the drift."""
    owner: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ModelDriftOptions:
        files = self.reference is not None and self.current is not None
        if files == (self.histograms is not None):
            raise ValueError("give either reference and current (files) or histograms")
        return self


@dataclass(frozen=True)
class Served:
    """What the registry says of the served version (empty without a registry)."""

    version: str = ""
    registered_at: datetime | None = None
    coincides: bool = False
    note: str = ""

    def evidence(self) -> dict[str, str | float | bool]:
        """The finding's evidence keys for it (none when nothing is known)."""
        out: dict[str, str | float | bool] = {}
        if self.version:
            out["version"] = self.version
        if self.registered_at is not None:
            out["registered_at"] = self.registered_at.isoformat()
            out["deploy_coincides"] = self.coincides
        if self.note:
            out["registry"] = self.note
        return out


class ModelDriftWatcher:
    """Compares two windows of one model per run. Only reads (files, histograms, the registry);
    safe to run concurrently."""

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
            where = ".".join(["options", *(str(p) for p in first["loc"])])
            raise ConfigError(f"watcher {config.name!r}: {where}: {first['msg']}") from None
        return cls(config.name, config.service, options)

    async def check(self, ctx: WatchContext) -> list[Finding]:
        report = await self.report(ctx.now)
        served = await self.served(ctx.now) if report.alarm else Served()
        return self.findings(report, served)

    async def report(self, now: datetime) -> DriftReport:
        """The drift report of the run: from the files, or from the histograms' windows."""
        o = self.options
        if o.histograms is not None:
            reference, current = await read_histograms(
                o.histograms, now, o.window_minutes, self.name
            )
            try:
                return compare_histograms(reference, current, o.rules, prediction=o.prediction)
            except InputError as exc:
                raise WatcherError(str(exc), watcher=self.name) from None
        assert o.reference is not None  # the validator saw to it
        assert o.current is not None
        try:
            return compare(
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

    async def served(self, now: datetime) -> Served:
        """The version ``options.alias`` points at and whether it was registered within the
        current window; a registry that cannot be read leaves the version unknown (the drift is
        still reported, and the finding says why the version is missing)."""
        o = self.options
        if o.registry is None:
            return Served()
        registry = MLflowRegistry(f"{self.name}-registry", o.registry)
        try:
            versions = await registry.versions(o.model)
        except ConnectorError as exc:
            return Served(note=f"unavailable: {exc}")
        current = next((v for v in versions if o.alias in v.aliases), None)
        if current is None:
            return Served(note=f"no version has the alias {o.alias!r}")
        since = now - timedelta(minutes=o.window_minutes)
        coincides = since <= current.created_at <= now
        return Served(str(current.version), current.created_at, coincides)

    def findings(self, report: DriftReport, served: Served | None = None) -> list[Finding]:
        """One finding per drifted column (prediction included) and one for decayed quality."""
        served = served or Served()
        name = self._name(served)
        moved = report.drifted + (
            [report.prediction] if report.prediction and report.prediction.drifted else []
        )
        found = [self._column(f, served) for f in moved]
        perf = report.performance
        if perf is not None and perf.decayed:
            found.append(
                self._finding(
                    "performance",
                    Severity.CRITICAL,
                    f"{name}: {perf.metric} fell from {perf.reference:.3f} to {perf.current:.3f}",
                    {"metric": perf.metric, "reference": perf.reference, "current": perf.current},
                    served,
                )
            )
        return found

    def _name(self, served: Served) -> str:
        o = self.options
        return f"model {o.model}@{o.alias}" + (
            f" (version {served.version})" if served.version else ""
        )

    def _column(self, f: FeatureDrift, served: Served) -> Finding:
        upstream = f.cause in UPSTREAM
        what = "an upstream data change" if upstream else "drifted"
        title = f"{self._name(served)}: {f.role.value} {f.name!r} {what} — {f.cause_detail}"
        if served.coincides:
            title += f"; version {served.version} was registered within the window"
        evidence: dict[str, str | float] = {
            "feature": f.name,
            "role": f.role.value,
            "test": f.test,
            "statistic": round(f.statistic, 6),
            "p_value": f.p_value,
            "adjusted_p": f.adjusted_p,
            f.distance_name: round(f.distance, 6),
            "cause": f.cause.value if f.cause else "",
            "cause_detail": f.cause_detail,
            "distribution": json.dumps(f.distribution.model_dump()),
        }
        return self._finding(f"feature:{f.name}", Severity.WARNING, title, evidence, served)

    def _finding(
        self,
        resource: str,
        severity: Severity,
        title: str,
        evidence: dict[str, str | float],
        served: Served,
    ) -> Finding:
        o = self.options
        facts: dict[str, str | float | bool] = {"model": o.model, "alias": o.alias, **evidence}
        facts |= served.evidence()
        if o.owner:
            facts["owner"] = o.owner
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
            evidence=facts,
            proposed=ProposedChange(
                summary=f"roll {o.model}@{o.alias} back to the previous version", action=action
            ),
        )
