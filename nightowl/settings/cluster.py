"""Settings of a cluster of nightowl processes: the role each plays and how work is shared.

One process (``role: all``, the default) does everything. Several processes on one PostgreSQL
split it: ``api`` replicas authenticate, make alerts durable and answer; ``worker`` processes run
the incident workflows from DBOS queues. See ``docs/scale-out.md``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from nightowl.settings.base import Section

ServeRole = Literal["api", "worker", "all"]


class LlmRateLimit(Section):
    """At most ``limit`` LLM investigations start in any ``period_seconds`` across the cluster."""

    limit: int = Field(default=30, ge=1)
    period_seconds: float = Field(default=60.0, gt=0)


class ClusterSettings(Section):
    """What this process does in a cluster (``serve --role`` overrides ``role``)."""

    role: ServeRole = Field(
        default="all",
        description="api: webhooks and the API, no workflows; worker: incident workflows from "
        "the queues; all: both (one process).",
    )
    worker_concurrency: int = Field(
        default=8,
        ge=1,
        le=1000,
        description="Incident workflows one worker process runs at once (a DBOS queue limit).",
    )
    executor_id: str | None = Field(
        default=None,
        max_length=100,
        description="This process's DBOS executor id; default: role, host name and a random "
        "suffix (unique per process).",
    )
    queue_poll_seconds: float = Field(
        default=0.25,
        gt=0,
        le=10,
        description="How often a worker looks for queued workflows.",
    )
    heartbeat_seconds: float = Field(
        default=2.0, gt=0, le=60, description="How often a worker writes its heartbeat."
    )
    dead_after_seconds: float = Field(
        default=15.0,
        gt=0,
        le=3600,
        description="A worker silent this long is dead: a live one recovers its workflows.",
    )
    llm_rate: LlmRateLimit = LlmRateLimit()

    @model_validator(mode="after")
    def _dead_after_beats(self) -> ClusterSettings:
        if self.dead_after_seconds < 3 * self.heartbeat_seconds:
            raise ValueError(
                "cluster.dead_after_seconds must be at least 3 heartbeats "
                f"(3 x {self.heartbeat_seconds:g}s), or a slow worker is taken for dead"
            )
        return self
