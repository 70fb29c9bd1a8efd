"""Fourteen days of a small cluster's metrics as OpenMetrics text, for backfilling a real
Prometheus (cAdvisor's and kube-state-metrics' metric names and labels).

- ``web`` (namespace ``shop``): 6 replicas holding 1 core and 1 GiB each; together they use
  0.5–1.0 cores, for one hour 1.2, and 1.5 GiB;
- ``api``: 2 replicas holding 1 core each, using 1.2–1.6 cores (sized right);
- ``report``: 1 replica holding 0.5 core, using nothing (idle);
- node pool ``general``: 4 nodes of 4 cores; the pods above run on its nodes;
- jobs ``nightly-<n>``: five past runs of about 20 minutes, and one running for 3 hours.
"""

from __future__ import annotations

import math

STEP = 300
DAYS = 14
GIB = 2**30

PODS = {  # pod → (workload, node, share of the workload's use)
    **{f"web-{i}": ("web", f"n{i % 4 + 1}", 1 / 6) for i in range(6)},
    **{f"api-{i}": ("api", f"n{i + 1}", 1 / 2) for i in range(2)},
    "report-0": ("report", "n4", 1.0),
}
REQUESTS = {"web": (1.0, GIB), "api": (1.0, GIB), "report": (0.5, GIB // 2)}
REPLICAS = {"web": 6, "api": 2, "report": 1}


def cpu(workload: str, i: int, n: int) -> float:
    """Cores the workload uses at step ``i`` of ``n``."""
    wave = (math.sin(i / 288 * 2 * math.pi) + 1) / 2  # a daily cycle, 0..1
    if workload == "web":
        return 1.2 if n // 2 <= i < n // 2 + 12 else 0.5 + 0.5 * wave  # one hour at the peak
    if workload == "api":
        return 1.2 + 0.4 * wave
    return 0.0


def openmetrics(now: float) -> str:
    n = DAYS * 24 * 3600 // STEP
    start = now - n * STEP
    lines = ["# TYPE container_cpu_usage_seconds counter"]
    for pod, (wl, node, share) in PODS.items():
        total = 0.0
        for i in range(n):
            total += cpu(wl, i, n) * share * STEP
            labels = f'namespace="shop",pod="{pod}",container="{wl}",node="{node}"'
            lines.append(
                f"container_cpu_usage_seconds_total{{{labels}}} {total:.3f} {start + i * STEP:.0f}"
            )
    lines.append("# TYPE container_memory_working_set_bytes gauge")
    for pod, (wl, node, share) in PODS.items():
        for i in range(n):
            used = {"web": 1.5 * GIB, "api": 1.2 * GIB, "report": 50 * 2**20}[wl]
            labels = f'namespace="shop",pod="{pod}",container="{wl}",node="{node}"'
            lines.append(
                f"container_memory_working_set_bytes{{{labels}}} {used * share:.0f} {start + i * STEP:.0f}"
            )
    recent = [now - k * 60 for k in range(30, -1, -1)]  # gauges read "now" only
    lines.append("# TYPE kube_pod_container_resource_requests gauge")
    for resource, index in (("cpu", 0), ("memory", 1)):
        for pod, (wl, _node, _share) in PODS.items():
            labels = f'namespace="shop",pod="{pod}",container="{wl}",resource="{resource}"'
            lines += [
                f"kube_pod_container_resource_requests{{{labels}}} {REQUESTS[wl][index]} {t:.0f}"
                for t in recent
            ]
    lines.append("# TYPE kube_deployment_spec_replicas gauge")
    for wl, count in REPLICAS.items():
        lines += [
            f'kube_deployment_spec_replicas{{namespace="shop",deployment="{wl}"}} {count} {t:.0f}'
            for t in recent
        ]
    lines.append("# TYPE kube_node_labels gauge")  # joined over the whole window
    for node in ("n1", "n2", "n3", "n4"):
        lines += [
            f'kube_node_labels{{node="{node}",label_pool="general"}} 1 {start + i * STEP:.0f}'
            for i in range(n + 1)
        ]
    lines.append("# TYPE kube_node_status_allocatable gauge")
    for node in ("n1", "n2", "n3", "n4"):
        lines += [
            f'kube_node_status_allocatable{{node="{node}",resource="cpu"}} 4 {t:.0f}'
            for t in recent
        ]
    lines += _jobs(now, recent)
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def _jobs(now: float, recent: list[float]) -> list[str]:
    runs = {f"nightly-{k}": (now - (7 - k) * 86400, 1140 + 60 * k) for k in range(1, 6)}
    lines = ["# TYPE kube_job_status_start_time gauge"]
    for name, (began, _took) in runs.items():
        lines += [
            f'kube_job_status_start_time{{namespace="batch",job_name="{name}"}} {began:.0f} {t:.0f}'
            for t in recent
        ]
    lines += [
        f'kube_job_status_start_time{{namespace="batch",job_name="nightly-6"}} {now - 3 * 3600:.0f} {t:.0f}'
        for t in recent
    ]
    lines.append("# TYPE kube_job_status_completion_time gauge")
    for name, (began, took) in runs.items():
        lines += [
            f'kube_job_status_completion_time{{namespace="batch",job_name="{name}"}} {began + took:.0f} {t:.0f}'
            for t in recent
        ]
    lines.append("# TYPE kube_job_status_active gauge")
    for name in [*runs, "nightly-6"]:
        active = 1 if name == "nightly-6" else 0
        lines += [
            f'kube_job_status_active{{namespace="batch",job_name="{name}"}} {active} {t:.0f}'
            for t in recent
        ]
    return lines
