"""The DBOS queues incident work runs on, and which process listens to which.

* ``nightowl-incidents``: one workflow per incident; ``cluster.worker_concurrency`` of them run at
  once on each worker process.
* ``nightowl-remediation``: the act stage of each incident, as a child workflow partitioned by
  the incident's service with one running per partition across the cluster — two workers never
  act on one service at once.
* ``nightowl-llm``: the stages that call the LLM (diagnose, report) when one is configured, with
  DBOS's rate limiter (``cluster.llm_rate``): a storm of incidents starts at most ``limit`` LLM
  investigations per period across the cluster. The limiter is DBOS's own (its queue table in the
  system database counts recent starts), so every process shares it without a table of ours.

An ``api`` process listens to none of them: it enqueues, workers dequeue. Queues are registered
in the system database when DBOS launches (``register``); registering the same configuration
again is harmless, and a newer application version's configuration wins during a rolling upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from dbos import DBOS

from nightowl.domain import StageName
from nightowl.settings import ClusterSettings, ServeRole

INCIDENTS = "nightowl-incidents"
REMEDIATION = "nightowl-remediation"
LLM = "nightowl-llm"
ALL = (INCIDENTS, REMEDIATION, LLM)


@dataclass(frozen=True)
class Lane:
    """A queue some stages run on as child workflows; ``partitioned``: keyed by service."""

    queue: str
    partitioned: bool = False


def lanes(llm: bool) -> Mapping[StageName, Lane]:
    """Which stages leave the incident's workflow for a queue of their own."""
    out = {StageName.ACT: Lane(REMEDIATION, partitioned=True)}
    if llm:
        out |= {StageName.DIAGNOSE: Lane(LLM), StageName.REPORT: Lane(LLM)}
    return out


def listen(role: ServeRole) -> None:
    """Before DBOS launches: an api process dequeues nothing; a worker (or all) every queue."""
    if role == "api":
        DBOS.listen_queues([])


def register(cluster: ClusterSettings) -> None:
    """Write the queues' configuration into the system database (after DBOS launched).

    DBOS refuses its synchronous registration on a thread with a running event loop (the server
    launches inside its lifespan), so it runs on a short-lived thread of its own.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nightowl-queues") as pool:
        pool.submit(_register, cluster).result()


def _register(cluster: ClusterSettings) -> None:
    poll = cluster.queue_poll_seconds
    DBOS.register_queue(
        INCIDENTS, worker_concurrency=cluster.worker_concurrency, polling_interval_sec=poll
    )
    DBOS.register_queue(REMEDIATION, partition_concurrency=1, polling_interval_sec=poll)
    rate = {"limit": cluster.llm_rate.limit, "period": cluster.llm_rate.period_seconds}
    DBOS.register_queue(LLM, limiter=rate, polling_interval_sec=poll)  # type: ignore[arg-type]
