"""``kind: cost_review`` — the cost of a pull request that nightowl reviews (one it did not open).

A plan JSON CI produced for the pull request (``terraform show -json``) is priced — by a saved
``infracost diff --format json`` output, by Infracost when ``cost.infracost`` names its binary,
else by the ``cost:`` price table — and becomes one finding whose proposed change is a
``pull_request_comment``: the monthly delta per resource and in total, and what was not priced,
as a comment on the pull request. The comment goes through the gate, approvals, executor and
audit trail like every other write; the GitHub driver keeps one nightowl cost comment per pull
request (marker ``cost``), edited when a new plan prices differently.

The finding's fingerprint includes the review's text: a new plan is a new finding (so it is
proposed again) and the old one is marked fixed. ``nightowl cost diff --plan PLAN.json --pr N``
runs it once; as a configured watcher its ``options`` are ``plan``, ``pr`` and ``infracost``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.domain import ActionSpec, Risk
from nightowl.domain.cost import CostDiff
from nightowl.domain.findings import Finding, ProposedChange, fingerprint_of
from nightowl.domain.units import money
from nightowl.domain.vocabulary import Severity
from nightowl.errors import ConfigError, InputError
from nightowl.settings import Settings, WatcherConfig
from nightowl.watchers import infracost
from nightowl.watchers.pricing import PriceTable
from nightowl.watchers.protocol import WatchContext
from nightowl.watchers.terraform import read_plan

MARKER = "cost"
"""The comment's marker: one nightowl cost comment per pull request."""


class CostReviewOptions(BaseModel):
    """``options`` of a ``cost_review`` watcher."""

    model_config = ConfigDict(extra="forbid")

    plan: Path = Field(description="The pull request's plan JSON (terraform show -json).")
    pr: int = Field(gt=0, description="The pull request's number on the driver's repository.")
    infracost: Path | None = Field(default=None, description="A saved infracost diff JSON.")


def price(plan: Path, saved: Path | None, settings: Settings) -> CostDiff | None:
    """``plan`` priced without running anything (the ``saved`` Infracost output, else the price
    table); None when ``cost.infracost`` says Infracost must run (``infracost.run``)."""
    if saved is not None:
        try:
            return infracost.parse(saved.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read {saved}: {exc.strerror}") from None
    if settings.cost.infracost:
        return None
    return PriceTable(settings.cost).plan(read_plan(plan, "cost"))


def comment(priced: CostDiff, pr: int) -> str:
    """The review as Markdown: the total, a row per priced resource, what was not priced."""
    cur = priced.currency
    lines = [
        f"**nightowl: this change costs {money(priced.total, cur)}/month** "
        f"(priced by {priced.source})",
        "",
        "| resource | before | after | monthly delta |",
        "| --- | ---: | ---: | ---: |",
    ]
    for r in priced.resources:
        before = "–" if r.before is None else f"{cur}{r.before:,.2f}"
        after = "–" if r.after is None else f"{cur}{r.after:,.2f}"
        lines.append(f"| `{r.address}` | {before} | {after} | {money(r.delta, cur)} |")
    if not priced.resources:
        lines.append("| (nothing priced changes) | | | |")
    if priced.unpriced:
        lines += ["", "Not priced (no price known, never guessed): "]
        lines[-1] += ", ".join(f"`{a}`" for a in priced.unpriced)
    return "\n".join(lines)


def finding(watcher: str, priced: CostDiff, pr: int, service: str = "") -> Finding:
    """The cost of pull request ``pr`` as a finding proposing its review comment."""
    body = comment(priced, pr)
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    total = money(priced.total, priced.currency)
    action = ActionSpec(
        kind="pull_request_comment",
        service=service,
        params={"pr": pr, "body": body, "marker": MARKER},
        runbook="cost-review",
        risk=Risk.LOW,
        reason=f"pull request #{pr} changes the monthly cost by {total}",
        rollback="delete the comment (or restore the previous review)",
        idempotency_key=f"cost-pr{pr}-{digest}",
    )
    return Finding(
        watcher=watcher,
        kind="cost",
        resource=f"pull_request/{pr}",
        severity=Severity.INFO,
        title=f"pull request #{pr} changes the monthly cost by {total}",
        service=service,
        evidence={
            "total": priced.total,
            "priced_by": priced.source,
            "resources": len(priced.resources),
            "unpriced": len(priced.unpriced),
        },
        proposed=ProposedChange(summary=f"comment the cost on #{pr}", action=action),
        monthly_cost_delta=priced.total,
        fingerprint=fingerprint_of(watcher, "cost", f"pull_request/{pr}", digest),
    )


class CostReviewWatcher:
    """Prices one pull request's plan and proposes the review comment. Only reads."""

    def __init__(
        self, name: str, options: CostReviewOptions, settings: Settings, service: str = ""
    ) -> None:
        self.name, self.options, self.settings, self.service = name, options, settings, service

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> CostReviewWatcher:
        try:
            options = CostReviewOptions.model_validate(config.options)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"watcher {config.name!r}: options.{where}: {first['msg']}") from None
        return cls(config.name, options, settings, config.service)

    async def priced(self) -> CostDiff:
        """The plan priced (running Infracost when it is configured and no output is saved)."""
        found = price(self.options.plan, self.options.infracost, self.settings)
        if found is None:
            assert self.settings.cost.infracost
            found = await infracost.run(self.settings.cost.infracost, self.options.plan)
        return found

    async def check(self, ctx: WatchContext) -> list[Finding]:
        return [finding(self.name, await self.priced(), self.options.pr, self.service)]
