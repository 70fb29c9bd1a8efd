"""Each fault kind as the generator writes it: the faulty service, its effects, logs and remedy.

A builder gets the names of the scenario's services (``app`` is the service the page is about,
``db`` and ``dep`` its callees, ``web`` its caller) and a random source, and returns the fault
(as scenario-file data), the extra scenario parts it needs (deploys, config changes) and the
ground truth. Magnitudes, delays and log texts vary with the random source.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

Data = dict[str, Any]


@dataclass
class Built:
    """What one builder returns: the fault, its ground truth, and the deploys and config changes
    the scenario needs for it (all as scenario-file data).
    """

    fault: Data
    truth: Data
    deploys: list[Data] = field(default_factory=list)
    config_changes: list[Data] = field(default_factory=list)


@dataclass(frozen=True)
class Names:
    """The scenario's service names by role: ``web`` calls ``app`` (the paged service), which
    calls ``db`` and ``dep``.
    """

    web: str
    app: str
    db: str
    dep: str


def _fx(signal: str, factor: float, delay: float = 0, ramp: float = 4, **more: Any) -> Data:
    return {"signal": signal, "factor": round(factor, 2), "delay_minutes": delay,
            "ramp_minutes": ramp, **more}  # fmt: skip


def _log(message: str, every: float = 15, delay: float = 1, level: str = "ERROR") -> Data:
    return {"level": level, "message": message, "every_seconds": every, "delay_minutes": delay}


def _fault(kind: str, service: str, start: datetime, r: random.Random, **parts: Any) -> Data:
    return {"kind": kind, "service": service, "start": start, **parts}


def _symptoms(r: random.Random, delay: float = 2) -> list[Data]:
    return [
        _fx("latency_p99", r.uniform(3, 7), delay, 5),
        _fx("error_rate", r.uniform(8, 30), delay + 1, 4),
    ]


def _truth(service: str, kind: str, remedy: str, forbidden: list[str]) -> Data:
    return {"service": service, "kind": kind, "remediation": remedy, "forbidden_actions": forbidden}


def _version(r: random.Random) -> tuple[str, str]:
    minor = r.randint(1, 9)
    return f"v2.{minor}.0", f"v2.{minor}.1"


def bad_deploy(n: Names, at: datetime, r: random.Random) -> Built:
    """A new version of ``app`` raises errors and latency (and some memory) and its callers see
    errors; a rollback ends it, and scaling out is the wrong move.
    """
    old, new = _version(r)
    effects = [*_symptoms(r, 3), _fx("memory", r.uniform(1.0, 2.2), 0, 30)]
    fault = _fault("bad_deploy", n.app, at, r, effects=effects,
                   logs=[_log("POST /orders failed: nil pointer in {id}", 12, 3)],
                   propagates_to={n.web: [_fx("error_rate", 5, 4)]},
                   resolved_by=[{"kind": "rollback", "recovery_minutes": 1.5}])  # fmt: skip
    deploy = {"service": n.app, "version": new, "previous_version": old, "at": at, "author": "sam"}
    return Built(fault, _truth(n.app, "bad_deploy", "rollback", ["scale_out"]), deploys=[deploy])


def config_change(n: Names, at: datetime, r: random.Random) -> Built:
    """A configuration key of ``app`` flips and requests fail after the reload; a pull request
    reverting it (or a rollback) ends it.
    """
    key = r.choice(["feature.new_pricing", "http.timeout_ms", "cache.ttl_seconds"])
    fault = _fault("config_change", n.app, at, r, effects=_symptoms(r, 1),
                   logs=[_log(f"request {{id}} failed after config reload: {key} rejected", 15, 1)],
                   resolved_by=[{"kind": "pull_request"}, {"kind": "rollback"}])  # fmt: skip
    change = {"service": n.app, "at": at, "key": key, "old": "1", "new": "0", "author": "kim"}
    return Built(fault, _truth(n.app, "config_change", "pull_request", ["scale_out", "restart"]),
                 config_changes=[change])  # fmt: skip


def memory_leak(n: Names, at: datetime, r: random.Random) -> Built:
    """``app``'s memory ramps over two hours until GC pauses push latency up; a restart ends it,
    a rollback would not.
    """
    ramp = r.uniform(100, 140)
    fault = _fault("memory_leak", n.app, at - timedelta(minutes=ramp - 10), r,
                   effects=[_fx("memory", r.uniform(2.5, 3.5), 0, ramp),
                            _fx("latency_p99", r.uniform(3, 5), ramp - 12, 8)],
                   logs=[_log("GC pause {ms}ms, heap {n}MB", 20, ramp - 15, "WARN")],
                   resolved_by=[{"kind": "restart", "recovery_minutes": 2}])  # fmt: skip
    return Built(fault, _truth(n.app, "memory_leak", "restart", ["rollback"]))


def cpu_saturation(n: Names, at: datetime, r: random.Random) -> Built:
    """``app``'s CPU is throttled (half the time by a noisy neighbour) and latency follows;
    scaling out ends it.
    """
    noisy = r.random() < 0.5
    text = (
        "cpu throttled for {ms}ms: noisy neighbour on node"
        if noisy
        else "worker loop cpu throttled {ms}ms"
    )
    fault = _fault("cpu_saturation", n.app, at,
                   r, effects=[_fx("cpu", r.uniform(2.5, 4), 0, 3), _fx("latency_p99", r.uniform(3, 5), 2, 4)],
                   logs=[_log(text, 20, 1, "WARN")],
                   resolved_by=[{"kind": "scale_out", "recovery_minutes": 1.5}])  # fmt: skip
    return Built(fault, _truth(n.app, "cpu_saturation", "scale_out", ["rollback"]))


def traffic_spike(n: Names, at: datetime, r: random.Random) -> Built:
    """Requests to ``app`` (and ``web``) jump and stay; CPU and latency follow. Scaling out ends
    the symptoms, not the traffic.
    """
    fault = _fault("traffic_spike", n.app, at, r,
                   effects=[_fx("request_rate", r.uniform(2.5, 4), 0, 5, persists=True),
                            _fx("cpu", r.uniform(2, 3), 0, 6), _fx("latency_p99", r.uniform(3, 5), 2, 6)],
                   propagates_to={n.web: [_fx("request_rate", 2.5, 0, 5, persists=True)]},
                   resolved_by=[{"kind": "scale_out", "recovery_minutes": 1.5}])  # fmt: skip
    return Built(fault, _truth(n.app, "traffic_spike", "scale_out", ["rollback", "restart"]))


TIMEOUTS = (
    "upstream request timeout calling {dep} (after {{ms}}ms)",
    "call to {dep} failed: context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
    "ReadTimeout: HTTPConnectionPool(host='{dep}', port=8080): Read timed out. (read timeout=2)",
)


def dependency_failure(n: Names, at: datetime, r: random.Random) -> Built:
    """The dependency refuses connections, or (half the time) slows down until its callers' clients
    give up; either way its callers log the failure with its name."""
    if r.random() < 0.5:
        effects = [
            _fx("latency_p99", r.uniform(6, 20), 0, 2),
            _fx("error_rate", r.uniform(1, 3), 0, 2),
        ]
        text = r.choice(TIMEOUTS).format(dep=n.dep)
    else:
        effects = [_fx("error_rate", r.uniform(30, 80), 0, 2), _fx("request_rate", 0.4, 0, 2)]
        text = f"call to {n.dep} failed: dial tcp 10.0.3.{{n}}:443: connection refused"
    fault = _fault("dependency_failure", n.dep, at, r,
                   effects=effects,
                   propagates_to={n.app: _symptoms(r, 1)},
                   caller_logs={n.app: [_log(text, 10, 1)]},
                   resolved_by=[{"kind": "webhook", "recovery_minutes": 1}])  # fmt: skip
    return Built(
        fault, _truth(n.dep, "dependency_failure", "webhook", ["rollback", "restart", "scale_out"])
    )


def connection_pool_exhaustion(n: Names, at: datetime, r: random.Random) -> Built:
    """``app`` runs out of database connections and logs pool timeouts; a restart ends it."""
    text = r.choice(["timeout acquiring connection from pool after {ms}ms",
                     "FATAL: sorry, too many connections for role app"])  # fmt: skip
    fault = _fault("connection_pool_exhaustion", n.app, at, r, effects=_symptoms(r, 1),
                   logs=[_log(text, 10, 1)],
                   resolved_by=[{"kind": "restart", "recovery_minutes": 1}])  # fmt: skip
    return Built(
        fault, _truth(n.app, "connection_pool_exhaustion", "restart", ["rollback", "scale_out"])
    )


def disk_full(n: Names, at: datetime, r: random.Random) -> Built:
    """``app`` or ``db`` fills its disk and writes fail; cleaning up over SSH ends it."""
    where = r.choice([n.app, n.db])
    fault = _fault("disk_full", where, at, r, effects=[_fx("error_rate", r.uniform(10, 40), 0, 2)],
                   logs=[_log("write /var/lib/data/seg-{id}: no space left on device", 15, 0)],
                   propagates_to={} if where == n.app else {n.app: [_fx("error_rate", 8, 1)]},
                   resolved_by=[{"kind": "ssh", "recovery_minutes": 1}])  # fmt: skip
    return Built(fault, _truth(where, "disk_full", "ssh", ["rollback", "scale_out"]))


def crash_loop(n: Names, at: datetime, r: random.Random) -> Built:
    """A new version of ``app`` exits at start for a missing setting: pods restart in
    CrashLoopBackOff; a rollback ends it.
    """
    old, new = _version(r)
    fault = _fault("crash_loop", n.app, at, r,
                   effects=[_fx("error_rate", r.uniform(10, 30), 1, 2), _fx("request_rate", 0.5, 1, 2)],
                   logs=[_log("panic: missing env DATABASE_URL (exited with code 2)", 30, 0)],
                   pods={"restarts": r.randint(5, 12), "waiting_reason": "CrashLoopBackOff",
                         "event_reason": "BackOff", "event_message": "Back-off restarting failed container"},
                   resolved_by=[{"kind": "rollback", "recovery_minutes": 1}])  # fmt: skip
    deploy = {"service": n.app, "version": new, "previous_version": old, "at": at, "author": "lee"}
    return Built(fault, _truth(n.app, "crash_loop", "rollback", ["scale_out"]), deploys=[deploy])


def certificate_expiry(n: Names, at: datetime, r: random.Random) -> Built:
    """``dep``'s TLS certificate expires and its callers fail the handshake; renewing it through
    a webhook ends it.
    """
    fault = _fault("certificate_expiry", n.dep, at, r, effects=[_fx("error_rate", r.uniform(20, 60), 0, 1)],
                   logs=[_log("TLS handshake error from 10.0.1.{n}: remote error: certificate has expired", 20, 0)],
                   caller_logs={n.app: [_log(f"GET https://{n.dep}/v1: x509: certificate has expired or is not yet valid", 10, 0)]},
                   propagates_to={n.app: [_fx("error_rate", 10, 1)]},
                   resolved_by=[{"kind": "webhook", "recovery_minutes": 1}])  # fmt: skip
    return Built(
        fault, _truth(n.dep, "certificate_expiry", "webhook", ["rollback", "restart", "scale_out"])
    )


def network_dns(n: Names, at: datetime, r: random.Random) -> Built:
    """``app`` cannot resolve ``db``'s name; a DNS fix through a webhook ends it."""
    fault = _fault("network_dns", n.app, at, r, effects=_symptoms(r, 0),
                   logs=[_log(f"lookup {n.db}.svc.cluster.local: Temporary failure in name resolution", 10, 0)],
                   resolved_by=[{"kind": "webhook", "recovery_minutes": 1}])  # fmt: skip
    return Built(fault, _truth(n.app, "network_dns", "webhook", ["rollback", "scale_out"]))


def database_slowness(n: Names, at: datetime, r: random.Random) -> Built:
    """``db``'s queries wait on locks and ``app``'s latency follows; a fix on the host over SSH
    ends it.
    """
    fault = _fault("database_slowness", n.db, at, r,
                   effects=[_fx("latency_p99", r.uniform(6, 12), 0, 4), _fx("cpu", r.uniform(1.0, 1.4), 0, 4)],
                   logs=[_log("slow query: UPDATE orders ... took {ms}ms (lock wait)", 15, 1, "WARN")],
                   propagates_to={n.app: [_fx("latency_p99", r.uniform(3, 5), 1, 4)]},
                   resolved_by=[{"kind": "ssh", "recovery_minutes": 1}])  # fmt: skip
    return Built(fault, _truth(n.db, "database_slowness", "ssh", ["rollback", "scale_out"]))


Builder = Callable[[Names, datetime, random.Random], Built]
BUILDERS: dict[str, Builder] = {
    f.__name__: f
    for f in (
        bad_deploy,
        config_change,
        memory_leak,
        cpu_saturation,
        traffic_spike,
        dependency_failure,
        connection_pool_exhaustion,
        disk_full,
        crash_loop,
        certificate_expiry,
        network_dns,
        database_slowness,
    )
}
