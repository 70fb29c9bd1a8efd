"""The page a failed canary analysis raises: an alert that enters intake like any other.

It goes through intake (grouping, silences, dedup: a page raised twice is one alert), opens an
incident and runs the whole pipeline — gather reads the deploy the analysis judged (it is in the
recorded deploys), diagnose weighs it with the rest of the evidence, the plan stage picks the
runbook, and the gate decides about the rollback as it would for any other incident. The alert
carries the analysis's verdict in its labels (``nightowl_canary``) and annotations, as evidence
for the diagnosis, never as an instruction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from nightowl.domain import Alert, AlertGroup, AlertStatus
from nightowl.domain.canary import CanaryRun, Verdict

SOURCE = "canary"
ALERTNAME = "CanaryAnalysisFailed"
LABEL = "nightowl_canary"
"""The label naming the analysis on the page (its value is the analysis's id)."""


def _hash(*parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def page_for(run: CanaryRun, severity: str, ended: datetime | None = None) -> AlertGroup:
    """The firing alert for a failed analysis, at the time of its last measurement; with
    ``ended``, the same alert resolved then (the incident it opened was resolved)."""
    deploy = run.deploy
    failed = [m for m in run.measurements if m.verdict is Verdict.FAIL]
    at = failed[-1].at if failed else run.started_at
    labels = {
        "alertname": ALERTNAME, "service": deploy.service, "severity": severity,
        "version": deploy.version, LABEL: run.id,
    }  # fmt: skip
    worst = [r for r in (failed[-1].metrics if failed else ()) if r.verdict is Verdict.FAIL]
    annotations = {
        "summary": f"{deploy.service} {deploy.version} is worse than "
        f"{deploy.previous_version or 'the version before'}: canary analysis failed",
        "description": run.summary,
        "deploy": f"{deploy.service} {deploy.version} at {deploy.at.isoformat()}",
        "metrics": ", ".join(r.metric for r in worst),
    }
    fingerprint = _hash(sorted(labels.items()))[:16]
    status = AlertStatus.FIRING if ended is None else AlertStatus.RESOLVED
    alert = Alert(
        source=SOURCE,
        fingerprint=fingerprint,
        content_hash=_hash(fingerprint, status, labels, annotations, at, ended)[:32],
        status=status,
        name=ALERTNAME,
        labels=labels,
        annotations=annotations,
        starts_at=at,
        ends_at=ended,
    )
    return AlertGroup(
        source=SOURCE,
        group_key=f"{SOURCE}:{run.id}",
        status=status,
        alerts=(alert,),
        common_labels=labels,
        common_annotations=annotations,
    )
