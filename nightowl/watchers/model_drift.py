"""``kind: model_drift`` — a served model's data and prediction drift, checked on a schedule.

Each run reads the reference window and the current window the serving layer writes
(``options.reference``, ``options.current``: CSV or Parquet; or ``options.histograms``: the
serving layer's Prometheus histograms, ``histogram_windows.py``; or ``options.table``: rows of a
table it writes, ``table_windows.py``), compares them with
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
from collections.abc import Callable
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
from nightowl.mlops.models import DriftReport, DriftRules, FeatureDrift, Performance
from nightowl.mlops.paging import Paging, PagingPlan, plan
from nightowl.settings import OnFinding, Settings, WatcherConfig
from nightowl.watchers.drift_streaks import PENDING, Streaks
from nightowl.watchers.histogram_windows import HistogramWindows, read_histograms
from nightowl.watchers.protocol import WatchContext
from nightowl.watchers.table_windows import TableWindows, read_tables

MAX_NAMED = 3
"""Other columns a title names before "+N more" (a title is one line)."""


def _said(what: FeatureDrift | Performance, verb: str = "") -> str:
    """A column as a title says it: ``bmi drifted (unit change)``, ``prediction score (…)``,
    or the metric's fall."""
    if isinstance(what, Performance):
        return f"{what.metric} fell from {what.reference:.3f} to {what.current:.3f}"
    role = "prediction " if what.role.value == "prediction" else ""
    cause = f" ({what.cause.value.replace('_', ' ')})" if what.cause else ""
    return f"{role}{what.name}{verb}{cause}"


class ModelDriftOptions(BaseModel):
    """``options`` of a ``model_drift`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    alias: str = "champion"
    reference: Path | None = None
    current: Path | None = None
    histograms: HistogramWindows | None = None
    """The windows from Prometheus histograms instead of files (``histogram_windows.py``)."""
    table: TableWindows | None = None
    """The windows from a table the serving layer writes (``table_windows.py``)."""
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
    paging: Paging = Paging()
    """When a flagged column pages: k consecutive checks or at once, within a budget of false
    pages per week (``mlops/paging.py``)."""

    @model_validator(mode="after")
    def _one_source(self) -> ModelDriftOptions:
        files = self.reference is not None and self.current is not None
        if files + (self.histograms is not None) + (self.table is not None) != 1:
            raise ValueError("give one of: reference and current (files), histograms, table")
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
        if config.min_severity is Severity.INFO and config.on_finding is not OnFinding.RECORD:
            raise ConfigError(
                f"watcher {config.name!r}: min_severity info would page the columns still "
                "waiting for their consecutive checks (recorded at info): use warning"
            )
        return cls(config.name, config.service, options)

    async def check(self, ctx: WatchContext) -> list[Finding]:
        report = await self.report(ctx.now)
        served = await self.served(ctx.now) if report.alarm else Served()
        return self.findings(report, served, ctx.previous, ctx.now)

    def paging_plan(self) -> PagingPlan:
        """k and the at-once level for this watcher's schedule and the families it tests."""
        o = self.options
        families = 1 + (o.prediction is not None) + (o.label is not None)
        return plan(o.paging, o.rules.alpha, o.window_minutes, families)

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
        if o.table is not None:
            rows = await read_tables(o.table, now, o.window_minutes, self.name)
        else:
            assert o.reference is not None  # the validator saw to it
            assert o.current is not None
            try:
                rows = read_table(o.reference), read_table(o.current)
            except InputError as exc:
                raise WatcherError(str(exc), watcher=self.name) from None
        try:
            return compare(
                rows[0],
                rows[1],
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

    def findings(
        self,
        report: DriftReport,
        served: Served | None = None,
        previous: tuple[Finding, ...] = (),
        now: datetime | None = None,
    ) -> list[Finding]:
        """One finding per drifted column (prediction included) and one for decayed quality:
        paging (``warning``, with the rollback) once ``options.paging`` says so, pending
        (``info``, no action) while the column waits for its consecutive checks."""
        served = served or Served()
        flagged = self._flagged(report)
        streaks = Streaks(self.options.model, previous, now, self.options.window_minutes)
        pager = self.paging_plan()
        paging = [
            r
            for r, (_, p) in flagged.items()
            if streaks.confirmed(r) or pager.pages(streaks.of(r), p)
        ]
        title = self._title(served, [flagged[r][0] for r in paging])
        found = []
        for resource, (what, _) in flagged.items():
            streak = streaks.of(resource)
            evidence = {**self._evidence(what), "consecutive_checks": streak}
            if resource in paging:
                found.append(
                    self._finding(resource, self._severity(what), title(what), evidence, served)
                )
            else:
                found.append(self._pending(resource, what, evidence, served, streak, pager))
        return found

    def _flagged(self, report: DriftReport) -> dict[str, tuple[FeatureDrift | Performance, float]]:
        """The run's flagged columns by resource, with their adjusted p-values."""
        moved = report.drifted + (
            [report.prediction] if report.prediction and report.prediction.drifted else []
        )
        out: dict[str, tuple[FeatureDrift | Performance, float]] = {
            f"feature:{f.name}": (f, f.adjusted_p) for f in moved
        }
        perf = report.performance
        if perf is not None and perf.decayed:
            out["performance"] = (perf, 1.0)  # a z-test at α: it waits for its checks
        return out

    def _severity(self, what: FeatureDrift | Performance) -> Severity:
        return Severity.CRITICAL if isinstance(what, Performance) else Severity.WARNING

    def _title(
        self, served: Served, paging: list[FeatureDrift | Performance]
    ) -> Callable[[FeatureDrift | Performance], str]:
        """The title of each paging finding: the model and version, the column first, then the
        run's other paging columns (an incident takes its first finding's title)."""
        o = self.options
        name = f"model {o.model}" + (f" v{served.version}" if served.version else "")
        tail = (
            f"; version {served.version} was registered within the window"
            if served.coincides
            else ""
        )

        def title(what: FeatureDrift | Performance) -> str:
            others = [_said(w) for w in paging if w is not what and isinstance(w, FeatureDrift)]
            also = ", ".join(others[:MAX_NAMED])
            also += f" (+{len(others) - MAX_NAMED} more)" if len(others) > MAX_NAMED else ""
            return f"{name}: {_said(what, ' drifted')}" + (f"; also {also}" if also else "") + tail

        return title

    def _evidence(self, what: FeatureDrift | Performance) -> dict[str, str | float]:
        if isinstance(what, Performance):
            return {"metric": what.metric, "reference": what.reference, "current": what.current}
        return {
            "feature": what.name,
            "role": what.role.value,
            "test": what.test,
            "statistic": round(what.statistic, 6),
            "p_value": what.p_value,
            "adjusted_p": what.adjusted_p,
            what.distance_name: round(what.distance, 6),
            "cause": what.cause.value if what.cause else "",
            "cause_detail": what.cause_detail,
            "distribution": json.dumps(what.distribution.model_dump()),
        }

    def _pending(
        self,
        resource: str,
        what: FeatureDrift | Performance,
        evidence: dict[str, str | float],
        served: Served,
        streak: int,
        pager: PagingPlan,
    ) -> Finding:
        """A flagged column waiting for its consecutive checks: recorded, never paged."""
        o = self.options
        said = _said(what, " flagged")
        title = (
            f"model {o.model}: {said} in {streak} consecutive check(s); "
            f"pages at {pager.consecutive} (pending)"
        )
        facts: dict[str, str | float | bool] = {"model": o.model, "alias": o.alias, **evidence}
        facts |= served.evidence() | {"pending": True}
        return Finding(
            watcher=self.name,
            kind="model_drift",
            resource=f"{o.model}/{PENDING}{resource}",
            severity=Severity.INFO,
            title=title,
            service=self.service,
            evidence=facts,
        )

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
