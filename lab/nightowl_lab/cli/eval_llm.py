"""``nightowl eval-llm --scenarios DIR --llm PROVIDER:MODEL``: the scenario suite with and without
the LLM agent, side by side: accuracy, engine that decided, tokens, cost, rejected model output.

Each scenario runs twice through the real workflow (``nightowl eval``'s path: in-process webhook,
replay connectors, simulated cluster, autonomy act): once deterministic only, once with the agent.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from nightowl.cli.common import console, settings_from, user_errors
from nightowl.cli.options import ConfigOpt, DataDirOpt, JsonOpt
from nightowl.domain import Model
from nightowl.errors import ConfigError
from nightowl.settings import Settings
from nightowl.store import IncidentStore
from nightowl.store.llm import LlmStore
from nightowl_lab.cli.eval import run_scenario
from nightowl_lab.eval.scenarios import eval_settings, judge, scenario_files
from nightowl_lab.sim.scenario import bundled_names, bundled_scenario, load_scenario

PROVIDERS = ("openai", "openai-compatible", "anthropic", "bedrock")


class Side(Model):
    """One engine's answer on a scenario: what it named, whether that was right, and what the LLM
    calls cost (zeros for the deterministic side).
    """

    kind: str | None
    service: str | None
    correct: bool
    engine: str = "deterministic"
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    rejected: int = 0


class Comparison(Model):
    """One scenario run twice, without and with the LLM, against its truth."""

    scenario: str
    truth: str
    deterministic: Side
    llm: Side


def compare(base: Settings, files: list[Path], llm: dict[str, Any]) -> list[Comparison]:
    out = []
    for path in files:
        scenario = load_scenario(path)
        sides = []
        for label, section in (("deterministic", {"provider": "none"}), ("llm", llm)):
            raw = base.model_dump(mode="python") | {"llm": section}
            where = base.data_dir / "eval-llm" / label / scenario.name
            settings, token = eval_settings(Settings.model_validate(raw), path, where)
            incident = asyncio.run(run_scenario(settings, token, scenario))
            result = judge(scenario, incident)
            correct = result.top1_ok and result.kind_ok
            sides.append(_side(settings, incident.id, result.kind, result.service, correct))
        truth = scenario.truth
        out.append(
            Comparison(
                scenario=scenario.name,
                truth=f"{truth.kind} on {truth.service}" if truth else "?",
                deterministic=sides[0],
                llm=sides[1],
            )
        )
    return out


def _side(
    settings: Settings, incident_id: str, kind: str | None, service: str | None, correct: bool
) -> Side:
    store = IncidentStore.open(settings.store_url)
    try:
        llm = LlmStore(store.engine)
        spent, runs = llm.spent(incident_id), llm.runs(incident_id)
    finally:
        store.close()
    engine = next((r.engine for r in runs if r.engine), "deterministic")
    return Side(
        kind=kind,
        service=service,
        correct=correct,
        engine=engine,
        calls=spent.calls,
        tokens=spent.tokens,
        cost_usd=round(spent.cost_usd, 6),
        rejected=sum(n for r in runs for n in r.rejections.values()),
    )


def command(
    llm: Annotated[str, typer.Option("--llm", help="PROVIDER:MODEL, e.g. openai:gpt-4o-mini.")],
    scenarios: Annotated[
        Path | None, typer.Option(help="A directory of scenario YAML (default: the bundled ones).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="openai-compatible: the server's /v1 URL.")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run each scenario with and without the LLM agent and compare them side by side."""
    with user_errors():
        provider, _, model = llm.partition(":")
        if provider not in PROVIDERS or not model:
            raise ConfigError(f"--llm must be PROVIDER:MODEL with PROVIDER one of {PROVIDERS}")
        files = (
            scenario_files(scenarios)
            if scenarios
            else [bundled_scenario(n) for n in bundled_names()]
        )
        if not files:
            raise ConfigError(f"no scenario files (*.yaml) in {scenarios}")
        base = settings_from(config, data_dir)
        section = base.llm.model_dump(mode="python") | {
            "provider": provider,
            "model": model,
            "models": {},
            "base_url": base_url or base.llm.base_url,
        }
        if base.llm.api_key:
            section["api_key"] = base.llm.api_key.get_secret_value()
        results = compare(base, files, section)
        if as_json:
            typer.echo(json.dumps([r.model_dump(mode="json") for r in results], indent=2))
            return
        show(results)


def show(results: list[Comparison]) -> None:
    table = Table(title="deterministic vs LLM agent")
    for col in ("scenario", "truth", "deterministic", "llm", "decided by", "calls", "tokens", "cost", "rejected"):  # fmt: skip
        table.add_column(col)
    for r in results:
        d, m = r.deterministic, r.llm
        table.add_row(
            r.scenario,
            r.truth,
            f"{'✓' if d.correct else '✗'} {d.kind} on {d.service}",
            f"{'✓' if m.correct else '✗'} {m.kind} on {m.service}",
            m.engine,
            str(m.calls),
            str(m.tokens),
            f"${m.cost_usd:.4f}",
            str(m.rejected),
        )
    console.print(table)
    n = len(results) or 1
    calls = sum(r.llm.calls for r in results) or 1
    console.print(
        f"accuracy: deterministic {sum(r.deterministic.correct for r in results) / n:.0%}, "
        f"with LLM {sum(r.llm.correct for r in results) / n:.0%}; per incident "
        f"{sum(r.llm.tokens for r in results) / n:.0f} tokens, "
        f"${sum(r.llm.cost_usd for r in results) / n:.4f}; rejected model output "
        f"{sum(r.llm.rejected for r in results) / calls:.0%} of calls"
    )
