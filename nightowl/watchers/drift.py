"""``kind: drift`` — infrastructure changed by hand outside Terraform, OpenTofu or Pulumi.

Each run reads a plan: the plan JSON CI produced (``options.plan``), or, with ``options.binary``
(``terraform`` or ``tofu``), a refresh-only plan it runs in ``options.workdir``
(``terraform.command``, then ``show -json``); or Pulumi's ``preview --refresh
--expect-no-changes --json`` output (``options.pulumi_preview``, or run with ``options.pulumi``;
``pulumi.py``). For every drifted resource it decides by the
options' rules (address globs; the first of ``revert``, ``adopt`` that matches, else
``default``):

- **adopt**: a pull request that updates the resource's HCL in ``options.repo`` to the real
  state, edited in place (``hcl.py``), with its diff;
- **revert**: a plan to re-apply the code (``terraform apply -target=…``) for a human to run.

A Pulumi program is code in a general-purpose language, not HCL: adopting is said to be done by
hand (the properties and their real values are in the finding); reverting is
``pulumi up --target <urn>``.

The finding carries the changed attributes, the decision, the risk (``high`` for the
``risky`` resource types — IAM, security groups, firewalls by default — which also sets the
finding's severity), the commit of the code, and who changed it when, from audit events when
``options.events`` names a CloudTrail-format export (``Records``: ``eventTime``, ``eventName``,
``userIdentity``, ``resources[].ARN``).
"""

from __future__ import annotations

import asyncio
import difflib
import fnmatch
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nightowl.domain import ActionSpec, Risk
from nightowl.domain.findings import Finding, ProposedChange
from nightowl.domain.units import money
from nightowl.domain.vocabulary import Severity
from nightowl.errors import ConfigError, WatcherError
from nightowl.settings import Settings, WatcherConfig
from nightowl.settings.cost import CostSettings
from nightowl.watchers import hcl, pulumi, terraform
from nightowl.watchers.audit_events import AuditEvents
from nightowl.watchers.pricing import PriceTable
from nightowl.watchers.protocol import WatchContext

RISKY = ["aws_iam_*", "aws_security_group*", "aws_vpc_security_group_*", "*_firewall*",
         "google_project_iam_*", "azurerm_network_security_*", "kubernetes_role*"]  # fmt: skip


class DriftRules(BaseModel):
    """How drift is decided: address globs that adopt or revert, the default, risky types."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Literal["adopt", "revert"] = "adopt"
    adopt: list[str] = Field(default_factory=list)
    revert: list[str] = Field(default_factory=lambda: list(RISKY))
    risky: list[str] = Field(default_factory=lambda: list(RISKY))

    def decide(self, address: str, type_: str) -> Literal["adopt", "revert"]:
        """``revert`` globs first (safety wins), then ``adopt``, then the default."""
        if any(
            fnmatch.fnmatchcase(address, g) or fnmatch.fnmatchcase(type_, g) for g in self.revert
        ):
            return "revert"
        if any(fnmatch.fnmatchcase(address, g) for g in self.adopt):
            return "adopt"
        return self.default

    def risk(self, type_: str) -> Risk:
        return Risk.HIGH if any(fnmatch.fnmatchcase(type_, g) for g in self.risky) else Risk.LOW


class DriftOptions(BaseModel):
    """``options`` of a ``kind: drift`` watcher."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    repo: Path = Field(description="The checkout holding the HCL (a git repository).")
    plan: Path | None = Field(default=None, description="A plan JSON (terraform show -json).")
    binary: str | None = Field(default=None, description="terraform or tofu: run the plan.")
    workdir: Path | None = Field(default=None, description="Where to run it (default: repo).")
    pulumi: str | None = Field(default=None, description="The pulumi binary: run the preview.")
    pulumi_preview: Path | None = Field(
        default=None, description="A saved `pulumi preview --refresh --json` output."
    )
    stack: str | None = Field(default=None, description="The Pulumi stack (default: selected).")
    repo_path: str = Field(default="", description="The repo's folder in the Git repository.")
    events: Path | None = Field(default=None, description="CloudTrail-format audit events.")
    rules: DriftRules = DriftRules()
    service: str = Field(default="", description="The service findings are about.")


class DriftWatcher:
    """Finds drift and proposes its fix. Only reads (the plan, the repository, the events)."""

    def __init__(
        self,
        name: str,
        options: DriftOptions,
        timeout: float = 600.0,
        prices: PriceTable | None = None,
    ) -> None:
        self.name, self.options, self.timeout = name, options, timeout
        self.prices = prices or PriceTable(CostSettings())

    @classmethod
    def from_config(cls, config: WatcherConfig, settings: Settings) -> DriftWatcher:
        hcl.require()
        try:
            options = DriftOptions.model_validate(config.options)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"watcher {config.name!r}: options.{where}: {first['msg']}") from None
        given = (options.plan, options.binary, options.pulumi, options.pulumi_preview)
        if all(g is None for g in given):
            raise ConfigError(
                f"watcher {config.name!r}: give options.plan or options.binary "
                "(or options.pulumi_preview or options.pulumi)"
            )
        return cls(config.name, options, config.timeout_seconds, PriceTable(settings.cost))

    async def check(self, ctx: WatchContext) -> list[Finding]:
        found = await self._drifted()
        events = AuditEvents.read(self.options.events, self.name) if self.options.events else None
        commit = await _git(self.options.repo, "rev-parse", "HEAD")
        return [self.finding(d, events, commit) for d in found]

    async def _drifted(self) -> list[terraform.Drifted]:
        o = self.options
        if o.plan is None and o.binary is None and (o.pulumi_preview or o.pulumi):
            return await self._pulumi()
        return terraform.drifted(await self._plan())

    async def _pulumi(self) -> list[terraform.Drifted]:
        """The saved preview, else the preview run (its JSON is printed whatever the exit code:
        ``--expect-no-changes`` fails the command exactly when there is drift)."""
        if self.options.pulumi_preview is not None:
            try:
                return pulumi.drifted(self.options.pulumi_preview.read_bytes(), self.name)
            except OSError as exc:
                where = self.options.pulumi_preview
                raise WatcherError(
                    f"cannot read {where}: {exc.strerror}", watcher=self.name
                ) from None
        assert self.options.pulumi is not None
        argv = pulumi.command(self.options.pulumi, self.options.stack)
        _code, stdout = await self._run(argv, self.options.workdir or self.options.repo)
        return pulumi.drifted(stdout, self.name)

    async def _plan(self) -> terraform.Plan:
        if self.options.plan is not None:
            return terraform.read_plan(self.options.plan, self.name)
        assert self.options.binary is not None
        workdir = self.options.workdir or self.options.repo
        with tempfile.TemporaryDirectory(prefix="nightowl-drift-") as tmp:
            out = Path(tmp) / "drift.tfplan"
            code, stdout = await self._run(terraform.command(self.options.binary, out), workdir)
            terraform.stream_drift(stdout, self.name)  # raises with the error diagnostics
            if code == 0:
                return terraform.Plan(format_version="1.2")
            if code != 2:
                raise WatcherError(f"the plan exited {code}", watcher=self.name, retryable=True)
            code, shown = await self._run(terraform.show_command(self.options.binary, out), workdir)
            if code != 0:
                raise WatcherError(f"show -json exited {code}", watcher=self.name, retryable=True)
            return terraform.parse_plan(shown, self.name)

    async def _run(self, argv: list[str], cwd: Path) -> tuple[int, str]:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            raise WatcherError(f"cannot run {argv[0]}: {exc.strerror}", watcher=self.name) from None
        try:
            stdout, _ = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            process.kill()
            raise WatcherError(
                f"{argv[0]} {argv[1]} timed out", watcher=self.name, retryable=True
            ) from None
        return process.returncode or 0, stdout.decode("utf-8", "replace")

    def finding(
        self, drift: terraform.Drifted, events: AuditEvents | None, commit: str | None
    ) -> Finding:
        """The finding of one drifted resource, with its decision and proposed change."""
        rules = self.options.rules
        changes = hcl.changed_paths(drift.code, drift.real)
        decision = rules.decide(drift.address, drift.type)
        risk = rules.risk(drift.type)
        evidence: dict[str, str | int | float | bool | None] = {
            "attributes": ", ".join(hcl.labels(list(changes))),
            "decision": decision,
            "risk": risk.value,
            "code_commit": commit,
        }
        evidence |= events.who(drift.real) if events else {}
        code_cost = self.prices.monthly(drift.type, drift.code)
        real_cost = self.prices.monthly(drift.type, drift.real)
        cost = round(code_cost[0] - real_cost[0], 2) if code_cost and real_cost else None
        if real_cost:
            evidence["monthly_cost_now"] = round(real_cost[0], 2)
        if decision == "adopt" and drift.tool == "pulumi":
            real = ", ".join(f"{k}={v!r}" for k, v in drift.real.items())
            proposed = ProposedChange(summary=f"adopt by hand: set {real} in the Pulumi program")
        elif decision == "adopt":
            proposed = self._adopt(drift, changes, risk, evidence)
        else:
            proposed = ProposedChange(
                summary=f"revert {drift.address} to the code: re-apply it", plan=self._revert(drift)
            )
        return Finding(
            watcher=self.name,
            kind="drift",
            resource=drift.address,
            severity=Severity.HIGH if risk is Risk.HIGH else Severity.WARNING,
            title=f"{drift.address} changed outside the code ({len(changes)} attribute(s))",
            service=self.options.service,
            evidence=evidence,
            proposed=proposed,
            monthly_cost_delta=cost
            if decision == "revert"
            else (0.0 if cost is not None else None),
        )

    def _revert(self, drift: terraform.Drifted) -> str:
        """The command a human runs to re-apply the code to this one resource."""
        if drift.tool == "pulumi":
            stack = f" --stack {self.options.stack}" if self.options.stack else ""
            return f"{self.options.pulumi or 'pulumi'} up{stack} --target '{drift.address}'"
        return f"{self.options.binary or 'terraform'} apply -target={drift.address}"

    def _adopt(
        self,
        drift: terraform.Drifted,
        changes: dict[hcl.Key, Any],
        risk: Risk,
        evidence: dict[str, Any],
    ) -> ProposedChange:
        if drift.module_address:
            return ProposedChange(summary=f"adopt by hand: {drift.address} is in a module")
        found = hcl.find_resource(self.options.repo, drift.type, drift.name)
        if found is None:
            return ProposedChange(summary=f"adopt by hand: no .tf file declares {drift.address}")
        path, text = found
        try:
            edited = hcl.edit(text, drift.type, drift.name, changes)
        except ValueError as exc:
            return ProposedChange(summary=f"adopt by hand: {path.name}: {exc}")
        if edited.skipped:
            evidence["by_hand"] = "; ".join(f"{k}: {v}" for k, v in edited.skipped.items())
        if not edited.changed:
            return ProposedChange(summary=f"adopt by hand: {evidence.get('by_hand', '')}")
        relative = path.relative_to(self.options.repo).as_posix()
        target = "/".join(p for p in (self.options.repo_path.strip("/"), relative) if p)
        evidence["file"] = target
        diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                edited.text.splitlines(keepends=True),
                fromfile=f"a/{target}",
                tofile=f"b/{target}",
            )
        )
        digest = hashlib.sha256(
            json.dumps([drift.address, drift.real], sort_keys=True, default=str).encode()
        )
        action = ActionSpec(
            kind="pull_request",
            service=self.options.service,
            params={
                "path": target,
                "content": edited.text,
                "title": f"drift: adopt {drift.address}",
            },
            runbook="",
            risk=risk,
            reason=f"{drift.address} was changed outside the code ({', '.join(edited.changed)}); "
            "this updates the code to the real state" + _cost_line(evidence, self.prices.currency),
            rollback="close the pull request (nothing changes until a human merges it)",
            idempotency_key=f"drift-{digest.hexdigest()[:20]}",
        )
        summary = f"adopt: update {target} to the real {', '.join(edited.changed)}"
        return ProposedChange(summary=summary, diff=diff, action=action)


def _cost_line(evidence: dict[str, Any], currency: str) -> str:
    """The pull request's cost line: adopting changes no running cost (it already runs)."""
    now = evidence.get("monthly_cost_now")
    if now is None:
        return ""
    return f". Cost: {money(0, currency)}/month (it already runs at {currency}{now:,.2f}/month)"


async def _git(repo: Path, *args: str) -> str | None:
    """One line of ``git -C repo args`` (None when it is not a git repository)."""
    try:
        process = await asyncio.create_subprocess_exec(
            "git",
            "-C",
            str(repo),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return None
    out, _ = await process.communicate()
    return out.decode().strip() or None if process.returncode == 0 else None
