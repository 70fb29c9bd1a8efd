"""Reading usage, requests and job durations from a Prometheus-compatible backend (the
``MetricsSource`` protocol), as instant queries evaluated over the window by the server
(``quantile_over_time`` / ``max_over_time`` subqueries), so no long series crosses the wire.

The defaults read cAdvisor's container metrics and kube-state-metrics, grouped by
``namespace`` and ``container`` (a Deployment's container is named after it in most charts;
set ``workload_label`` otherwise); node pools by the node label ``pool_label`` joined through
``kube_node_labels``. Every query is a template a team can replace in the watcher's options.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import Series
from nightowl.domain.base import Model
from nightowl.watchers.rightsizing.model import JobRun, Usage

GIB = 2**30


class Queries(Model):
    """PromQL templates; ``{window}``, ``{step}``, ``{rate}`` (the rate window: at least two
    scrape intervals), ``{by}``, ``{label}`` and ``{pool}`` are filled in."""

    window: str = "14d"
    step: str = "5m"
    rate: str = "5m"
    workload_label: str = "container"
    pool_label: str = "label_pool"
    cpu_used: str = (
        'sum by ({by}) (rate(container_cpu_usage_seconds_total{{container!=""}}[{rate}]))'
    )
    memory_used: str = 'sum by ({by}) (container_memory_working_set_bytes{{container!=""}})'
    cpu_requested: str = 'sum by ({by}) (kube_pod_container_resource_requests{{resource="cpu"}})'
    memory_requested: str = (
        'sum by ({by}) (kube_pod_container_resource_requests{{resource="memory"}})'
    )
    replicas: str = (
        'label_replace(kube_deployment_spec_replicas, "{label}", "$1", "deployment", "(.+)")'
    )
    pool_cpu_allocatable: str = (
        'sum by ({pool}) (kube_node_status_allocatable{{resource="cpu"}} '
        "* on (node) group_left ({pool}) kube_node_labels)"
    )
    pool_cpu_used: str = (
        'sum by ({pool}) (rate(container_cpu_usage_seconds_total{{container!=""}}[{rate}]) '
        "* on (node) group_left ({pool}) kube_node_labels)"
    )
    pool_nodes: str = "count by ({pool}) (kube_node_labels)"
    job_running: str = "time() - kube_job_status_start_time * on (namespace, job_name) (kube_job_status_active > 0)"
    job_durations: str = "max_over_time((kube_job_status_completion_time - kube_job_status_start_time)[{window}:{step}])"


def _key(series: Series, label: str) -> tuple[str, str]:
    return series.labels.get("namespace", ""), series.labels.get(label, "")


def _values(found: list[Series], label: str, scale: float = 1.0) -> dict[tuple[str, str], float]:
    return {_key(s, label): s.values[-1] / scale for s in found if s.values and _key(s, label)[1]}


class UsageReader:
    """Reads one window's usage from one backend. ConnectorError when a query fails."""

    def __init__(self, source: MetricsSource, queries: Queries | None = None) -> None:
        self.source = source
        self.q = queries or Queries()

    async def _over(self, template: str, how: str, at: datetime, by: str) -> list[Series]:
        inner = template.format(
            by=by, pool=self.q.pool_label, label=self.q.workload_label, rate=self.q.rate
        )
        fn = "quantile_over_time(0.95, " if how == "p95" else "max_over_time("
        return await self.source.query(f"{fn}({inner})[{self.q.window}:{self.q.step}])", at)

    async def _now(self, template: str, at: datetime, by: str) -> list[Series]:
        query = template.format(
            by=by, pool=self.q.pool_label, label=self.q.workload_label,
            window=self.q.window, step=self.q.step, rate=self.q.rate,
        )  # fmt: skip
        return await self.source.query(query, at)

    async def workloads(self, at: datetime) -> list[Usage]:
        """Each workload's requests now against its p95 and peak over the window."""
        label = self.q.workload_label
        by = f"namespace, {label}"
        stats: dict[str, dict[str, dict[tuple[str, str], float]]] = defaultdict(dict)
        for resource, used, requested, scale in (
            ("cpu", self.q.cpu_used, self.q.cpu_requested, 1.0),
            ("memory", self.q.memory_used, self.q.memory_requested, float(GIB)),
        ):
            stats["requested"][resource] = _values(await self._now(requested, at, by), label, scale)
            stats["p95"][resource] = _values(await self._over(used, "p95", at, by), label, scale)
            stats["peak"][resource] = _values(await self._over(used, "peak", at, by), label, scale)
        replicas = _values(await self._now(self.q.replicas, at, by), label)
        out = []
        for ns, name in sorted(set(stats["requested"]["cpu"]) | set(stats["requested"]["memory"])):
            pick = {k: {r: v.get((ns, name), 0.0) for r, v in stats[k].items()} for k in stats}
            out.append(
                Usage(subject=name, namespace=ns, replicas=int(replicas.get((ns, name), 1)),
                      requested=pick["requested"], p95=pick["p95"], peak=pick["peak"])
            )  # fmt: skip
        return out

    async def pools(self, at: datetime) -> list[Usage]:
        """Each node pool's allocatable CPU against its pods' p95 and peak use."""
        pool = self.q.pool_label
        held = {
            k[1]: v
            for k, v in _values(
                await self._now(self.q.pool_cpu_allocatable, at, pool), pool
            ).items()
        }
        p95 = {
            k[1]: v
            for k, v in _values(
                await self._over(self.q.pool_cpu_used, "p95", at, pool), pool
            ).items()
        }
        peak = {
            k[1]: v
            for k, v in _values(
                await self._over(self.q.pool_cpu_used, "peak", at, pool), pool
            ).items()
        }
        nodes = {
            k[1]: v for k, v in _values(await self._now(self.q.pool_nodes, at, pool), pool).items()
        }
        return [
            Usage(subject=name, kind="node pool", replicas=int(nodes.get(name, 1)),
                  requested={"cpu": cpu}, p95={"cpu": p95.get(name, 0.0)}, peak={"cpu": peak.get(name, 0.0)})
            for name, cpu in sorted(held.items())
        ]  # fmt: skip

    async def jobs(self, at: datetime) -> list[JobRun]:
        """Running jobs, each with the durations of the finished runs of the same job (a
        CronJob's runs share its name up to the last ``-``)."""
        running = await self._now(self.q.job_running, at, "")
        past = await self._now(self.q.job_durations, at, "")
        history: dict[tuple[str, str], list[float]] = defaultdict(list)
        for s in past:
            name = s.labels.get("job_name", "")
            if s.values and name:
                history[(s.labels.get("namespace", ""), name.rsplit("-", 1)[0])].append(
                    s.values[-1]
                )
        out = []
        for s in running:
            name = s.labels.get("job_name", "")
            if not s.values or not name:
                continue
            ns = s.labels.get("namespace", "")
            mine = tuple(history.get((ns, name.rsplit("-", 1)[0]), []))
            out.append(
                JobRun(job=name, namespace=ns, running_seconds=s.values[-1], past_seconds=mine)
            )
        return out
