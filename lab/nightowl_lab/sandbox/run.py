"""Inject one fault and measure the whole chain: alert, diagnosis, action, recovery.

Detection is the first poll at which Prometheus reports one of the fault's alerts firing;
diagnosis is when nightowl's incident (opened after the injection) records its diagnosis;
recovery is the first poll, after nightowl verified recovery, at which Prometheus reports none of
the alerts that fired during the run. Every time is in seconds from the injection.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel

from nightowl_lab.sandbox import faults
from nightowl_lab.sandbox.lifecycle import SandboxState

QUIET_SECONDS = 45.0
"""Normal traffic before a fault: the baseline nightowl's change detection compares with."""
DONE = {"resolved", "escalated"}


class Diagnosed(BaseModel):
    """A root cause as the sandbox run compares it: fault kind and service (None when not named)."""

    kind: str | None
    service: str | None


class Acted(BaseModel):
    """One action nightowl took in the sandbox, and how it ended."""

    kind: str
    service: str
    status: str


class RunResult(BaseModel):
    """One fault injected into the sandbox and what nightowl made of it: the diagnosis against
    the expected one, the actions, whether the service recovered, and how long detection,
    diagnosis and recovery took.
    """

    fault: str
    expected: Diagnosed
    diagnosis: Diagnosed
    actions: list[Acted]
    incident: str | None
    alerts: list[str]
    correct: bool
    recovered: bool
    seconds_to_detect: float | None
    seconds_to_diagnose: float | None
    seconds_to_recover: float | None
    seconds_to_canary: float | None = None
    """When the canary analysis of the run's deploy failed it (its page's time), if it did."""
    verification: str | None


Progress = Callable[[str], None]


def run(
    state: SandboxState,
    name: str,
    *,
    quiet: float = QUIET_SECONDS,
    timeout: float = 240.0,
    progress: Progress = lambda _: None,
) -> RunResult:
    """Reset, wait ``quiet`` seconds, inject ``name``, then watch until recovery or ``timeout``."""
    fault = faults.fault(name)
    faults.reset(state)
    with httpx.Client(timeout=5.0) as http:
        for closed in close_escalated(state, http):
            progress(f"closed {closed}, escalated by the last run, as its on-call would")
    progress(f"normal traffic for {quiet:g}s (the baseline)")
    time.sleep(quiet)
    with httpx.Client(timeout=5.0) as http:
        listed = http.get(state.url("nightowl") + "/api/v1/incidents", headers=state.reader)
        listed.raise_for_status()
        known = {i["id"] for i in listed.json()}
        injected = time.monotonic()
        started_at = datetime.now(UTC)
        progress(faults.inject(state, name))
        watch = _Watch(state, http, known, injected, started_at)
        while time.monotonic() - injected < timeout and not watch.step(progress):
            time.sleep(1.0)
    incident = watch.incident or {}
    diagnosis = (incident.get("diagnosis") or {}).get("root_cause") or {}
    verification = incident.get("verification") or {}
    got = Diagnosed(kind=diagnosis.get("kind"), service=diagnosis.get("service"))
    return RunResult(
        fault=name,
        expected=Diagnosed(kind=fault.kind, service=fault.service),
        diagnosis=got,
        actions=[
            Acted(kind=a["kind"], service=a["service"], status=a["status"])
            for a in incident.get("actions", [])
        ],
        incident=incident.get("id"),
        alerts=sorted(watch.seen),
        correct=(got.kind, got.service) == (fault.kind, fault.service),
        recovered=bool(verification.get("recovered")) and watch.recovered is not None,
        seconds_to_detect=watch.detected,
        seconds_to_diagnose=watch.diagnosed,
        seconds_to_recover=watch.recovered,
        seconds_to_canary=_canary_seconds(incident, started_at),
        verification=verification.get("summary"),
    )


def close_escalated(state: SandboxState, http: httpx.Client) -> list[str]:
    """Close every escalated incident by hand (the reset restored the shop): otherwise a failed
    run's incident stays open while its pages fire, and the next fault's alerts join it."""
    url = state.url("nightowl") + "/api/v1/incidents"
    listed = http.get(url, params={"status": "escalated"}, headers=state.reader)
    listed.raise_for_status()
    closed = []
    for incident in listed.json():
        reason = {"reason": "sandbox reset: the shop is back to normal"}
        answer = http.post(f"{url}/{incident['id']}/resolve", json=reason, headers=state.reader)
        if answer.status_code == 200:
            closed.append(incident["id"])
    return closed


def _canary_seconds(incident: dict[str, Any], injected: datetime) -> float | None:
    """Seconds from the injection to the failed canary verdict whose page joined the incident."""
    pages = [a for a in incident.get("alerts", []) if a.get("name") == "CanaryAnalysisFailed"]
    if not pages:
        return None
    failed = min(datetime.fromisoformat(a["starts_at"]) for a in pages)
    return round((failed - injected).total_seconds(), 1)


class _Watch:
    """One poll at a time of Prometheus's alerts and nightowl's new incidents."""

    def __init__(
        self, state: SandboxState, http: httpx.Client, known: set[str], t0: float, at: datetime
    ) -> None:
        self.state, self.http, self.known, self.t0, self.at = state, http, known, t0, at
        self.seen: set[str] = set()
        self.incident: dict[str, Any] | None = None
        self.detected: float | None = None
        self.diagnosed: float | None = None
        self.recovered: float | None = None

    def step(self, progress: Progress) -> bool:
        """Poll once; True when the run is over."""
        elapsed = round(time.monotonic() - self.t0, 1)
        firing = self._firing()
        if firing and self.detected is None:
            self.detected = elapsed
            progress(f"{elapsed:5.1f}s  alert firing: {', '.join(sorted(firing))}")
        self.seen |= firing
        incident = self._incident()
        if incident is None:
            return False
        if incident.get("diagnosis") and self.diagnosed is None:
            decided = datetime.fromisoformat(incident["diagnosis"]["decided_at"])
            self.diagnosed = round((decided - self.at).total_seconds(), 1)
            cause = incident["diagnosis"].get("root_cause") or {}
            progress(f"{elapsed:5.1f}s  diagnosed: {cause.get('kind')} on {cause.get('service')}")
        if incident["status"] not in DONE:
            return False
        if not (incident.get("verification") or {}).get("recovered"):
            progress(f"{elapsed:5.1f}s  incident {incident['status']} without recovery")
            return True
        if not firing & self.seen:
            self.recovered = elapsed
            progress(f"{elapsed:5.1f}s  recovered: no alert firing, nightowl verified")
            return True
        return False

    def _firing(self) -> set[str]:
        try:
            alerts = self.http.get(self.state.url("prometheus") + "/api/v1/alerts").json()
        except (httpx.HTTPError, ValueError):
            return set()
        return {
            f"{a['labels']['alertname']}:{a['labels'].get('service')}"
            for a in alerts["data"]["alerts"]
            if a["state"] == "firing"
        }

    def _incident(self) -> dict[str, Any] | None:
        base = self.state.url("nightowl") + "/api/v1/incidents"
        try:
            reader = self.state.reader
            listed = self.http.get(base, headers=reader)
            listed.raise_for_status()
            new = [i for i in listed.json() if i["id"] not in self.known]
            if not new:
                return None
            # The first incident of the run (oldest new one) is the one the fault opened.
            first = min(new, key=lambda i: str(i["opened_at"]))
            got: dict[str, Any] = self.http.get(f"{base}/{first['id']}", headers=reader).json()
        except (httpx.HTTPError, ValueError):
            return self.incident
        self.incident = got
        return got
