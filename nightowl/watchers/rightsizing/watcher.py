"""``kind: rightsizing`` — the rightsizing checks as a watcher: each run reads the window's
usage from a metrics connector and returns one finding per over-provisioned or idle workload or
node pool (with its saving as a negative monthly cost delta and a ``scale`` action for replica
cuts) and per runaway job.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from nightowl.connectors.protocols import MetricsSource
from nightowl.domain import ActionSpec
from nightowl.domain.findings import Finding, ProposedChange
from nightowl.domain.vocabulary import Severity
from nightowl.errors import ConfigError, NightowlError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers import hcl
from nightowl.watchers.cve.bump import diff
from nightowl.watchers.pricing import PriceTable
from nightowl.watchers.protocol import WatchContext
from nightowl.watchers.rightsizing.advise import Thresholds, runaway, size
from nightowl.watchers.rightsizing.manifest import lower_request
from nightowl.watchers.rightsizing.metrics import Queries, UsageReader
from nightowl.watchers.rightsizing.model import Prices, Resize, SizingFinding, SizingKind
from nightowl.watchers.rightsizing.pools import shrink_pool


class RightsizingOptions(BaseModel):
    """The ``options`` of a ``kind: rightsizing`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: str | None = Field(
        default=None, description="A metrics connector (default: the first)."
    )
    prices: Prices | None = Field(
        default=None,
        description="Capacity prices of this watcher alone; default: cost.cpu_hour/gib_hour, "
        "and replica cuts priced like a scale (OpenCost, then cost.replicas).",
    )
    thresholds: Thresholds = Thresholds()
    queries: Queries = Queries()
    node_pools: bool = True
    jobs: bool = True
    repo: Path | None = Field(default=None, description="The repository the manifests live in.")
    iac_repo: Path | None = Field(
        default=None,
        description="The checkout holding the node pools' Terraform: a smaller fixed-size pool "
        "becomes a pull request editing its node count there.",
    )
    manifests: list[Path] = Field(
        default_factory=list,
        description="Where workloads are declared (relative to repo): a lower request becomes "
        "a pull request editing resources.requests there.",
    )


class RightsizingWatcher:
    """A Watcher over one metrics backend. Reads only; safe to run concurrently."""

    def __init__(self, name: str, options: RightsizingOptions) -> None:
        self.name = name
        self.options = options

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> RightsizingWatcher:
        """The watcher of one ``watchers`` entry; ConfigError for bad options."""
        try:
            options = RightsizingOptions.model_validate(config.options)
        except ValueError as exc:
            raise ConfigError(f"watcher {config.name!r}: {exc}") from None
        if options.iac_repo is not None:
            hcl.require()  # node pools are edited with python-hcl2 (the iac extra)
        return cls(config.name, options)

    def _source(self, ctx: WatchContext) -> MetricsSource:
        for source in ctx.sources.metrics:
            if self.options.metrics in (None, source.name):
                return source
        wanted = self.options.metrics or "any"
        raise WatcherError(f"no metrics connector ({wanted}) to read usage from", watcher=self.name)

    async def check(self, ctx: WatchContext) -> list[Finding]:
        """Every sizing finding at ``ctx.now``; WatcherError when the backend cannot be read."""
        reader = UsageReader(self._source(ctx), self.options.queries)
        prices = self.options.prices or Prices.of(ctx.settings.cost)
        limits = self.options.thresholds
        try:
            usages = await reader.workloads(ctx.now)
            if self.options.node_pools:
                usages += await reader.pools(ctx.now)
            jobs = await reader.jobs(ctx.now) if self.options.jobs else []
        except NightowlError as exc:
            raise WatcherError(str(exc), watcher=self.name, retryable=True) from None
        found = [f for u in usages if (f := size(u, prices, limits))]
        if self.options.prices is None:  # an override prices everything by the unit
            found = [replica_priced(f, ctx.prices()) for f in found]
        found += [f for j in jobs if (f := runaway(j, prices, limits))]
        return [self.finding(f) for f in found]

    def finding(self, found: SizingFinding) -> Finding:
        """One sizing finding as the shape's Finding."""
        subject = f"{found.namespace}/{found.subject}" if found.namespace else found.subject
        evidence: dict[str, str | int | float | bool | None] = {
            k: round(v, 4) for k, v in found.evidence.items()
        }
        evidence["reason"] = found.reason
        if found.priced_by:
            evidence["priced_by"] = found.priced_by
        return Finding(
            watcher=self.name, kind=f"rightsizing.{found.kind.value}", resource=subject,
            severity=Severity.HIGH if found.kind is SizingKind.RUNAWAY else Severity.INFO,
            title=found.reason.split(";")[0], service=found.subject if found.namespace else "",
            evidence=evidence, fingerprint=_fingerprint(found),
            monthly_cost_delta=-found.saving_per_month if found.saving_per_month else None,
            proposed=self._proposed(found, subject),
        )  # fmt: skip

    def _proposed(self, found: SizingFinding, subject: str) -> ProposedChange | None:
        resize = found.resize
        if resize is None:
            return None
        summary = resize.describe(subject)
        if resize.replicas_to is None and found.namespace and self.options.manifests:
            return self._request_pr(found, resize, summary)
        if found.namespace == "" and resize.replicas_to is not None and self.options.iac_repo:
            return self._pool_pr(found, resize.replicas_to, summary)
        if resize.replicas_to is None or found.namespace == "":
            return ProposedChange(summary=summary)  # a request or node-pool change: by hand
        action = ActionSpec(
            kind="scale", service=found.subject, runbook=f"watcher:{self.name}", risk="low",
            params={"replicas": resize.replicas_to},
            reason=f"{found.reason} (saves ${found.saving_per_month:,.2f}/month)",
            rollback=f"scale back to {resize.replicas_from} replicas",
            idempotency_key=f"rightsizing-{found.namespace}-{found.subject}-{resize.replicas_to}",
        )  # fmt: skip
        return ProposedChange(summary=summary, action=action)

    def _request_pr(self, found: SizingFinding, resize: Resize, summary: str) -> ProposedChange:
        """A lower request as a pull request editing the manifest that declares it; the summary
        alone (for a person) when no manifest declares it."""
        repo = self.options.repo
        roots = [p if p.is_absolute() or repo is None else repo / p for p in self.options.manifests]
        per_pod = resize.per_pod_to or 0.0
        edit = lower_request(roots, found.namespace, found.subject, str(resize.resource), per_pod)
        if edit is None or per_pod <= 0:
            return ProposedChange(summary=summary + " (no manifest declares a higher request)")
        path = edit.path.relative_to(repo) if repo and edit.path.is_relative_to(repo) else edit.path
        how = f"lower {found.subject}'s {resize.resource} request {edit.old} → {edit.new} per pod"
        action = ActionSpec(
            kind="pull_request", service=found.subject, runbook=f"watcher:{self.name}",
            risk="low", reason=f"{found.reason} (saves ${found.saving_per_month:,.2f}/month)",
            rollback="close the pull request (or revert it if merged)",
            params={"path": str(path), "content": edit.after, "title": f"Rightsize: {how}"},
            idempotency_key=f"rightsizing-{found.namespace}-{found.subject}-{resize.resource}-{edit.new}",
        )  # fmt: skip
        return ProposedChange(
            summary=how, diff=diff(str(path), edit.before, edit.after), action=action
        )

    def _pool_pr(self, found: SizingFinding, nodes: int, summary: str) -> ProposedChange:
        """A smaller node pool as a pull request editing its Terraform; the summary with the
        reason when the code cannot be edited safely."""
        assert self.options.iac_repo is not None
        repo = self.options.iac_repo
        edit = shrink_pool(repo, found.subject, nodes)
        if isinstance(edit, str):
            return ProposedChange(summary=f"{summary} ({edit})")
        path = edit.path.relative_to(repo).as_posix()
        how = f"shrink node pool {found.subject} to {nodes} nodes ({edit.address})"
        action = ActionSpec(
            kind="pull_request", service=found.subject, runbook=f"watcher:{self.name}",
            risk="low", reason=f"{found.reason} (saves ${found.saving_per_month:,.2f}/month)",
            rollback="close the pull request (or revert it if merged)",
            params={"path": path, "content": edit.after, "title": f"Rightsize: {how}"},
            idempotency_key=f"rightsizing-pool-{found.subject}-{nodes}",
        )  # fmt: skip
        return ProposedChange(summary=how, diff=diff(path, edit.before, edit.after), action=action)


def replica_priced(found: SizingFinding, table: PriceTable) -> SizingFinding:
    """A workload's replica cut saved at the price a scale is charged (``PriceTable``: its
    OpenCost runtime cost ÷ its replicas, else ``cost.replicas``), so the saving and a
    scale-out's approval agree; ``evidence.priced_by`` says which. Request cuts, node pools and
    unpriced services keep the capacity price (``priced_by``: ``capacity``)."""
    resize = found.resize
    price = None
    if resize is not None and resize.replicas_to is not None and found.namespace:
        price = table.replica_price(found.subject, resize.replicas_from)
    if price is None or resize is None or resize.replicas_from is None:
        return found.model_copy(update={"priced_by": "capacity"})
    saving = round((resize.replicas_from - (resize.replicas_to or 0)) * price[0], 2)
    return found.model_copy(update={"saving_per_month": saving, "priced_by": price[1]})


def _fingerprint(found: SizingFinding) -> str:
    from nightowl.domain.findings import fingerprint_of

    return fingerprint_of("rightsizing", found.kind.value, found.namespace, found.subject)
